// Kept equal to package.json's version by a test; a constant keeps start-up free of file reads.
export const VERSION = '1.1.0';
export const USER_AGENT = `checkmarx-auth/${VERSION}`;
