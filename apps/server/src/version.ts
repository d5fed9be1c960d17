/** The release, shown by `lawful --version` and in the OpenAPI document. */
export const VERSION = '0.1.0';
