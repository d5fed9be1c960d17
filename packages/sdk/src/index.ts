export { createLawfulClient, type Download, type LawfulClient, type LawfulClientOptions } from './client.ts';
export { LawfulError } from './errors.ts';
