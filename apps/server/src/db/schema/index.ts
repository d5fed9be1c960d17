export * from './_rls.ts';
export * from './audit.ts';
export * from './subjects.ts';
export * from './tenants.ts';
export * from './bases.ts';
export * from './purposes.ts';
export * from './webhooks.ts';
export * from './consent.ts';
