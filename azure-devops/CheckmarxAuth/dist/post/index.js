/******/ (() => { // webpackBootstrap
/******/ 	"use strict";
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = require("node:fs");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = require("node:path");
;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = require("node:net");
;// CONCATENATED MODULE: ./src/core/json.js
// The one JSON reader for text from outside (a token response, a JWT payload, an agent line):
// only a plain object is an answer; anything else, or text that does not parse, is none.
function json_parseJsonObject(text) {
    try {
        const value = JSON.parse(text.replace(/^\uFEFF/, ''));
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/core/variable-names.js
// The tool's own environment variable names (CX_AUTH_SOCK), and the names no token may be exported as.
/** Where the token agent listens and its key: `<address>#<key>`. */
const SOCK_VARIABLE = 'CX_AUTH_SOCK';
/** Names a runner, a shell or Node acts on, and this tool's own variables: exporting the token there would hurt. */
const RESERVED_NAMES = ['PATH', 'HOME', 'SHELL', 'ENV', 'BASH_ENV', 'NODE_OPTIONS', 'NODE_PATH', SOCK_VARIABLE];
const RESERVED_PREFIXES = (/* unused pure expression or super */ null && (['GITHUB_', 'RUNNER_', 'ACTIONS_', 'LD_', 'DYLD_']));

;// CONCATENATED MODULE: ./src/core/exit-codes.js
// The CLI's exit codes, which scripts test for (SPEC, CLI).
const EXIT_TOKEN_FAILED = 1;
const EXIT_USAGE = 2;

;// CONCATENATED MODULE: ./src/core/error-codes.js
// Every error a user can meet has one of these stable codes, printed with its message
// (`checkmarx-auth: error [token-request/invalid-grant]: ...`). Scripts and docs rely on them:
// docs/troubleshooting.md has one entry per code (a test keeps both lists equal), and a code,
// once published, is never renamed. Codes are ours: text from a server never becomes one.

const usage = (meaning) => ({ meaning, exit: EXIT_USAGE });
const failed = (meaning) => ({ meaning, exit: EXIT_TOKEN_FAILED });
const error_codes_ERROR_CODES = {
    'input/missing': usage('An input that the product and grant type need is not given.'),
    'input/invalid': usage('An input is given but its value is not valid.'),
    'input/ca-cert': usage('ca-cert is not a readable PEM file or PEM text with valid certificates.'),
    'input/connection': usage('The Azure DevOps service connection is not available or not a Checkmarx connection.'),
    'input/runner': usage("The CI's own temporary folder is not set, or is not a folder."),
    'usage/unknown-flag': usage('The command line has a flag the CLI does not know.'),
    'usage/flag-value': usage('A flag lacks its value, or has one it does not take.'),
    'usage/unexpected-argument': usage('A word on the command line is neither a verb nor a --flag.'),
    'usage/unknown-verb': usage('The first word looks like a verb the CLI does not have.'),
    'usage/unknown-format': usage('--format names a format the verb cannot print.'),
    'usage/no-command': usage('exec has no command after --.'),
    'token-request/invalid-grant': failed('The server refused the credentials (OAuth invalid_grant).'),
    'token-request/invalid-client': failed('The server refused the OAuth client (invalid_client).'),
    'token-request/unauthorized-client': failed('The OAuth client may not use this grant type (unauthorized_client).'),
    'token-request/unsupported-grant-type': failed('The server does not support the grant type (unsupported_grant_type).'),
    'token-request/invalid-scope': failed('The server refused the scope (invalid_scope).'),
    'token-request/invalid-request': failed('The server found the request malformed (invalid_request).'),
    'token-request/rate-limited': failed('The server kept answering 429 Too Many Requests.'),
    'token-request/server-error': failed('The server kept answering with an HTTP 5xx status.'),
    'token-request/http-error': failed('The server answered another HTTP error status.'),
    'token-request/redirect': failed('The token endpoint answered with a redirect, which is not followed.'),
    'token-request/html': failed('The token endpoint answered with a web page instead of JSON.'),
    'token-request/bad-response': failed('The answer is not a valid token response.'),
    'token-request/timeout': failed('The token endpoint did not answer in time.'),
    'token-request/tls': failed('The TLS connection failed (certificate, or https:// to a plain HTTP port).'),
    'token-request/network': failed('The token endpoint could not be reached (DNS, refused, reset).'),
    'token-request/proxy': failed('The proxy refused the connection or asked for authentication.'),
    'runner/file': failed("A runner's file (GITHUB_OUTPUT, GITHUB_ENV, ...) cannot be written."),
    'agent/not-running': failed('CX_AUTH_SOCK names a token agent that is not running.'),
    'agent/not-mapped': usage('A later Azure Pipelines step runs token or exec without CX_AUTH_SOCK mapped, and lacks inputs of its own.'),
    'agent/bad-sock': usage("CX_AUTH_SOCK is not '<address>#<key>'."),
    'agent/refused': usage("The token agent refused the request (not this agent's key)."),
    'agent/no-answer': failed('The token agent did not answer in time.'),
    'agent/bad-answer': failed('The token agent sent an answer that is not its protocol.'),
    'agent/unreachable': failed('Talking to the token agent failed.'),
    'agent/start-failed': failed('The token agent did not start.'),
    'agent/cancelled': failed('The step was cancelled while the token agent started.'),
    'exec/not-found': { meaning: "exec's command was not found on PATH.", exit: 127 },
    'exec/cannot-start': { meaning: "exec's command was found but could not be started.", exit: 126 },
    'exec/agent-not-sealing': usage('exec --sealed with a token agent that is not sealed, or --read-only with a sealed agent that forwards writes.'),
    'internal/unexpected': failed('A failure this tool did not expect: a bug. Please report it.'),
};
function isErrorCode(value) {
    return typeof value === 'string' && Object.hasOwn(error_codes_ERROR_CODES, value);
}
/** The OAuth `error` values (RFC 6749, 5.2) that have a code of their own; any other is not a code. */
const OAUTH_ERROR_CODES = {
    invalid_grant: 'token-request/invalid-grant',
    invalid_client: 'token-request/invalid-client',
    unauthorized_client: 'token-request/unauthorized-client',
    unsupported_grant_type: 'token-request/unsupported-grant-type',
    invalid_scope: 'token-request/invalid-scope',
    invalid_request: 'token-request/invalid-request',
};
/** The code of an OAuth `error` from the server, only if it is one of the known ones. */
function oauthErrorCode(oauthError) {
    return oauthError !== undefined && Object.hasOwn(OAUTH_ERROR_CODES, oauthError) ? OAUTH_ERROR_CODES[oauthError] : undefined;
}

;// CONCATENATED MODULE: ./src/core/failures.js
// How a token request failed: the kinds of failure and what is known of one, and the sentence
// that tells the user. Everything in FailureDetails from outside has been redacted already.

/** The stable code of a failed request: from its kind, and for HTTP from a known OAuth `error` or the status. */
function requestFailureCode(details) {
    if (details.kind !== 'http')
        return KIND_CODES[details.kind];
    const status = details.status ?? 0;
    return (oauthErrorCode(details.oauthError) ??
        (status === 429 ? 'token-request/rate-limited' : status >= 500 ? 'token-request/server-error' : 'token-request/http-error'));
}
const KIND_CODES = {
    redirect: 'token-request/redirect',
    html: 'token-request/html',
    'bad-response': 'token-request/bad-response',
    timeout: 'token-request/timeout',
    tls: 'token-request/tls',
    network: 'token-request/network',
    proxy: 'token-request/proxy',
};
function describeRequestFailure(context, details, hint, attempts) {
    const parts = [`${context.productTitle} token request to ${context.endpoint} failed`];
    if (attempts > 1)
        parts[0] += ` after ${attempts} attempts`;
    parts[0] += `: ${describeFailure(details)}.`;
    if (hint)
        parts.push(`Hint: ${hint}`);
    return parts.join(' ');
}
function describeFailure(details) {
    const status = details.status === undefined ? '' : `HTTP ${details.status}`;
    const oauth = [details.oauthError, details.description].filter(Boolean).join(': ');
    switch (details.kind) {
        case 'redirect':
            return `${status} redirect to ${details.location ?? '(no Location header)'}, not followed so that credentials are not sent elsewhere`;
        case 'html':
            return `${status} an HTML page instead of a JSON token response`;
        case 'timeout':
            return details.detail ?? 'timed out';
        case 'tls':
        case 'network':
        case 'proxy':
            return [details.detail, details.code && `(${details.code})`].filter(Boolean).join(' ');
        case 'bad-response':
            return [status, details.detail, oauth && `(${oauth})`].filter(Boolean).join(' ');
        default:
            return [status, oauth, details.detail].filter(Boolean).join(' ');
    }
}

;// CONCATENATED MODULE: ./src/core/errors.js
// Typed errors. A message is built from what the user needs and never from a secret:
// anything the server or the network said passes through `redact` first.


/**
 * Every error this tool reports to a user: a stable `code` (error-codes.ts), which also decides the
 * CLI's exit code, and a message built for users. `cause`, where there is one, is for debugging only.
 */
class CheckmarxAuthError extends Error {
    code;
    constructor(code, message, options) {
        super(message, options);
        this.code = code;
    }
    get exitCode() {
        return error_codes_ERROR_CODES[this.code].exit;
    }
}
/** The stable code of any failure: ours, or `internal/unexpected` for anything else. */
function errorCodeOf(error) {
    return error instanceof CheckmarxAuthError ? error.code : 'internal/unexpected';
}
/**
 * What to tell the user about any failure. Only our own errors carry messages built for users;
 * anything else is a bug, reported by type only, since its message could hold a secret.
 */
function failureMessage(error, naming = ACTION_NAMING) {
    if (error instanceof InputError)
        return error.describe(naming);
    if (error instanceof CheckmarxAuthError)
        return error.message;
    return `Unexpected failure (${error instanceof Error ? error.name : typeof error}). Please report it.`;
}
/** The message with its code in front, `[token-request/invalid-grant] ...`, for the action's and the task's errors. */
function codedMessage(error, naming = ACTION_NAMING) {
    return `[${errorCodeOf(error)}] ${failureMessage(error, naming)}`;
}
/**
 * The stack frames of an unexpected error (the `    at ...` lines), for a bug report under
 * RUNNER_DEBUG=1: never its message, which comes first in the stack and may hold a secret. A stack
 * that does not start with the error's own name and message, as V8 writes it, gives nothing.
 */
function stackFrames(error) {
    if (!(error instanceof Error) || error instanceof CheckmarxAuthError || typeof error.stack !== 'string')
        return [];
    const header = error.message ? `${error.name}: ${error.message}` : error.name;
    if (!error.stack.startsWith(`${header}\n`))
        return [];
    return error.stack
        .slice(header.length + 1)
        .split('\n')
        .filter((line) => /^ {4}at \S/.test(line))
        .map((line) => line.trim());
}
function exitCodeOf(error) {
    return ERROR_CODES[errorCodeOf(error)].exit;
}
const ACTION_NAMING = {
    subject: (input) => `Input '${input}'`,
    reference: (input) => `'${input}'`,
    several: (references) => `Inputs ${references}`,
};
/** A missing or bad input, found before any request is sent. */
class InputError extends CheckmarxAuthError {
    /** The input the message is about (the first one, when several are). */
    input;
    /** Every input the message is about. */
    inputs;
    /** What is wrong, without the input's name, which each front end words its own way. */
    detail;
    constructor(input, detail, options = {}) {
        super(options.code ?? 'input/invalid', `${ACTION_NAMING.subject(input)}: ${detail}`);
        this.name = 'InputError';
        this.input = input;
        this.inputs = options.inputs ?? [input];
        this.detail = detail;
    }
    /** The message with the inputs named the front end's way. */
    describe(naming) {
        return `${naming.subject(this.input)}: ${this.detail}`;
    }
}
/** An input given without another that it needs (`read-only` without `sealed`): both named the front end's way. */
class RequiresInputError extends InputError {
    required;
    why;
    constructor(input, required, why) {
        super(input, `needs ${ACTION_NAMING.reference(required)} to be true: ${why}`, { inputs: [input, required] });
        this.name = 'RequiresInputError';
        this.required = required;
        this.why = why;
    }
    describe(naming) {
        return `${naming.subject(this.input)} needs ${naming.reference(this.required)} to be true: ${this.why}`;
    }
}
/** Every input a run lacks, in one message, so that one run tells the user all of them. */
class MissingInputsError extends InputError {
    missing;
    requiredFor;
    otherGrants;
    /** requiredFor: `product 'sast' with grant type 'password'`. */
    constructor(missing, requiredFor, otherGrants = []) {
        const first = missing[0];
        if (!first)
            throw new RangeError('MissingInputsError needs a missing input');
        super(first.input, '', { code: 'input/missing', inputs: missing.map((m) => m.input) });
        this.name = 'MissingInputsError';
        this.missing = missing;
        this.requiredFor = requiredFor;
        this.otherGrants = otherGrants;
        this.message = this.describe(ACTION_NAMING);
    }
    describe(naming) {
        const others = this.otherGrants
            .map((g) => `; or give ${listOf(g.inputs.map(naming.reference))} for grant type '${g.grantType}'`)
            .join('');
        const named = (m) => (m.note ? `${naming.reference(m.input)} (${m.note})` : naming.reference(m.input));
        if (this.missing.length === 1) {
            const [only] = this.missing;
            const note = only.note ? ` (${only.note})` : '';
            return `${naming.subject(only.input)}: is required for ${this.requiredFor}${note}${others}.`;
        }
        return `${naming.several(listOf(this.missing.map(named)))} are required for ${this.requiredFor}${others}.`;
    }
}
/** `a`, `a and b`, `a, b and c`. */
function listOf(items) {
    return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
/** The token request failed; the code follows from how (the kind, the status, a known OAuth `error`). */
class TokenRequestError extends CheckmarxAuthError {
    details;
    context;
    hint;
    attempts;
    constructor(context, details, hint, attempts = 1) {
        super(requestFailureCode(details), describeRequestFailure(context, details, hint, attempts));
        this.name = 'TokenRequestError';
        this.context = context;
        this.details = details;
        this.hint = hint;
        this.attempts = attempts;
    }
}

;// CONCATENATED MODULE: ./src/agent/errors.js
// The agent's own failure: it cannot be reached, refused a request, or did not start; and a failure
// it reported (its exchange failed), which keeps the code the agent sent, so that `token` through
// the agent prints the same code as a direct exchange.

/** The token agent cannot be reached, refused a request, did not start, or reported a failure. */
class errors_AgentError extends CheckmarxAuthError {
    constructor(code, message, options) {
        super(code, message, options);
        this.name = 'AgentError';
    }
}

;// CONCATENATED MODULE: ./src/core/printable.js
// Everything this tool prints passes through `printable`, so that text from outside (a token
// server's error_description, token_type or scope, a Location header, a page, a network error)
// can neither start a new line nor be read as a command by the CI system that reads the log:
// GitHub's `::name::` at the start of a line and its legacy `##[name]` anywhere, and Azure
// Pipelines' `##vso[` anywhere in a line.
/** C0 and C1 control characters, and Unicode's line and paragraph separators. */
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
/**
 * Text that a CI system would run as a command once a later step prints it: Azure Pipelines'
 * `##vso[` and GitHub's legacy `##[` anywhere (the Azure agent reads `##vso[` in any case), and
 * GitHub's `::` at the start of a line, which a space-separated value (a scope) puts at the start
 * of any of its words.
 */
function holdsCiCommand(text) {
    return /##(vso)?\[/i.test(text) || /(^|[\s\u0085])::/.test(text);
}
function printable(text) {
    return text.replace(LINE_BREAKING, ' ').replace(/#(?=#)/g, '# ');
}

;// CONCATENATED MODULE: ./src/core/output-rules.js
// What a value must look like to become an output, a variable or a printed line, whichever way it
// came: from the token endpoint (token-response.ts) or from the agent's socket (agent/protocol.ts).
// The server is not trusted: a value that fails is refused, and named, never quoted.

// RFC 6749 appendix A: NQCHAR = %x21 / %x23-5B / %x5D-7E; scope is scope-tokens of NQCHAR joined by
// single spaces; token_type is a type-name (letters, digits, - . _) or an absolute URI.
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;
const TYPE_NAME = /^[A-Za-z0-9._-]+$/;
const isScope = (value) => typeof value === 'string' && SCOPE.test(value);
const isTokenType = (value) => typeof value === 'string' && (TYPE_NAME.test(value) || (SCOPE.test(value) && !value.includes(' ') && URL.canParse(value)));
/** Spaces, C0 and C1 control characters, and Unicode's line and paragraph separators. */
const UNPRINTABLE = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const isAccessToken = (value) => typeof value === 'string' && value !== '' && !UNPRINTABLE.test(value);
const isApiUrl = (value) => typeof value === 'string' && /^https?:\/\//i.test(value) && !UNPRINTABLE.test(value) && URL.canParse(value);
const isPlainValue = (value) => typeof value === 'string' && value !== '' && !UNPRINTABLE.test(value);
/**
 * The one rule for every value that becomes an output, a variable or a printed line (api-url,
 * scope, token-type, the token, tenant, expires-at), whichever way it came: from the token
 * endpoint (parseTokenResponse) or from the agent's socket (the agent protocol). Undefined when
 * the result keeps it; else what is wrong.
 */
function outputProblem(result) {
    if (!isAccessToken(result.accessToken))
        return 'the access token contains spaces or control characters';
    if (!isTokenType(result.tokenType))
        return 'the token type is not valid RFC 6749 syntax';
    if (result.scope !== undefined && !isScope(result.scope))
        return 'the scope is not valid RFC 6749 syntax';
    if (!isApiUrl(result.apiUrl))
        return 'the API URL is not an http(s) URL without spaces or control characters';
    if (result.tenant !== undefined && !isPlainValue(result.tenant))
        return 'the tenant contains spaces or control characters';
    if (!isPlainValue(result.expiresAt))
        return 'the expiry is not a plain instant';
    if (result.apiKeyExpiresAt !== undefined && !isPlainValue(result.apiKeyExpiresAt))
        return "the API key's expiry is not a plain instant";
    return ciCommandProblem(result);
}
/** Which output would hold a CI command prefix (`##vso[`, `##[`, a leading `::`), named, never quoted. */
function ciCommandProblem(result) {
    const outputs = [
        ['access token', result.accessToken],
        ['token type', result.tokenType],
        ['scope', result.scope],
        ['API URL', result.apiUrl],
        ['tenant', result.tenant],
    ];
    const named = outputs.find(([, value]) => value !== undefined && holdsCiCommand(value));
    return named && `the ${named[0]} holds a CI command prefix, which a later step that prints it would run as a command`;
}

;// CONCATENATED MODULE: ./src/core/products.js
// What differs between the Checkmarx products, as data. Everything else is shared.
/** Where a product's token endpoint lives: its row in the hosting table (hostings.ts). */
const HOSTING_NAMES = ['self-hosted', 'sca-cloud', 'cxone'];
const CXSAST_CLIENT_SECRET = '014DF517-39D1-4453-B7B3-9930C563627C';
const CXSAST_TOKEN_PATH = '/cxrestapi/auth/identity/connect/token';
/** The grant types of CxSAST and Access Control, in the order they are picked. */
const CXSAST_GRANTS = ['password', 'refresh_token', 'client_credentials'];
/**
 * The client of CxSAST's own CLI (CxConsole `GenerateToken`), whose refresh tokens `api-key` holds,
 * with the secret that CLI sends: checkmarx-ltd/Cx-Client-Common, ClientType.CLI.
 */
const CXSAST_CLI_CLIENT = { id: 'cli_client', secret: 'B9D84EA8-E476-4E83-A628-8A342D74D3BD' };
const PRODUCTS = {
    sast: {
        name: 'sast',
        title: 'CxSAST REST API',
        hosting: 'self-hosted',
        grantTypes: CXSAST_GRANTS,
        defaultClients: {
            password: { id: 'resource_owner_client', secret: CXSAST_CLIENT_SECRET },
            refresh_token: CXSAST_CLI_CLIENT,
        },
        defaultScope: 'sast_rest_api',
        tokenPath: CXSAST_TOKEN_PATH,
        apiPath: '/cxrestapi',
    },
    'sast-odata': {
        name: 'sast-odata',
        title: 'CxSAST OData API',
        hosting: 'self-hosted',
        grantTypes: CXSAST_GRANTS,
        defaultClients: {
            password: { id: 'resource_owner_sast_client', secret: CXSAST_CLIENT_SECRET },
            refresh_token: CXSAST_CLI_CLIENT,
        },
        defaultScope: 'access_control_api sast_api',
        tokenPath: CXSAST_TOKEN_PATH,
        apiPath: '/Cxwebinterface/odata/v1',
    },
    'access-control': {
        name: 'access-control',
        title: 'Checkmarx Access Control API',
        hosting: 'self-hosted',
        grantTypes: CXSAST_GRANTS,
        defaultClients: {
            password: { id: 'resource_owner_client', secret: CXSAST_CLIENT_SECRET },
            refresh_token: CXSAST_CLI_CLIENT,
        },
        defaultScope: 'access_control_api',
        tokenPath: CXSAST_TOKEN_PATH,
        apiPath: '/cxrestapi/auth',
    },
    sca: {
        name: 'sca',
        title: 'Checkmarx SCA',
        hosting: 'sca-cloud',
        grantTypes: ['password'],
        defaultClients: { password: { id: 'sca_resource_owner' } },
        defaultScope: 'sca_api',
    },
    cxone: {
        name: 'cxone',
        title: 'Checkmarx One',
        hosting: 'cxone',
        grantTypes: ['refresh_token', 'client_credentials'],
        // The API key's own client (its azp claim) comes first; see locateCxOne.
        defaultClients: { refresh_token: { id: 'ast-app' } },
        apiUrlClaim: 'ast-base-url',
    },
};
const PRODUCT_NAMES = Object.keys(PRODUCTS);
const SCA_REGIONS = {
    us: {
        tokenUrl: 'https://platform.checkmarx.net/identity/connect/token',
        apiUrl: 'https://api-sca.checkmarx.net',
    },
    eu: {
        tokenUrl: 'https://eu.platform.checkmarx.net/identity/connect/token',
        apiUrl: 'https://eu.api-sca.checkmarx.net',
    },
};
/** Checkmarx One region → IAM base URL. The API host is the same name with `ast` for `iam`. */
const CXONE_REGIONS = {
    us: 'https://iam.checkmarx.net',
    us2: 'https://us.iam.checkmarx.net',
    eu: 'https://eu.iam.checkmarx.net',
    eu2: 'https://eu-2.iam.checkmarx.net',
    deu: 'https://deu.iam.checkmarx.net',
    anz: 'https://anz.iam.checkmarx.net',
    ind: 'https://ind.iam.checkmarx.net',
    ind2: 'https://ind-2.iam.checkmarx.net',
    sng: 'https://sng.iam.checkmarx.net',
    mea: 'https://mea.iam.checkmarx.net',
    il: 'https://gov-il.iam.checkmarx.net',
};
/** Other names for regions: the host prefixes users copy, and Checkmarx's own names. */
const REGION_ALIASES = {
    'eu-2': 'eu2',
    'ind-2': 'ind2',
    'gov-il': 'il',
    uae: 'mea',
};
const DEFAULT_REGION = 'us';
/** Which inputs carry the credentials of each grant type. */
const GRANT_CREDENTIALS = {
    password: ['username', 'password'],
    refresh_token: ['api-key'],
    client_credentials: ['client-id', 'client-secret'],
};
/**
 * Which inputs each grant type's form sends. refresh_token sends a client secret only as part of
 * a default client (CxSAST's `cli_client`), never one given as client-secret.
 */
const GRANT_SENDS = {
    password: ['username', 'password', 'client-id', 'client-secret', 'scope'],
    refresh_token: ['api-key', 'client-id'],
    client_credentials: ['client-id', 'client-secret', 'scope'],
};

;// CONCATENATED MODULE: external "node:module"
const external_node_module_namespaceObject = require("node:module");
;// CONCATENATED MODULE: ./src/io/builtins.js
// Node's built-in modules that only some runs need, loaded at their first use rather than at
// start-up (every job pays the start-up: see BENCHMARKS.md). `createRequire` works on every Node
// the bundles run on (the Azure task's Node 20.9.0 has no `process.getBuiltinModule`, which came in
// 20.16), in the CommonJS bundles and in the ESM sources under test alike. Nothing is cached here:
// Node's own module cache makes a second load cheap.

// A require for built-ins only: they resolve without reading any file, so any absolute path does.
const requireBuiltin = (0,external_node_module_namespaceObject.createRequire)('/');
/** The built-in module `name`, loaded now if nothing has loaded it yet. */
function builtins_builtin(name) {
    return requireBuiltin(name);
}

;// CONCATENATED MODULE: ./src/io/random.js
// Random bytes for one-time keys, from the operating system's generator. /dev/urandom where there
// is one: node:fs is loaded anyway, while loading node:crypto costs `exec` and `start-agent` about
// 4 ms of every start (BENCHMARKS.md). Where there is none (Windows), node:crypto's randomBytes.


const DEVICE = '/dev/urandom';
function random_randomBytes(size, device = DEVICE) {
    let fd;
    try {
        fd = openSync(device, 'r');
    }
    catch {
        return builtin('node:crypto').randomBytes(size);
    }
    try {
        const bytes = Buffer.alloc(size);
        for (let filled = 0; filled < size;) {
            const read = readSync(fd, bytes, filled, size - filled, null);
            if (read === 0)
                throw new Error(`${device} ended after ${filled} of ${size} bytes`);
            filled += read;
        }
        return bytes;
    }
    finally {
        closeSync(fd);
    }
}

;// CONCATENATED MODULE: ./src/agent/protocol.js
// The token agent's wire format: one line of JSON each way over a Unix socket or named pipe, and
// CX_AUTH_SOCK (`<address>#<key>`). Pure. Both sides parse what they read: the socket is input too.










/** The folders the agent and the action make: the post step removes only folders so named. */
const SOCKET_FOLDER_PREFIX = 'cxauth-';
const COMMAND_FOLDER_PREFIX = 'checkmarx-auth-bin-';
/** One request or answer line, at most. */
const MAX_LINE_BYTES = 64 * 1024;
/** The CLI's hidden verb that runs the agent, and the line the agent prints once it listens. */
const AGENT_VERB = '__agent';
const READY_LINE = 'ready';
/** 256 random bits, base64url (43 characters). */
function newKey() {
    return randomBytes(32).toString('base64url');
}
function formatSock(address, key) {
    return `${address}#${key}`;
}
/** `<address>#<key>`, split on the last `#` (a Unix path may contain one; a key never does). */
function protocol_parseSock(value) {
    const text = value?.trim() ?? '';
    const at = text.lastIndexOf('#');
    const address = text.slice(0, Math.max(at, 0));
    const key = at === -1 ? '' : text.slice(at + 1);
    if (!address || !/^[A-Za-z0-9_-]{22,}$/.test(key)) {
        throw new errors_AgentError('agent/bad-sock', `${SOCK_VARIABLE} is not '<address>#<key>' as start-agent or the action's agent input print it.`);
    }
    return { address, key };
}
/** Constant time for keys of equal length; a different length is refused at once. */
function keysMatch(given, expected) {
    const a = Buffer.from(given, 'utf8');
    const b = Buffer.from(expected, 'utf8');
    return a.length === b.length && protocol_crypto().timingSafeEqual(a, b);
}
// Loaded on first use: a `token` call served by the agent never needs it (see BENCHMARKS.md).
const protocol_crypto = () => builtin('node:crypto');
function encodeLine(message) {
    return `${JSON.stringify(message)}\n`;
}
/** What the agent sends the moment a request line arrives, before it works out the answer. */
const ACK_LINE = '{"ok":true,"ack":true}\n';
/**
 * What the agent sends while it works on an acknowledged request (its exchange), every
 * HEARTBEAT_MS: a space. JSON allows whitespace before a value, so the answer line stays one JSON
 * line, which a client that knows nothing of this reads as before; a client that does knows the
 * agent is alive, and tells a slow exchange from a frozen agent by silence.
 */
const HEARTBEAT = ' ';
const HEARTBEAT_MS = 2_000;
function isAck(line) {
    const json = json_parseJsonObject(line);
    return json?.ok === true && json.ack === true;
}
/** A day: the agent does not live longer, so no token needs to last longer. */
const MAX_MIN_VALIDITY = 86_400;
function parseRequest(line) {
    const json = parseJsonObject(line);
    if (!json || typeof json.key !== 'string')
        return undefined;
    if (json.op === 'stop')
        return { key: json.key, op: 'stop' };
    const minValidity = json.minValidity;
    if (json.op !== 'token' || !isNumberIn(minValidity, 0, MAX_MIN_VALIDITY))
        return undefined;
    return { key: json.key, op: 'token', minValidity };
}
function parseAnswer(line) {
    const json = json_parseJsonObject(line);
    if (!json)
        return undefined;
    if (json.ok === false) {
        const exitCode = json.exitCode;
        if (typeof json.message !== 'string' || !isNumberIn(exitCode, 1, 2))
            return undefined;
        // The socket is input too: only a code this version knows is taken as one.
        const code = isErrorCode(json.code) ? json.code : 'agent/bad-answer';
        return { ok: false, code, message: printable(json.message), exitCode };
    }
    if (json.ok !== true)
        return undefined;
    if (json.stopped === true)
        return { ok: true, stopped: true, ...(isNumberIn(json.pid, 1, 2 ** 32) ? { pid: json.pid } : {}) };
    const result = parseToken(json.result);
    if (!result || (json.source !== 'cache' && json.source !== 'exchange'))
        return undefined;
    const warning = typeof json.warning === 'string' ? printable(json.warning) : undefined;
    const hosting = HOSTING_NAMES.find((name) => name === json.hosting);
    // A sealed agent's facts are checked like the token: a malformed one makes the answer not protocol.
    const sealed = json.sealed === undefined ? undefined : parseSealedJob(json.sealed, result);
    if (sealed === null)
        return undefined;
    return {
        ok: true,
        result,
        source: json.source,
        ...(warning ? { warning } : {}),
        ...(hosting ? { hosting } : {}),
        ...(sealed ? { sealed } : {}),
    };
}
const FACADE_ORIGIN = /^http:\/\/127\.0\.0\.1:\d{1,5}$/;
const JOB_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const JOB_KEY = /^[A-Za-z0-9_-]{22,256}$/;
/**
 * A sealed agent's facts, from the socket (untrusted): a loopback origin, a known product, a plain
 * job name and key, the token's own tenant; null for anything else. An older agent sends none.
 */
function parseSealedJob(value, token) {
    if (typeof value !== 'object' || value === null)
        return null;
    const { product, origin, tenant, jobName, jobKey, readOnly } = value;
    const known = typeof product === 'string' && Object.hasOwn(PRODUCTS, product);
    const plain = typeof origin === 'string' && FACADE_ORIGIN.test(origin) && typeof jobName === 'string' && JOB_NAME.test(jobName);
    const keyed = typeof jobKey === 'string' && JOB_KEY.test(jobKey) && typeof readOnly === 'boolean';
    if (!known || !plain || !keyed || tenant !== token.tenant)
        return null;
    return {
        product: product,
        origin,
        ...(token.tenant ? { tenant: token.tenant } : {}),
        jobName,
        jobKey,
        readOnly,
    };
}
/**
 * The fields a printed token may have; anything else is dropped. Each value is held to the rule
 * the token endpoint's answer is held to (outputProblem), so both paths print the same.
 */
function parseToken(value) {
    if (typeof value !== 'object' || value === null)
        return undefined;
    const { accessToken, tokenType, expiresIn, expiresAt, apiUrl, scope, tenant, apiKeyExpiresAt } = value;
    const strings = [accessToken, tokenType, expiresAt, apiUrl];
    if (!strings.every((s) => typeof s === 'string') || !isNumberIn(expiresIn, 0, 1e9))
        return undefined;
    const optional = [scope, tenant, apiKeyExpiresAt];
    if (!optional.every((s) => s === undefined || typeof s === 'string'))
        return undefined;
    const token = {
        accessToken: accessToken,
        tokenType: tokenType,
        expiresIn,
        expiresAt: expiresAt,
        apiUrl: apiUrl,
        ...(scope ? { scope: scope } : {}),
        ...(tenant ? { tenant: tenant } : {}),
        ...(apiKeyExpiresAt ? { apiKeyExpiresAt: apiKeyExpiresAt } : {}),
    };
    return outputProblem(token) ? undefined : token;
}
/** Without its refresh token. */
function agentToken(result) {
    const { refreshToken, ...token } = result;
    void refreshToken;
    return token;
}
function isNumberIn(value, min, max) {
    return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}

;// CONCATENATED MODULE: ./src/agent/client.js
// Asks the token agent named by CX_AUTH_SOCK: one request line out; an acknowledgement, then one
// answer line back, with the agent's heartbeats (spaces) in between while it works; each bounded.




/** Long enough for the agent's own exchange with its retries and deadlines. */
const TOKEN_DEADLINE_MS = (/* unused pure expression or super */ null && (10 * 60 * 1000));
const STOP_DEADLINE_MS = 5_000;
/** A live agent acknowledges a request at once; SPEC: a silent peer is reported within 15 s. */
const ACK_DEADLINE_MS = 10_000;
/**
 * A live agent working on an acknowledged request sends a heartbeat every HEARTBEAT_MS (2 s):
 * silence this long after the acknowledgement is a frozen agent (SPEC: reported within 15 s).
 */
const SILENCE_DEADLINE_MS = 10_000;
/** The agent is gone: its socket is missing or nobody listens on it. */
class AgentNotRunning extends errors_AgentError {
    constructor(address) {
        super('agent/not-running', `No token agent is running at ${address} (from ${SOCK_VARIABLE}): it was stopped, or it belongs to another job. Start one with 'checkmarx-auth start-agent' or the action's agent input.`);
        this.name = 'AgentNotRunning';
    }
}
const GONE = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'EPIPE', 'ECONNRESET']);
/**
 * Asks the agent: it acknowledges a request at once, then answers when it has the answer, sending
 * heartbeats meanwhile. A peer that does not acknowledge within `ackMs` (a frozen agent, something
 * else listening at the address), or that falls silent for `silenceMs` after its acknowledgement
 * (an agent frozen mid exchange), is reported then; an acknowledged request that keeps hearing
 * from the agent gets `deadlineMs` for its answer (the agent's own exchange, with its retries and
 * deadlines).
 */
function askAgent(address, request, deadlineMs, bounds = {}) {
    const ackMs = Math.min(bounds.ackMs ?? ACK_DEADLINE_MS, deadlineMs);
    const silenceMs = bounds.silenceMs ?? SILENCE_DEADLINE_MS;
    return new Promise((resolve, reject) => {
        const socket = (0,external_node_net_namespaceObject.connect)(address);
        let received = '';
        let connected = false;
        let acknowledged = false;
        let deadline;
        const silence = new SilenceWatch(() => fail(new errors_AgentError('agent/no-answer', acknowledged
            ? `The token agent at ${address} (from ${SOCK_VARIABLE}) acknowledged the request, then said nothing for ${silenceMs / 1000} s: it is stopped or frozen.`
            : `The token agent at ${address} (from ${SOCK_VARIABLE}) did not acknowledge the request within ${ackMs / 1000} s: it is stopped or frozen, or what listens there is not a token agent.`)));
        silence.arm(ackMs);
        // Silence as long as the whole deadline is the deadline's to report.
        const watchSilence = () => (silenceMs < deadlineMs ? silence.arm(silenceMs) : silence.stop());
        function fail(error) {
            clearTimeout(deadline);
            silence.stop();
            socket.destroy();
            reject(error);
        }
        const notProtocol = () => fail(new errors_AgentError('agent/bad-answer', 'The token agent sent an answer that is not its protocol.'));
        socket.once('connect', () => {
            connected = true;
            socket.write(encodeLine(request));
        });
        socket.setEncoding('utf8').on('data', (chunk) => {
            // Any byte is a sign of life: a heartbeat, or part of the answer.
            if (acknowledged)
                watchSilence();
            received += chunk;
            for (let end = received.indexOf('\n'); end !== -1; end = received.indexOf('\n')) {
                const line = received.slice(0, end);
                received = received.slice(end + 1);
                if (!acknowledged) {
                    if (!isAck(line))
                        return notProtocol();
                    acknowledged = true;
                    bounds.onAcknowledged?.();
                    watchSilence();
                    deadline = setTimeout(() => fail(new errors_AgentError('agent/no-answer', `The token agent at ${address} did not answer within ${deadlineMs / 1000} s.`)), deadlineMs);
                    continue;
                }
                const answer = parseAnswer(line);
                clearTimeout(deadline);
                silence.stop();
                socket.destroy();
                if (answer)
                    resolve(answer);
                else
                    reject(new errors_AgentError('agent/bad-answer', 'The token agent sent an answer that is not its protocol.'));
                return;
            }
            if (received.length > MAX_LINE_BYTES)
                fail(new errors_AgentError('agent/bad-answer', 'The token agent sent an answer that is too long.'));
        });
        socket.once('end', notProtocol);
        socket.once('error', (error) => {
            const gone = !connected && GONE.has(error.code ?? '');
            fail(gone
                ? new AgentNotRunning(address)
                : new errors_AgentError('agent/unreachable', `Talking to the token agent at ${address} failed (${error.code ?? error.name}).`, {
                    cause: error,
                }));
        });
    });
}
/**
 * A token from the agent that `sock` (CX_AUTH_SOCK's value) names, valid for `minValidity` seconds
 * more; the agent's refusal, or an answer without a token, is an AgentError.
 */
async function askAgentForToken(sock, minValidity, bounds = {}) {
    const { address, key } = parseSock(sock);
    const answer = await askAgent(address, { key, op: 'token', minValidity }, TOKEN_DEADLINE_MS, bounds);
    if (!answer.ok)
        throw new AgentError(answer.code, answer.message);
    if (!('result' in answer))
        throw new AgentError('agent/bad-answer', 'The token agent sent no token.');
    return answer;
}
/**
 * Calls `onSilent` once no byte came for the armed time. When the timer fires, the verdict waits
 * one turn of the event loop (setImmediate runs after the poll for I/O): a client that was itself
 * held up (a loaded machine) reads what the agent sent meanwhile before it calls the agent silent.
 */
class SilenceWatch {
    timer;
    verdict;
    onSilent;
    constructor(onSilent) {
        this.onSilent = onSilent;
    }
    arm(ms) {
        this.stop();
        this.timer = setTimeout(() => (this.verdict = setImmediate(this.onSilent)), ms);
    }
    stop() {
        clearTimeout(this.timer);
        clearImmediate(this.verdict);
    }
}

;// CONCATENATED MODULE: ./src/agent/stop.js
// Stopping an agent that a front end started, from its post step: ask it over its socket; signal
// (SIGTERM) only the process that has just answered the stop with its key and its own PID and is
// still alive after a grace period, never a PID that may have been reused or a frozen process;
// then remove the folders the front end made (the socket folder, the command folder), each only
// if it carries the name they are given. Shared by the action's post step and the Azure task's
// post-job step.




const EXIT_WAIT_MS = 3_000;
/** Stops the agent `pid` listening at `sock` (`<address>#<key>`), then removes `folders` and the socket folder. */
async function stopStartedAgent(pid, sock, deps, folders = []) {
    const { address, key } = protocol_parseSock(sock);
    const outcome = await askAgent(address, { key, op: 'stop' }, STOP_DEADLINE_MS).then((answer) => (answer.ok && 'stopped' in answer && answer.pid === pid ? 'stopped' : 'not-ours'), (error) => (error instanceof AgentNotRunning ? 'gone' : 'silent'));
    if (outcome === 'stopped' && !(await exited(pid, EXIT_WAIT_MS, deps))) {
        try {
            process.kill(pid, 'SIGTERM');
        }
        catch {
            // gone meanwhile
        }
    }
    // The agent removes its socket folder itself; this covers an agent that was killed or is frozen
    // (which then stops on its own once it runs again and finds its folders gone).
    for (const path of new Set([...folders, (0,external_node_path_namespaceObject.dirname)(address)])) {
        const name = (0,external_node_path_namespaceObject.basename)(path);
        if (name.startsWith(COMMAND_FOLDER_PREFIX) || name.startsWith(SOCKET_FOLDER_PREFIX))
            (0,external_node_fs_namespaceObject.rmSync)(path, { recursive: true, force: true });
    }
    return outcome;
}
/** The folders a front end saved for its post step (a JSON array of paths); anything else is none. */
function savedFolders(saved) {
    try {
        const folders = JSON.parse(saved ?? '[]');
        return Array.isArray(folders) ? folders.filter((path) => typeof path === 'string') : [];
    }
    catch {
        return [];
    }
}
/** What a post step says for each outcome; undefined for the ones that are a warning. */
function stopMessage(outcome) {
    if (outcome === 'stopped')
        return { info: 'Stopped the token agent.' };
    if (outcome === 'gone')
        return { info: 'The token agent had already stopped.' };
    const why = outcome === 'silent' ? 'no answer' : 'another answer';
    return {
        warning: `The token agent did not answer (${why}); it was not signalled. Its folders are removed, so it stops within seconds if it runs at all, and the runner's end-of-job cleanup stops it in any case.`,
    };
}
async function exited(pid, withinMs, deps) {
    for (const end = deps.now() + withinMs; deps.now() < end;) {
        if (!isAlive(pid))
            return true;
        await deps.sleep(50);
    }
    return !isAlive(pid);
}
function isAlive(pid) {
    try {
        process.kill(pid, 0);
        return true;
    }
    catch (error) {
        return error.code === 'EPERM';
    }
}
/**
 * Every front end's post step: stops the agent its main step saved, if it saved one, removes what
 * it made and says what became of it. A failure is a warning (the job's result is the main step's).
 */
async function stopSavedAgent(saved, deps, log) {
    try {
        const pid = Number(saved.pid);
        const sock = saved.sock?.trim();
        if (!sock || !Number.isInteger(pid) || pid <= 0)
            return;
        const { info, warning } = stopMessage(await stopStartedAgent(pid, sock, deps, savedFolders(saved.folders)));
        if (info)
            log.info(info);
        if (warning)
            log.warning(warning);
    }
    catch (error) {
        log.warning(`Stopping the token agent failed: ${error instanceof Error ? error.message : String(error)}`);
    }
}

;// CONCATENATED MODULE: ./src/ci/log-commands.js
// The CI systems' log commands: the line syntax each reads from a step's output, and how each
// escapes a value exactly as its reader un-escapes it.
/** GitHub's command data escaping (as @actions/core writes it and the runner reads it). */
function githubEscape(value) {
    return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** GitHub's command property escaping: the data's, and `:` and `,`, which end a property. */
function githubPropertyEscape(value) {
    return githubEscape(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
/** A workflow command, `::name k=v,k=v::data`, as @actions/core writes it (without the line end). */
function githubCommand(name, properties, data) {
    const pairs = Object.entries(properties)
        .filter(([, value]) => value !== '')
        .map(([key, value]) => `${key}=${githubPropertyEscape(value)}`)
        .join(',');
    return `::${name}${pairs ? ` ${pairs}` : ''}::${githubEscape(data)}`;
}
/**
 * Azure Pipelines logging-command escaping of a value, as the agent's CommandStringConvertor reads
 * it back: `%` first (as %AZP25), so that the other escapes are read back as themselves.
 */
function azureEscape(value) {
    return value.replace(/%/g, '%AZP25').replace(/;/g, '%3B').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/]/g, '%5D');
}

;// CONCATENATED MODULE: ./src/azure/logging-commands.js
// The Azure Pipelines agent's logging commands (`##vso[area.event k=v;...]data`), the task's only
// way to talk to the agent: no azure-pipelines-task-lib at run time. Every property value and every
// data part passes through azureEscape, so no value can end the line, a property or the command.
// Text for people (info, warnings, errors) passes through printable first, so that a server's text
// can never become a command of its own.


/** `##vso[name k=v;...]data`; a property whose value is empty is left out, as the agent ignores it. */
function loggingCommand(name, properties, data) {
    const pairs = Object.entries(properties)
        .filter(([, value]) => value !== '')
        .map(([key, value]) => `${key}=${azureEscape(value)};`)
        .join('');
    return `##vso[${name}${pairs ? ` ${pairs}` : ''}]${azureEscape(data)}\n`;
}
function loggingCommands(write) {
    const command = (name, properties, data) => write(loggingCommand(name, properties, data));
    return {
        setSecret: (value) => {
            if (value)
                command('task.setsecret', {}, value);
        },
        setVariable: (name, value, { secret, output }) => command('task.setvariable', { variable: name, isOutput: String(output), issecret: String(secret) }, value),
        setTaskVariable: (name, value, { secret }) => command('task.settaskvariable', { variable: name, issecret: String(secret) }, value),
        prependPath: (folder) => command('task.prependpath', {}, folder),
        info: (message) => write(`${printable(message)}\n`),
        debug: (message) => command('task.debug', {}, printable(message)),
        warning: (message) => command('task.logissue', { type: 'warning' }, printable(message)),
        fail: (message, code) => {
            command('task.logissue', { type: 'error', code }, `[${code}] ${printable(message)}`);
            command('task.complete', { result: 'Failed' }, '');
        },
    };
}

;// CONCATENATED MODULE: ./src/ci/saved-state.js
// What a front end that starts the token agent saves for its post step (the action's state, the
// Azure task's task variables), under the same names in both; each CI's `savedVariable` says in
// which variable the post step finds them.
const SAVED_AGENT = {
    pid: 'agent_pid',
    sock: 'agent_sock',
    /** The folders made (the command folder, the socket folder), as a JSON array, for the post step to remove. */
    folders: 'agent_folders',
};
/** The saved values, read back by the name each CI gives them (its `savedVariable`). */
function readSavedAgent(read) {
    return { pid: read(SAVED_AGENT.pid), sock: read(SAVED_AGENT.sock), folders: read(SAVED_AGENT.folders) };
}

;// CONCATENATED MODULE: ./src/ci/systems.js
// What each CI system defines, one row per system: how to tell that a process runs in it, its log
// commands (the masking line, the warning and error line), its temporary folder and the rule for
// that folder inside a job container, its process-tracking variables, and how it names a step's
// inputs and the values a step saves for its post step. The front ends read this table; the core
// and the agent know nothing of it (the agent gets a temp base and the variables to keep).

/** GitHub's runner and the Azure Pipelines agent mount the host's work folder at /__w in a job container. */
const underWorkMount = (folder) => /^\/__w(\/|$)/.test(folder);
const never = (_folder) => false;
const GITHUB_ACTIONS = {
    title: 'GitHub Actions',
    detect: (env) => env.GITHUB_ACTIONS === 'true',
    // The runner reads workflow commands on stdout and stderr.
    maskLine: (value) => `::add-mask::${githubEscape(value)}\n`,
    tempVariable: 'RUNNER_TEMP',
    isContainerTemp: underWorkMount,
    trackingVariables: ['RUNNER_TRACKING_ID'],
    // INPUT_<NAME>: upper case, spaces as _, hyphens kept.
    inputVariable: (name) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`,
    savedVariable: (name) => `STATE_${name}`,
};
const AZURE_PIPELINES = {
    title: 'Azure Pipelines',
    detect: (env) => Boolean(env.TF_BUILD),
    maskLine: (value) => `##vso[task.setsecret]${azureEscape(value)}\n`,
    issueLine: (level, text, code) => `##vso[task.logissue type=${level}${code ? `;code=${azureEscape(code)}` : ''}]${azureEscape(text)}\n`,
    tempVariable: 'AGENT_TEMPDIRECTORY',
    isContainerTemp: underWorkMount,
    trackingVariables: ['VSTS_PROCESS_LOOKUP_ID'],
    // INPUT_<NAME>: upper case, `.` and space as _.
    inputVariable: (name) => `INPUT_${name.replace(/[. ]/g, '_').toUpperCase()}`,
    // A task variable (`task.settaskvariable`) reaches the task's later steps as VSTS_TASKVARIABLE_<NAME>.
    savedVariable: (name) => `VSTS_TASKVARIABLE_${name.toUpperCase()}`,
};
const JENKINS = {
    title: 'Jenkins',
    detect: (env) => Boolean(env.JENKINS_URL),
    isContainerTemp: never,
    // ProcessTreeKiller: BUILD_ID, and JENKINS_NODE_COOKIE in pipelines.
    trackingVariables: ['BUILD_ID', 'JENKINS_NODE_COOKIE'],
};
const GITLAB = {
    title: 'GitLab CI/CD',
    detect: (env) => env.GITLAB_CI === 'true',
    isContainerTemp: never,
    trackingVariables: [],
};
const NO_CI = {
    title: 'no CI system',
    detect: () => true,
    isContainerTemp: never,
    trackingVariables: [],
};
/** In the order they are tried: the first that detects itself is the one a process runs in. */
const CI_SYSTEMS = [GITHUB_ACTIONS, AZURE_PIPELINES, JENKINS, GITLAB, NO_CI];
/** The first CI system `env` describes that defines `feature` (GitHub's masking before Azure's). */
function ciWith(env, feature) {
    return CI_SYSTEMS.find((system) => system[feature] !== undefined && system.detect(env))?.[feature];
}

;// CONCATENATED MODULE: ./src/azure/post.js
// The task's post-job step (postjobexecution, which the agent runs at the end of every job, also
// after a failure or a cancel): stops the token agent that the task started, read back from the
// task variables it set, and removes the folders it made. Without them, there is nothing to do
// and it returns at once.




/** The post-job step; a failure is a warning (the job's result is the task's), never throws. */
async function run(deps) {
    // What the task saved as task variables (`task.settaskvariable`), which only its later steps see.
    const saved = readSavedAgent((name) => deps.env[AZURE_PIPELINES.savedVariable(name)]);
    await stopSavedAgent(saved, deps, loggingCommands(deps.stdout));
}

;// CONCATENATED MODULE: ./src/entries/azure-post.js
// The Azure DevOps task's post-job step (azure-devops/CheckmarxAuth/dist/post/index.js).

const stdout = (text) => void process.stdout.write(text);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
void run({ env: process.env, stdout, now: Date.now, sleep });

module.exports = __webpack_exports__;
/******/ })()
;