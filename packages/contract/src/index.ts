export * from './audit.ts';
export * from './common.ts';
export * from './errors.ts';
export * from './keys.ts';
export * from './requests.ts';
export * from './tenants.ts';
