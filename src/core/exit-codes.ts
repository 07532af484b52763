// The CLI's exit codes, which scripts test for (SPEC, CLI).

export const EXIT_TOKEN_FAILED = 1;
export const EXIT_USAGE = 2;
