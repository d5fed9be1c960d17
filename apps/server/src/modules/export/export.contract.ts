/**
 * The package's input schemas. packages/contract/src/index.ts does not export export.ts yet (the integrator wires
 * it); until then this one file reaches it by path, so switching to `@lawful/contract` is a one-line change.
 */
export * from '../../../../../packages/contract/src/export.ts';
export { LawfulBasis } from '../../../../../packages/contract/src/purposes.ts';
export { RequestLocale, RequestState, RequestType } from '../../../../../packages/contract/src/requests.ts';
