// The tool's own environment variable names (CX_AUTH_SOCK), and the names no token may be exported as.

/** Where the token agent listens and its key: `<address>#<key>`. */
export const SOCK_VARIABLE = 'CX_AUTH_SOCK';

/** Names a runner, a shell or Node acts on, and this tool's own variables: exporting the token there would hurt. */
export const RESERVED_NAMES: readonly string[] = ['PATH', 'HOME', 'SHELL', 'ENV', 'BASH_ENV', 'NODE_OPTIONS', 'NODE_PATH', SOCK_VARIABLE];
export const RESERVED_PREFIXES: readonly string[] = ['GITHUB_', 'RUNNER_', 'ACTIONS_', 'LD_', 'DYLD_'];
