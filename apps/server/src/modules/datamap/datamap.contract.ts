// The data map schemas live in @lawful/contract (shared with the SDK and admin UI). The package index does not
// re-export them yet, so this is the one file that reaches into the source; switch it to '@lawful/contract' then.
export * from '../../../../../packages/contract/src/datamap.ts';
