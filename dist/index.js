/******/ (() => { // webpackBootstrap
/******/ 	"use strict";
/******/ 	var __webpack_modules__ = ({});
/************************************************************************/
/******/ 	// The module cache
/******/ 	var __webpack_module_cache__ = {};
/******/ 	
/******/ 	// The require function
/******/ 	function __nccwpck_require__(moduleId) {
/******/ 		// Check if module is in cache
/******/ 		var cachedModule = __webpack_module_cache__[moduleId];
/******/ 		if (cachedModule !== undefined) {
/******/ 			return cachedModule.exports;
/******/ 		}
/******/ 		// Create a new module (and put it into the cache)
/******/ 		var module = __webpack_module_cache__[moduleId] = {
/******/ 			// no module.id needed
/******/ 			// no module.loaded needed
/******/ 			exports: {}
/******/ 		};
/******/ 	
/******/ 		// Execute the module function
/******/ 		var threw = true;
/******/ 		try {
/******/ 			__webpack_modules__[moduleId](module, module.exports, __nccwpck_require__);
/******/ 			threw = false;
/******/ 		} finally {
/******/ 			if(threw) delete __webpack_module_cache__[moduleId];
/******/ 		}
/******/ 	
/******/ 		// Return the exports of the module
/******/ 		return module.exports;
/******/ 	}
/******/ 	
/************************************************************************/
/******/ 	/* webpack/runtime/asset-relocator-loader */
/******/ 	if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = __dirname + "/";
/******/ 	
/******/ 	/* webpack/runtime/create fake namespace object */
/******/ 	(() => {
/******/ 		var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 		var leafPrototypes;
/******/ 		// create a fake namespace object
/******/ 		// mode & 1: value is a module id, require it
/******/ 		// mode & 2: merge all properties of value into the ns
/******/ 		// mode & 4: return value when already ns object
/******/ 		// mode & 16: return value when it's Promise-like
/******/ 		// mode & 8|1: behave like require
/******/ 		__nccwpck_require__.t = function(value, mode) {
/******/ 			if(mode & 1) value = this(value);
/******/ 			if(mode & 8) return value;
/******/ 			if(typeof value === 'object' && value) {
/******/ 				if((mode & 4) && value.__esModule) return value;
/******/ 				if((mode & 16) && typeof value.then === 'function') return value;
/******/ 			}
/******/ 			var ns = Object.create(null);
/******/ 			__nccwpck_require__.r(ns);
/******/ 			var def = {};
/******/ 			leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 			for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 				Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 			}
/******/ 			def['default'] = () => (value);
/******/ 			__nccwpck_require__.d(ns, def);
/******/ 			return ns;
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/define property getters */
/******/ 	(() => {
/******/ 		// define getter functions for harmony exports
/******/ 		__nccwpck_require__.d = (exports, definition) => {
/******/ 			for(var key in definition) {
/******/ 				if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 					Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 				}
/******/ 			}
/******/ 		};
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/hasOwnProperty shorthand */
/******/ 	(() => {
/******/ 		__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ 	})();
/******/ 	
/******/ 	/* webpack/runtime/make namespace object */
/******/ 	(() => {
/******/ 		// define __esModule on exports
/******/ 		__nccwpck_require__.r = (exports) => {
/******/ 			if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 				Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 			}
/******/ 			Object.defineProperty(exports, '__esModule', { value: true });
/******/ 		};
/******/ 	})();
/******/ 	
/************************************************************************/
var __webpack_exports__ = {};

;// CONCATENATED MODULE: external "node:os"
const external_node_os_namespaceObject = require("node:os");
;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = require("node:path");
var external_node_path_namespaceObject_0 = /*#__PURE__*/__nccwpck_require__.t(external_node_path_namespaceObject, 2);
;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = require("node:fs");
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

;// CONCATENATED MODULE: ./src/core/variable-names.js
// The tool's own environment variable names (CX_AUTH_SOCK), and the names no token may be exported as.
/** Where the token agent listens and its key: `<address>#<key>`. */
const variable_names_SOCK_VARIABLE = 'CX_AUTH_SOCK';
/** Names a runner, a shell or Node acts on, and this tool's own variables: exporting the token there would hurt. */
const RESERVED_NAMES = ['PATH', 'HOME', 'SHELL', 'ENV', 'BASH_ENV', 'NODE_OPTIONS', 'NODE_PATH', variable_names_SOCK_VARIABLE];
const RESERVED_PREFIXES = ['GITHUB_', 'RUNNER_', 'ACTIONS_', 'LD_', 'DYLD_'];

;// CONCATENATED MODULE: ./src/core/run-time-secrets.js
// Secrets the tool makes at run time, declared once, as the input secrets are (`secret: true` in
// INPUTS): the access token, the refresh token, the agent key, CX_AUTH_SOCK (which holds the
// key), the key of exec's loopback token endpoint, and a sealed job's phantoms and job key. Every
// front end registers them with the log's masking before it prints, exports or saves them, and
// sets them as secret variables (Azure's issecret=true): both follow from this table.

const RUN_TIME_SECRETS = {
    accessToken: 'the access token',
    refreshToken: 'the refresh token',
    agentKey: 'the token agent key',
    authSock: variable_names_SOCK_VARIABLE,
    execKey: "the one-time key of exec's token endpoint",
    phantom: "a sealed job's phantom access token",
    jobKey: "the key of a sealed job's credential",
};
function isRunTimeSecret(field) {
    return Object.hasOwn(RUN_TIME_SECRETS, field);
}
/** The run-time secrets among `values`' fields, in declaration order; other fields are ignored. */
function runTimeSecretValues(values) {
    return Object.keys(RUN_TIME_SECRETS).map((name) => values[name]).filter((v) => Boolean(v));
}
/**
 * The variables the tool sets whose value is a run-time secret, besides the token's env-name. A
 * sealed job's variables say which of them is secret themselves (core/sealed-job.ts).
 */
const SECRET_VARIABLES = [RUN_TIME_SECRETS.authSock];
const isSecretVariable = (name) => SECRET_VARIABLES.includes(name);

;// CONCATENATED MODULE: ./src/core/quoting.js
// Quoting a value so that a shell reads it back exactly: for the formats and the agent's command.
/** Single quotes keep everything literal in sh, bash and zsh; a quote itself is closed, escaped, reopened. */
function shellQuote(value) {
    return `'${value.replace(/'/g, `'\\''`)}'`;
}
/**
 * A PowerShell single-quoted string keeps everything literal (`$`, backticks, newlines, `;`) except
 * the single quote, which is doubled. PowerShell also reads the typographic quotes U+2018 to U+201B
 * as single quotes, so they are doubled too (as PowerShell's own CodeGeneration does).
 */
function powershellQuote(value) {
    return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, '$&$&')}'`;
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
const products_PRODUCTS = {
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
const PRODUCT_NAMES = Object.keys(products_PRODUCTS);
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
function randomBytes(size, device = DEVICE) {
    let fd;
    try {
        fd = (0,external_node_fs_namespaceObject.openSync)(device, 'r');
    }
    catch {
        return builtins_builtin('node:crypto').randomBytes(size);
    }
    try {
        const bytes = Buffer.alloc(size);
        for (let filled = 0; filled < size;) {
            const read = (0,external_node_fs_namespaceObject.readSync)(fd, bytes, filled, size - filled, null);
            if (read === 0)
                throw new Error(`${device} ended after ${filled} of ${size} bytes`);
            filled += read;
        }
        return bytes;
    }
    finally {
        (0,external_node_fs_namespaceObject.closeSync)(fd);
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
        throw new AgentError('agent/bad-sock', `${SOCK_VARIABLE} is not '<address>#<key>' as start-agent or the action's agent input print it.`);
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
    const known = typeof product === 'string' && Object.hasOwn(products_PRODUCTS, product);
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

;// CONCATENATED MODULE: ./src/agent/command-folder.js
// The `checkmarx-auth` command that a front end puts on later steps' PATH once it started the
// agent: sh and cmd wrappers that run the bundled CLI on the CI's own Node, so later steps need
// no install.





/** The variable that names node for checkmarx-auth.cmd where no ASCII path reaches it. */
const NODE_VARIABLE = 'CX_AUTH_NODE';
/** The copy of the CLI bundle in the command folder, where no ASCII path reaches the original. */
const CLI_COPY = 'checkmarx-auth.cjs';
/**
 * The sh and cmd wrappers, written in `folder`, that run `cli` with `node`. `paths` is the
 * platform's path module (path.win32 to see what a Windows runner gets).
 *
 * cmd reads a batch file in the console's OEM code page, so the cmd wrapper is pure ASCII:
 * `C:\a\Jürgen` written in UTF-8 would reach node as `C:\a\J├╝rgen`. Each path is given, in this
 * order of preference: relative to the script's own folder, `%~dp0`, which cmd expands in Unicode
 * (the non-ASCII part the two paths share drops out); absolute, if that is ASCII; else through
 * what cmd also reads in Unicode: node through the variable CX_AUTH_NODE, which the front end sets
 * for later steps, and the CLI through a copy of its bundle beside the wrapper (another drive, a
 * ref or a workspace folder with non-ASCII letters that the CI's temp folder does not share).
 */
function commandScripts(node, cli, folder, paths = external_node_path_namespaceObject_0) {
    const nodeWord = cmdPath(node, folder, paths);
    const cliWord = cmdPath(cli, folder, paths);
    return {
        sh: `#!/bin/sh\nexec ${shellQuote(node)} ${shellQuote(cli)} "$@"\n`,
        cmd: `@"${nodeWord ?? `%${NODE_VARIABLE}%`}" "${cliWord ?? `%~dp0${CLI_COPY}`}" %*\r\n`,
        copyCli: cliWord === undefined,
        variables: nodeWord === undefined ? { [NODE_VARIABLE]: node } : {},
    };
}
const isAscii = (text) => /^[\x20-\x7e]*$/.test(text);
/**
 * A path as a batch file may spell it in ASCII, or undefined. A `%` is doubled (a batch file reads
 * `%x%` as a variable); `&`, `^`, spaces and parentheses are literal inside the double quotes.
 */
function cmdPath(target, folder, paths) {
    const relative = paths.relative(folder, target).split(paths.sep).join('\\');
    const escaped = (text) => text.replace(/%/g, '%%');
    if (!paths.isAbsolute(relative) && isAscii(relative))
        return `%~dp0${escaped(relative)}`;
    return isAscii(target) ? escaped(target) : undefined;
}
/**
 * A new folder under `base` holding `checkmarx-auth` and `checkmarx-auth.cmd` (and a copy of the
 * CLI bundle where the cmd wrapper needs one); returns its path and the variables later steps
 * need, or leaves nothing.
 */
function writeCommandFolder(base, node, cli) {
    let folder;
    try {
        folder = (0,external_node_fs_namespaceObject.mkdtempSync)(external_node_path_namespaceObject.join(base, COMMAND_FOLDER_PREFIX));
    }
    catch (error) {
        throw new errors_AgentError('agent/start-failed', `The token agent did not start: cannot make its command folder under ${base} (${error.code}).`, { cause: error });
    }
    try {
        const scripts = commandScripts(node, cli, folder);
        (0,external_node_fs_namespaceObject.writeFileSync)(external_node_path_namespaceObject.join(folder, 'checkmarx-auth'), scripts.sh, { mode: 0o755 });
        (0,external_node_fs_namespaceObject.writeFileSync)(external_node_path_namespaceObject.join(folder, 'checkmarx-auth.cmd'), scripts.cmd);
        if (scripts.copyCli)
            (0,external_node_fs_namespaceObject.copyFileSync)(cli, external_node_path_namespaceObject.join(folder, CLI_COPY));
        return { folder, variables: scripts.variables };
    }
    catch (error) {
        (0,external_node_fs_namespaceObject.rmSync)(folder, { recursive: true, force: true });
        throw error;
    }
}

;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = require("node:net");
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
        super('agent/not-running', `No token agent is running at ${address} (from ${variable_names_SOCK_VARIABLE}): it was stopped, or it belongs to another job. Start one with 'checkmarx-auth start-agent' or the action's agent input.`);
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
            ? `The token agent at ${address} (from ${variable_names_SOCK_VARIABLE}) acknowledged the request, then said nothing for ${silenceMs / 1000} s: it is stopped or frozen.`
            : `The token agent at ${address} (from ${variable_names_SOCK_VARIABLE}) did not acknowledge the request within ${ackMs / 1000} s: it is stopped or frozen, or what listens there is not a token agent.`)));
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

;// CONCATENATED MODULE: ./src/agent/launch.js
// Starts the token agent: a detached node process with a clean environment, its settings written
// to its stdin, so that the credentials are in no command line, environment block or file. It
// inherits no stdio and no other descriptor of the process that started it: a CI runner, or a
// reader downstream of a shell's `exec 30>&1`, waits for every holder of a pipe's write end.






// Loaded when an agent starts, not at start-up: the CLI needs node:os for nothing else.
const tmpdir = () => builtins_builtin('node:os').tmpdir();
const READY_DEADLINE_MS = 10_000;
/** sun_path holds 108 bytes on Linux, 104 on macOS, with a terminating NUL. */
const MAX_SOCKET_PATH_BYTES = 103;
/**
 * V8 flags that keep the agent small and flat for the whole job (BENCHMARKS.md). Its growth was
 * V8's, not the agent's objects: a young generation that grows to 16 MB (`--max-semi-space-size=1`,
 * in MB), GC and compiler threads (`--single-threaded`, `--v8-pool-size=1`), and optimized code
 * and feedback. An agent that only serves tokens now and then runs in the interpreter
 * (`--lite-mode`); one that forwards a sealed job's API traffic (the facade) needs the compilers
 * for its latency and throughput. Node 20's V8 (the Azure task) knows every flag.
 */
const AGENT_NODE_FLAGS = {
    tokens: ['--lite-mode', '--max-semi-space-size=1', '--single-threaded', '--v8-pool-size=1'],
    facade: ['--max-semi-space-size=1', '--single-threaded', '--v8-pool-size=1'],
};
/** Descriptors above this are left alone (a process rarely has more open). */
const MAX_INHERITED_FD = 4096;
function socketPathFits(path) {
    return Buffer.byteLength(path) <= MAX_SOCKET_PATH_BYTES;
}
/** Where the agent listens: a random named pipe on Windows, else a socket in a new 0700 folder. */
function agentAddress(platform, tempBase) {
    if (platform === 'win32')
        return { address: `\\\\.\\pipe\\checkmarx-auth-${builtins_builtin('node:crypto').randomBytes(16).toString('hex')}` };
    const bases = [tempBase, tmpdir(), '/tmp'].filter((base) => Boolean(base));
    for (const base of bases) {
        let folder;
        try {
            folder = (0,external_node_fs_namespaceObject.mkdtempSync)((0,external_node_path_namespaceObject.join)(base, SOCKET_FOLDER_PREFIX));
        }
        catch {
            continue;
        }
        (0,external_node_fs_namespaceObject.chmodSync)(folder, 0o700);
        const address = (0,external_node_path_namespaceObject.join)(folder, 'agent.sock');
        if (socketPathFits(address))
            return { address, folder };
        (0,external_node_fs_namespaceObject.rmSync)(folder, { recursive: true, force: true });
    }
    throw new errors_AgentError('agent/start-failed', 'The token agent cannot start: no temporary folder gives a socket path short enough.');
}
async function startAgent(launch) {
    if (launch.signal?.aborted)
        throw cancelled();
    const { address, folder } = agentAddress(process.platform, launch.tempBase);
    const settings = {
        plan: launch.settings.plan,
        transport: launch.settings.transport,
        address,
        key: launch.key,
        ...(folder ? { folder } : {}),
        ...(launch.watch ? { watch: launch.watch } : {}),
        first: agentToken(launch.first),
        ageMs: Math.max(0, performance.now() - launch.arrivedAt),
        ...(launch.settings.sealed ? { sealed: { readOnly: launch.settings.readOnly } } : {}),
    };
    // Loaded here, not at start-up: only a run that starts an agent needs it.
    const { spawn } = builtins_builtin('node:child_process');
    const nullFd = process.platform === 'win32' ? undefined : (0,external_node_fs_namespaceObject.openSync)('/dev/null', 'r');
    let child;
    try {
        child = spawn(process.execPath, [...AGENT_NODE_FLAGS[launch.settings.sealed ? 'facade' : 'tokens'], launch.entry, AGENT_VERB], {
            detached: true,
            windowsHide: true,
            stdio: agentStdio(nullFd),
            env: { ...launch.environment },
            cwd: tmpdir(),
        });
    }
    finally {
        if (nullFd !== undefined)
            (0,external_node_fs_namespaceObject.closeSync)(nullFd);
    }
    const abandon = () => {
        child.kill('SIGKILL');
        if (folder)
            (0,external_node_fs_namespaceObject.rmSync)(folder, { recursive: true, force: true });
    };
    child.stdin.on('error', () => { });
    child.stdin.end(JSON.stringify(settings));
    try {
        await waitUntilReady(child, launch.signal);
        const sealed = launch.settings.sealed ? await firstPhantom(address, launch.key) : undefined;
        return { address, pid: child.pid, ...(folder ? { folder } : {}), abandon, ...(sealed ? { sealed } : {}) };
    }
    catch (error) {
        abandon();
        throw error;
    }
    finally {
        child.stdout.destroy();
        child.stdin.destroy();
        child.unref();
    }
}
/**
 * stdin and stdout are pipes for the start-up only; every other descriptor the starting process
 * has open (one a shell opened with `exec 30>&1`, which the process inherited and holds without
 * close-on-exec) becomes /dev/null in the agent, so nothing downstream waits for the agent.
 * Node's own descriptors are close-on-exec and would not be inherited anyway. Windows passes a
 * child only the handles it is given.
 */
function agentStdio(nullFd) {
    const stdio = ['pipe', 'pipe', 'ignore'];
    if (nullFd === undefined)
        return stdio;
    for (const fd of openDescriptors()) {
        if (fd < 3 || fd > MAX_INHERITED_FD)
            continue;
        while (stdio.length < fd)
            stdio.push('ignore');
        stdio[fd] = nullFd;
    }
    return stdio;
}
/** The descriptors this process has open (Linux /proc/self/fd, macOS /dev/fd). */
function openDescriptors() {
    for (const dir of ['/proc/self/fd', '/dev/fd']) {
        try {
            return (0,external_node_fs_namespaceObject.readdirSync)(dir)
                .filter((name) => /^\d+$/.test(name))
                .map(Number);
        }
        catch {
            // not this system's way
        }
    }
    return [];
}
/** A sealed agent's first answer: the phantom for the token the launcher got, and the facade it serves. */
async function firstPhantom(address, key) {
    const answer = await askAgent(address, { key, op: 'token', minValidity: 0 }, READY_DEADLINE_MS);
    if (!answer.ok || !('result' in answer) || !answer.sealed) {
        throw new errors_AgentError('agent/start-failed', 'The token agent did not start (its facade did not answer as a sealed agent does).');
    }
    return { token: answer.result, job: answer.sealed };
}
const cancelled = () => new errors_AgentError('agent/cancelled', 'The token agent did not start: the step was cancelled.');
function waitUntilReady(child, signal) {
    const failed = (why) => new errors_AgentError('agent/start-failed', `The token agent did not start (${why}).`);
    return new Promise((resolve, reject) => {
        let said = '';
        const timer = setTimeout(() => settle(failed(`no answer within ${READY_DEADLINE_MS / 1000} s`)), READY_DEADLINE_MS);
        const onAbort = () => settle(cancelled());
        signal?.addEventListener('abort', onAbort, { once: true });
        function settle(error) {
            clearTimeout(timer);
            signal?.removeEventListener('abort', onAbort);
            child.removeAllListeners('exit');
            if (error)
                reject(error);
            else
                resolve();
        }
        child.stdout.setEncoding('utf8').on('data', (chunk) => {
            said += chunk;
            if (said.includes('\n'))
                settle(said.startsWith(`${READY_LINE}\n`) ? undefined : failed('it said something unexpected'));
        });
        child.once('error', (error) => settle(failed(error.code ?? 'spawn failed')));
        child.once('exit', (code) => settle(failed(`it exited with code ${code}`)));
    });
}

;// CONCATENATED MODULE: ./src/agent/job-agent.js
// Starting the agent for a CI job (the action's `agent: true`, the Azure task's), all or nothing:
// once the agent runs, a failure while the front end hands it to the job (state, variables,
// PATH) or a cancellation of the step (SIGINT, SIGTERM) stops it and removes what was made,
// before the step fails.







/**
 * The CI's temporary folder, which the agent's folders go under: a missing one, or a file, is an
 * input error naming the variable, found before the exchange.
 */
function checkedFolder(variable, path) {
    let isFolder;
    try {
        isFolder = (0,external_node_fs_namespaceObject.statSync)(path).isDirectory();
    }
    catch {
        throw new InputError('agent', `needs ${variable} to be a folder; '${path}' does not exist.`, { code: 'input/runner' });
    }
    if (!isFolder)
        throw new InputError('agent', `needs ${variable} to be a folder; '${path}' is not a folder.`, { code: 'input/runner' });
    return path;
}
async function startJobAgent(start) {
    const key = newKey();
    runTimeSecretValues({ agentKey: key }).forEach(start.mask);
    const cancel = new AbortController();
    const onSignal = () => cancel.abort();
    process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
    let commandFolder;
    let agent;
    try {
        const command = writeCommandFolder(start.base, process.execPath, start.entry);
        commandFolder = command.folder;
        const { entry, settings, first, arrivedAt, environment, base } = start;
        const launch = { entry, settings, first, arrivedAt, key, tempBase: base, environment };
        agent = await startAgent({ ...launch, watch: commandFolder, signal: cancel.signal });
        const sock = formatSock(agent.address, key);
        const { sealed } = agent;
        runTimeSecretValues({ authSock: sock, phantom: sealed?.token.accessToken, jobKey: sealed?.job.jobKey }).forEach(start.mask);
        const folders = [commandFolder, ...(agent.folder ? [agent.folder] : [])];
        // A signal that came after the start-up wait. publish is synchronous: none can come during it,
        // so what it writes (the token last) is written only for a start that stands.
        if (cancel.signal.aborted)
            throw new errors_AgentError('agent/cancelled', `The token agent was stopped: ${start.stepWord} was cancelled.`);
        start.publish({ sock, pid: agent.pid, commandFolder, folders, variables: command.variables, ...(sealed ? { sealed } : {}) });
    }
    catch (error) {
        agent?.abandon();
        if (commandFolder)
            (0,external_node_fs_namespaceObject.rmSync)(commandFolder, { recursive: true, force: true });
        throw error;
    }
    finally {
        process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
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
const systems_CI_SYSTEMS = [GITHUB_ACTIONS, AZURE_PIPELINES, JENKINS, GITLAB, NO_CI];
/** The first CI system `env` describes that defines `feature` (GitHub's masking before Azure's). */
function ciWith(env, feature) {
    return systems_CI_SYSTEMS.find((system) => system[feature] !== undefined && system.detect(env))?.[feature];
}

;// CONCATENATED MODULE: ./src/ci/agent-environment.js
// What the token agent needs of its CI's environment, which the front ends work out and pass to
// the agent as arguments: the folder its socket goes under, and the variables it keeps.

/** Not secrets, and read by Node or Windows at start-up, so they must be in the environment itself. */
const SYSTEM_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'windir'];
/**
 * Every CI's process-tracking variables: its end-of-job cleanup stops every process whose
 * environment holds the job's value, so the agent keeps them whichever CI this is.
 */
const trackingVariables = () => systems_CI_SYSTEMS.flatMap((system) => system.trackingVariables);
/** The variables the agent's clean environment keeps, with their values in `env`. */
function keptVariables(env) {
    const kept = {};
    for (const name of [...SYSTEM_VARIABLES, ...trackingVariables()]) {
        const value = env[name];
        if (value)
            kept[name] = value;
    }
    return kept;
}
/**
 * The CI's temporary folder for the agent's folders, when `system` names one that is set and not
 * the host's folder mounted into a job container; else undefined (the system's own temp folder).
 */
function ciTempFolder(system, env) {
    const folder = system.tempVariable ? env[system.tempVariable] : undefined;
    return folder && !system.isContainerTemp(folder) ? folder : undefined;
}
/** For a process that does not know its CI (the CLI): the first CI temp folder that is set. */
function anyCiTempFolder(env) {
    return CI_SYSTEMS.map((system) => ciTempFolder(system, env)).find(Boolean);
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

;// CONCATENATED MODULE: ./src/core/did-you-mean.js
// Suggestions for a near-miss name (`cxsast`, `checkmarx-one`, `sast_odata`, `eu-1`): compared
// without case, punctuation or a `checkmarx` / `cx` prefix, then by edit distance.
function normalise(name) {
    return name
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '')
        .replace(/^(checkmarx|cx)(?=.)/, '');
}
/** The candidate the value most likely meant, if any is close enough. */
function didYouMean(value, candidates) {
    const wanted = normalise(value);
    let best;
    for (const name of candidates) {
        const distance = editDistance(wanted, normalise(name));
        if (!best || distance < best.distance)
            best = { name, distance };
    }
    const allowed = wanted.length <= 3 ? 1 : 2;
    return best && best.distance <= allowed ? best.name : undefined;
}
/** `'x' is not one of: a, b, c.`, with a suggestion when one is close. */
function notOneOf(value, candidates) {
    const suggestion = didYouMean(value, candidates);
    return `'${value}' is not one of: ${candidates.join(', ')}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}`;
}
function editDistance(a, b) {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

;// CONCATENATED MODULE: ./src/core/jwt.js
// Reads a JWT's claims without verifying the signature: the claims only tell us where to send the
// key and which client it belongs to; the IAM server is what verifies it.

function decodeJwtClaims(token) {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts[1])
        return undefined;
    return json_parseJsonObject(Buffer.from(parts[1], 'base64url').toString('utf8'));
}
function stringClaim(claims, name) {
    const value = claims?.[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
}

;// CONCATENATED MODULE: ./src/core/endpoints.js
// Where each product's token endpoint and API live, derived from the inputs. One locator per kind
// of hosting; the hosting table (hostings.ts) says which applies.




/** The inputs a self-hosted endpoint needs and the values lack (hostings.ts runs these before any locator). */
function needsOfSelfHosted(values) {
    return values['server-url'] || values['token-url'] ? [] : [{ input: 'server-url', note: 'e.g. https://cx.example.com' }];
}
function needsOfSca(values) {
    return values.tenant ? [] : [{ input: 'tenant', note: 'your SCA tenant account name' }];
}
/** An API key or an iam-url may name the tenant; the locator checks those. */
function needsOfCxOne(values, grantType) {
    return grantType === 'refresh_token' || values.tenant || values['iam-url']
        ? []
        : [{ input: 'tenant', note: 'your Checkmarx One tenant' }];
}
function locateSelfHosted(profile, values) {
    const tokenPath = profile.tokenPath ?? '';
    const tokenUrl = values['token-url'] && parseHttpUrl('token-url', values['token-url']).href;
    const serverUrl = values['server-url'] && normalizeServerUrl(values['server-url']);
    const root = serverUrl ?? (tokenUrl && serverRootOf(tokenUrl, tokenPath));
    if (!root && !tokenUrl) {
        throw new InputError('server-url', `is required for product '${profile.name}' (e.g. https://cx.example.com).`, {
            code: 'input/missing',
        });
    }
    return {
        tokenUrl: tokenUrl || `${root}${tokenPath}`,
        apiUrl: root ? `${root}${profile.apiPath ?? ''}` : '',
    };
}
/** The server root of a URL that ends with the product's token path (any case). */
function serverRootOf(tokenUrl, tokenPath) {
    return tokenUrl.toLowerCase().endsWith(tokenPath.toLowerCase()) ? tokenUrl.slice(0, -tokenPath.length) : undefined;
}
/**
 * `https://cx.example.com`, with or without a trailing `/` or `/cxrestapi`, is one server; so is
 * the portal address users copy from the browser, `.../CxWebClient/...` with anything after it.
 */
function normalizeServerUrl(value) {
    const url = parseHttpUrl('server-url', value);
    const portal = /\/cxwebclient(\/|$)/i.exec(url.pathname);
    if (portal)
        return `${url.origin}${url.pathname.slice(0, portal.index)}`;
    if (url.search || url.hash)
        throw new InputError('server-url', 'must not have a query or fragment.');
    const path = url.pathname
        .replace(/\/+$/, '')
        .replace(/\/cxrestapi$/i, '')
        .replace(/\/+$/, '');
    return `${url.origin}${path}`;
}
function locateSca(profile, values) {
    const region = pickRegion(values, SCA_REGIONS);
    const tenant = values.tenant;
    if (!tenant)
        throw new InputError('tenant', `is required for product '${profile.name}': your SCA tenant account name.`, { code: 'input/missing' });
    return {
        tokenUrl: explicitUrl(values, 'token-url') ?? region.tokenUrl,
        apiUrl: region.apiUrl,
        tenant,
    };
}
function locateCxOne(_profile, values, grantType) {
    const apiKey = grantType === 'refresh_token' ? values['api-key'] : undefined;
    const claims = apiKey ? decodeJwtClaims(apiKey) : undefined;
    const keyRealm = realmOfClaims(claims);
    const iamRealm = values['iam-url'] ? parseIamUrl(values['iam-url']) : undefined;
    if (apiKey && !keyRealm && !(values.tenant && (values.region || values['iam-url']))) {
        throw new InputError('api-key', 'is not a Checkmarx One API key that names its tenant (not a JWT with an aud or iss realm URL); give tenant and region or iam-url as well.');
    }
    const iamBase = iamRealm?.base ?? (values.region ? pickRegion(values, CXONE_REGIONS) : (keyRealm?.base ?? CXONE_REGIONS[DEFAULT_REGION]));
    const tenant = values.tenant ?? iamRealm?.tenant ?? keyRealm?.tenant;
    if (!tenant) {
        throw new InputError('tenant', "is required for product 'cxone' unless the API key names it: your Checkmarx One tenant.", {
            code: 'input/missing',
        });
    }
    checkRealmName(tenant, values.tenant ? 'tenant' : iamRealm?.tenant ? 'iam-url' : 'api-key');
    const explicitTokenUrl = explicitUrl(values, 'token-url');
    const credentialClientId = stringClaim(claims, 'azp');
    return {
        tokenUrl: explicitTokenUrl ?? `${iamBase}${realmTokenPath(tenant)}`,
        apiUrl: `${astHostOf(explicitTokenUrl ?? iamBase)}/api`,
        tenant,
        ...(credentialClientId ? { credentialClientId } : {}),
    };
}
const REALM_NAME = /^[A-Za-z0-9._-]{1,255}$/;
/** A Checkmarx One tenant is a Keycloak realm name, and a path segment: `..` would climb out of /realms/. */
function checkRealmName(tenant, input) {
    if (!REALM_NAME.test(tenant) || tenant === '.' || tenant === '..') {
        const shown = tenant.length > 60 ? `${tenant.slice(0, 60)}…` : tenant;
        throw new InputError(input, `the tenant '${shown}' is not a Checkmarx One tenant name: 1 to 255 letters, digits, '-', '_' or '.', and not '.' or '..'.`);
    }
}
const REALMS_PATH = '/auth/realms/';
/** Keycloak's path of a realm's token endpoint: `/auth/realms/{tenant}/protocol/openid-connect/token`. */
function realmTokenPath(tenant) {
    return `${REALMS_PATH}${encodeURIComponent(tenant)}/protocol/openid-connect/token`;
}
/** Keycloak's URL of a realm below an IAM base URL: `{base}/auth/realms/{tenant}`. */
function realmUrlOf(base, tenant) {
    return `${base}${REALMS_PATH}${encodeURIComponent(tenant)}`;
}
/** The realm URL an API key names: `aud` (a string or the array entry with a realm), else `iss`. */
function realmOfClaims(claims) {
    if (!claims)
        return undefined;
    const aud = claims.aud;
    const audiences = Array.isArray(aud) ? aud : [aud];
    const fromAud = audiences.find((a) => typeof a === 'string' && a.includes(REALMS_PATH));
    const iss = stringClaim(claims, 'iss');
    const realmUrl = fromAud ?? (iss?.includes(REALMS_PATH) ? iss : undefined);
    return realmUrl ? splitRealmUrl(realmUrl) : undefined;
}
function splitRealmUrl(realmUrl) {
    let url;
    try {
        url = new URL(realmUrl);
    }
    catch {
        return undefined;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
        return undefined;
    const at = url.pathname.indexOf(REALMS_PATH);
    const segment = url.pathname.slice(at + REALMS_PATH.length).split('/')[0] ?? '';
    let tenant;
    try {
        tenant = decodeURIComponent(segment);
    }
    catch {
        return undefined; // a malformed %-escape: not a realm URL
    }
    return { base: `${url.origin}${url.pathname.slice(0, at)}`, ...(tenant ? { tenant } : {}) };
}
/** Accepts the IAM base URL, with or without `/auth`, or a whole realm URL. */
function parseIamUrl(value) {
    const url = parseHttpUrl('iam-url', value);
    if (url.pathname.includes(REALMS_PATH)) {
        const realm = splitRealmUrl(url.href);
        if (!realm)
            throw new InputError('iam-url', `the realm in '${value}' is not a valid URL path segment; give the IAM base URL and tenant instead.`);
        return realm;
    }
    return { base: `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/auth$/i, '')}` };
}
/**
 * The API host that goes with an IAM or token URL: `https://eu.iam.checkmarx.net` →
 * `https://eu.ast.checkmarx.net`. A host with no `iam` label keeps its own origin: a private
 * endpoint never turns into Checkmarx's public one.
 */
function astHostOf(iamUrl) {
    const url = new URL(iamUrl);
    url.hostname = url.hostname.replace(/(^|\.)iam\./, '$1ast.');
    return url.origin;
}
function pickRegion(values, regions) {
    const given = (values.region ?? DEFAULT_REGION).toLowerCase();
    const name = Object.hasOwn(REGION_ALIASES, given) ? REGION_ALIASES[given] : given;
    // Own keys only: 'region: __proto__' must not find Object.prototype.
    const region = Object.hasOwn(regions, name) ? regions[name] : undefined;
    if (region === undefined)
        throw new InputError('region', notOneOf(values.region ?? '', Object.keys(regions)));
    return region;
}
function explicitUrl(values, name) {
    const value = values[name];
    return value === undefined ? undefined : parseHttpUrl(name, value).href;
}
function parseHttpUrl(input, value) {
    let url;
    try {
        url = new URL(value);
    }
    catch {
        throw new InputError(input, `'${value}' is not a URL; expected https://host[:port][/path].`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
        throw new InputError(input, `must be an https:// (or http://) URL, not ${url.protocol}`);
    }
    if (url.username || url.password) {
        throw new InputError(input, 'must not contain credentials; use the username and password inputs.');
    }
    return url;
}

;// CONCATENATED MODULE: ./src/core/hostings.js
// What differs between the kinds of hosting (self-hosted CxSAST, SCA's cloud, Checkmarx One), as
// data. How each locates its token endpoint and what that needs, the inputs it reads, the input a
// server URL fills, how it is pointed elsewhere, its regions, whether exec's child logs in through
// a loopback endpoint and whether its API key is a JWT; and what the sealed facade needs to stand
// in for the product on loopback: the token path it serves, the grant it takes from the job, the
// shape of its answer, the API paths it forwards, where the real API is, and the claims of a
// phantom token. The product table (products.ts) says which hosting a product has. Pure.


const KEYCLOAK_REALM_TOKEN = /^\/auth\/realms\/([^/]+)\/protocol\/openid-connect\/token$/;
/** Keycloak's realm token path for the tenant; the realm is compared without case (ast-cli lower-cases CX_TENANT). */
function isRealmTokenPath(path, tenant) {
    const match = KEYCLOAK_REALM_TOKEN.exec(path);
    if (!match || tenant === undefined)
        return false;
    try {
        return decodeURIComponent(match[1]).toLowerCase() === tenant.toLowerCase();
    }
    catch {
        return false;
    }
}
const startsWithAnyCase = (path, prefixes) => prefixes.some((prefix) => path.toLowerCase().startsWith(prefix));
/** IdentityServer's answer (CxSAST, Access Control, SCA). */
const identityServerAnswer = (token) => ({
    access_token: token.accessToken,
    expires_in: token.expiresIn,
    token_type: 'Bearer',
    ...(token.scope ? { scope: token.scope } : {}),
});
const IDENTITY_SERVER_REFUSAL = { status: 400, error: 'invalid_grant', description: 'invalid_username_or_password' };
const withoutSuffix = (url, suffix) => {
    const trimmed = url.replace(/\/+$/, '');
    return suffix && trimmed.toLowerCase().endsWith(suffix.toLowerCase()) ? trimmed.slice(0, -suffix.length) : trimmed;
};
const SCA_TOKEN_URLS = Object.fromEntries(Object.entries(SCA_REGIONS).map(([name, region]) => [name, region.tokenUrl]));
const regionNamed = (regions, matches) => (tokenUrl) => Object.entries(regions).find(([, url]) => matches(tokenUrl, url))?.[0];
/** What the self-hosted products' and SCA's tools take as the server (or authentication) URL, user and password. */
const SEALED_LOGIN_VARIABLES = {
    CX_SEALED_SERVER_URL: 'origin',
    CX_SEALED_USERNAME: 'jobName',
    CX_SEALED_PASSWORD: 'jobKey',
};
const SELF_HOSTED_TOKEN_PATH = '/cxrestapi/auth/identity/connect/token';
const SCA_TOKEN_PATH = '/identity/connect/token';
const HOSTINGS = {
    cxone: {
        locate: locateCxOne,
        needs: needsOfCxOne,
        uses: ['iam-url', 'region', 'tenant', 'token-url'],
        urlInput: 'iam-url',
        locatedBy: 'region or iam-url',
        regions: CXONE_REGIONS,
        regionOf: regionNamed(CXONE_REGIONS, (tokenUrl, iam) => tokenUrl.startsWith(`${iam}/`)),
        childLogin: true,
        apiKeyIsJwt: true,
        tokenPath: (tenant) => realmTokenPath(tenant ?? ''),
        isTokenPath: isRealmTokenPath,
        jobGrant: 'client_credentials',
        tenantInAcrValues: false,
        wrongCredential: { status: 401, error: 'invalid_client', description: 'Invalid client or Invalid client credentials' },
        answer: (token) => ({
            access_token: token.accessToken,
            expires_in: token.expiresIn,
            refresh_expires_in: 0,
            token_type: 'Bearer',
            'not-before-policy': 0,
            ...(token.scope ? { scope: token.scope } : {}),
        }),
        forwards: (path) => path.startsWith('/api/'),
        apiPath: '/api',
        // The ast-base-url host: the token's apiUrl is that URL + /api.
        upstreamBase: (apiUrl) => new URL(apiUrl).origin,
        phantomClaims: ({ origin, tenant = '', jobName }) => ({
            iss: `${origin}/auth/realms/${tenant}`,
            typ: 'Bearer',
            azp: jobName,
            tenant_name: tenant,
            'ast-base-url': origin,
        }),
        // What a plain `cx` reads: it logs in as the job client at the facade, with no flag.
        jobVariables: {
            CX_BASE_URI: 'origin',
            CX_BASE_AUTH_URI: 'origin',
            CX_TENANT: 'tenant',
            CX_CLIENT_ID: 'jobName',
            CX_CLIENT_SECRET: 'jobKey',
        },
    },
    'self-hosted': {
        locate: locateSelfHosted,
        needs: needsOfSelfHosted,
        uses: ['server-url', 'token-url'],
        urlInput: 'server-url',
        locatedBy: 'server-url',
        regions: {},
        regionOf: () => undefined,
        childLogin: false,
        apiKeyIsJwt: false,
        tokenPath: () => SELF_HOSTED_TOKEN_PATH,
        // IIS matches paths without case.
        isTokenPath: (path) => path.toLowerCase() === SELF_HOSTED_TOKEN_PATH,
        jobGrant: 'password',
        tenantInAcrValues: false,
        wrongCredential: IDENTITY_SERVER_REFUSAL,
        answer: identityServerAnswer,
        forwards: (path) => startsWithAnyCase(path, ['/cxrestapi/', '/cxwebinterface/odata/']),
        apiPath: '/cxrestapi',
        // The server root: the token's apiUrl is that root + the product's api path.
        upstreamBase: withoutSuffix,
        phantomClaims: ({ origin, jobName }) => ({ iss: `${origin}/cxrestapi/auth/identity`, sub: jobName }),
        jobVariables: SEALED_LOGIN_VARIABLES,
    },
    'sca-cloud': {
        locate: locateSca,
        needs: needsOfSca,
        uses: ['region', 'tenant', 'token-url'],
        locatedBy: 'region',
        regions: SCA_TOKEN_URLS,
        regionOf: regionNamed(SCA_TOKEN_URLS, (tokenUrl, url) => tokenUrl === url),
        childLogin: false,
        apiKeyIsJwt: false,
        tokenPath: () => SCA_TOKEN_PATH,
        isTokenPath: (path) => path.toLowerCase() === SCA_TOKEN_PATH,
        jobGrant: 'password',
        tenantInAcrValues: true,
        wrongCredential: IDENTITY_SERVER_REFUSAL,
        answer: identityServerAnswer,
        forwards: (path) => !startsWithAnyCase(path, ['/identity/']) && path !== '/identity',
        apiPath: '',
        // The API host itself.
        upstreamBase: (apiUrl) => withoutSuffix(apiUrl, ''),
        phantomClaims: ({ origin, tenant = '', jobName }) => ({ iss: `${origin}/identity`, sub: jobName, tenant }),
        jobVariables: SEALED_LOGIN_VARIABLES,
    },
};
function hostingOf(product) {
    return HOSTINGS[products_PRODUCTS[product].hosting];
}
/** The product's api path: its own (products.ts), else its hosting's. */
function apiPathOf(product) {
    return PRODUCTS[product].apiPath ?? hostingOf(product).apiPath;
}
/** A path with a `.` or `..` segment (also percent-encoded), which a server might resolve to another route. */
function hasDotSegment(path) {
    return /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path);
}

;// CONCATENATED MODULE: ./src/core/sealed-job.js
// A sealed job as its code sees it (SPEC "Sealed jobs"): the facts about the facade that stands in
// for the product on loopback, and the variables they become. One function for every front end:
// exec's child environment, start-agent's output in every --format, the action's GITHUB_ENV and
// the Azure task's variables. Which variables a product gets is a row of the hostings table. Pure.


const FACT_VALUE = {
    origin: (job) => job.origin,
    tenant: (job) => job.tenant,
    jobName: (job) => job.jobName,
    jobKey: (job) => job.jobKey,
};
/** The variables a sealed job's code gets besides the token variables (whose token is a phantom). */
function sealedVariables(job) {
    return Object.entries(hostingOf(job.product).jobVariables).flatMap(([name, fact]) => {
        const value = FACT_VALUE[fact](job);
        return value === undefined ? [] : [{ name, value, secret: isRunTimeSecret(fact) }];
    });
}

;// CONCATENATED MODULE: ./src/action/start-agent.js
// The action's `agent: true`: start the token agent, hand later steps CX_AUTH_SOCK and a
// `checkmarx-auth` command that runs the bundled CLI on the runner's own Node, and tell the post
// step what to stop.









/**
 * Where the action makes its folders: RUNNER_TEMP, or the container's own temp folder inside a job
 * container. Without RUNNER_TEMP, an input error (called before the exchange, so no agent starts).
 */
function baseFolder(env) {
    const variable = GITHUB_ACTIONS.tempVariable;
    const runnerTemp = env[variable];
    if (!runnerTemp)
        throw new InputError('agent', `needs ${variable}, which every GitHub runner sets; it is not set here.`, { code: 'input/runner' });
    return GITHUB_ACTIONS.isContainerTemp(runnerTemp) ? (0,external_node_os_namespaceObject.tmpdir)() : checkedFolder(variable, runnerTemp);
}
/**
 * All or nothing: once the agent runs, any failure (the state, GITHUB_ENV, GITHUB_PATH, the
 * command folder) or a cancellation of the step (SIGINT, SIGTERM) stops it and removes what was
 * made before the step fails.
 */
async function startActionAgent({ settings, first, arrivedAt, deps, workflow, handOver }) {
    // dist/index.js → dist/cli/index.js, by text: ncc would copy a path it can work out as an asset.
    const entry = (0,external_node_path_namespaceObject.resolve)(deps.scriptPath).replace(/index\.js$/, ['cli', 'index.js'].join(external_node_path_namespaceObject.sep));
    await startJobAgent({
        base: baseFolder(deps.env),
        entry,
        settings,
        first,
        arrivedAt,
        environment: keptVariables(deps.env),
        mask: workflow.setSecret,
        stepWord: 'the step',
        publish: ({ sock, pid, commandFolder, folders, variables, sealed }) => {
            workflow.saveState(SAVED_AGENT.folders, JSON.stringify(folders));
            workflow.saveState(SAVED_AGENT.pid, String(pid));
            workflow.saveState(SAVED_AGENT.sock, sock);
            workflow.addPath(commandFolder);
            // The outputs and the token, then CX_AUTH_SOCK, in the one write to GITHUB_ENV that comes last.
            // Sealed, the token is the phantom and the facade's variables come along (masked already).
            const facade = sealed ? sealedVariables(sealed.job).map(({ name, value }) => [name, value]) : [];
            handOver({
                ...(sealed ? { token: sealed.token } : {}),
                variables: [...Object.entries(variables), ...facade, [variable_names_SOCK_VARIABLE, sock]],
            });
        },
    });
    workflow.info(`Started the token agent: later steps run 'checkmarx-auth token' for a fresh token (${variable_names_SOCK_VARIABLE} names the agent).`);
}

;// CONCATENATED MODULE: ./src/core/inputs.js
// The inputs of the action and the flags of the CLI: one table, read from a source and then from
// the environment (`CX_` + upper snake case, plus the Checkmarx CLI's own names).
function input(name, description, extra = {}) {
    const upperSnake = `CX_${name.toUpperCase().replaceAll('-', '_')}`;
    return { name, description, ...extra, env: [upperSnake, ...(extra.env ?? [])] };
}
const INPUTS = [
    input('product', 'Checkmarx product: sast, sast-odata, access-control, sca or cxone (case-insensitive).', {
        required: true,
    }),
    input('grant-type', 'OAuth grant: password, refresh_token or client_credentials. Default: the first, in this order, whose credentials were given (sast, sast-odata, access-control: password, refresh_token with api-key, client_credentials; cxone: refresh_token with api-key, else client_credentials).'),
    input('server-url', 'CxSAST / Access Control server, e.g. https://cx.example.com (a trailing /, /cxrestapi or the portal address .../CxWebClient/... is fine). Required for sast, sast-odata and access-control.'),
    input('token-url', 'Full token endpoint URL; overrides the one derived from the product, server-url, region or iam-url.'),
    input('iam-url', 'Checkmarx One IAM base URL, e.g. https://eu.iam.checkmarx.net or a single-tenant host. Default: from the API key or region.', {
        env: ['CX_BASE_AUTH_URI'],
    }),
    input('region', 'SCA: us or eu. Checkmarx One: us, us2, eu, eu2, deu, anz, ind, ind2, sng, mea or il (also eu-2, ind-2, uae, gov-il). Default: from the API key or iam-url, else us.'),
    input('tenant', 'SCA tenant account (required for sca); Checkmarx One tenant (realm). Default for cxone: from the API key.'),
    input('username', 'User name for the password grant (sast, sast-odata, access-control, sca).'),
    input('password', 'Password for the password grant. Pass it from a secret.', { secret: true }),
    input('client-id', "OAuth client id; required for client_credentials. Default: per product and grant (CxSAST refresh_token: cli_client; cxone refresh_token: the API key's azp claim, else ast-app)."),
    input('client-secret', 'OAuth client secret; required for client_credentials. Default: per product (the published CxSAST client secrets for sast, sast-odata, access-control). Pass it from a secret.', {
        secret: true,
    }),
    input('scope', 'Space-separated scopes. Default: per product (none sent for cxone).'),
    input('api-key', "Checkmarx One API key, or for sast, sast-odata and access-control a token made by the CxSAST CLI's GenerateToken. Pass it from a secret. It is never revoked.", {
        secret: true,
        env: ['CX_APIKEY'],
    }),
    input('export-env', 'Also export the token as an environment variable for later steps.', { default: 'true' }),
    input('env-name', 'Name of the exported environment variable: letters, digits and _, not a name the runner, a shell or Node acts on (GITHUB_*, RUNNER_*, PATH, NODE_OPTIONS, ...) nor an input variable.', { default: 'CX_ACCESS_TOKEN' }),
    input('timeout-seconds', 'Deadline for one attempt, from connect to the last byte.', { default: '30' }),
    input('max-attempts', 'Attempts in all, for errors worth retrying (network errors, timeouts, 408, 429, 5xx).', {
        default: '3',
    }),
    input('ca-cert', 'PEM text, or a path to a PEM file, trusted besides the system CAs (direct and through a proxy).'),
    input('insecure-skip-tls-verify', 'true turns off TLS certificate checks (with a warning). Never use it in production.', {
        default: 'false',
    }),
    input('agent', 'true starts the token agent: later steps run checkmarx-auth token for a fresh token, and never see the credentials.', {
        default: 'false',
    }),
    input('sealed', 'true seals the job: its code gets only phantom credentials, which Checkmarx rejects, and a facade of the product on 127.0.0.1 that swaps them for real tokens; nothing it can read works outside the job. Implies agent: true. See docs/sealed.md.', { default: 'false', switch: true }),
    input('read-only', 'With sealed: the facade forwards only GET, HEAD and OPTIONS, so the job can read results but not change anything.', {
        default: 'false',
        switch: true,
    }),
];
const SECRET_INPUTS = INPUTS.filter((spec) => spec.secret).map((spec) => spec.name);
/**
 * Reads every input: the source first (action inputs or CLI flags), then the environment.
 * Empty means "not given".
 */
function readInputs(source, env) {
    const values = {};
    for (const spec of INPUTS) {
        const value = clean(source(spec.name)) ?? spec.env.map((name) => clean(env[name])).find((v) => v !== undefined);
        if (value !== undefined)
            values[spec.name] = value;
    }
    return values;
}
function clean(value) {
    const trimmed = value?.trim();
    return trimmed ? trimmed : undefined;
}
/** The secret values among the inputs, to be masked before anything is logged. */
function secretValues(values) {
    return SECRET_INPUTS.map((name) => values[name]).filter((v) => Boolean(v));
}
/** An input's default, applied in code: action.yml declares none, so that the environment fallback works. */
function defaultOf(name) {
    const value = INPUTS.find((spec) => spec.name === name)?.default;
    if (value === undefined)
        throw new Error(`input ${name} has no default`);
    return value;
}

;// CONCATENATED MODULE: ./src/core/input-values.js
// One input's value read as what it stands for: a boolean, a number within its range, or the name
// of an environment variable that may hold the token. Each names the input it read when it fails.



/** The words a boolean input or variable takes for true (any case). */
const TRUE_WORDS = ['true', 'yes', '1', 'on'];
const FALSE_WORDS = ['false', 'no', '0', 'off'];
// Defaults come from the INPUTS table, the one place that states them (action.yml declares none).
function parseBoolean(values, name) {
    const value = values[name] ?? defaultOf(name);
    if (TRUE_WORDS.includes(value.toLowerCase()))
        return true;
    if (FALSE_WORDS.includes(value.toLowerCase()))
        return false;
    throw new InputError(name, `'${value}' is not a boolean; use true or false.`);
}
function parseNumber(values, name, rule) {
    const value = values[name] ?? defaultOf(name);
    const number = Number(value);
    const kind = rule.integer ? 'a whole number' : 'a number';
    if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(number) || (rule.integer && !Number.isInteger(number))) {
        throw new InputError(name, `'${value}' is not ${kind}; use ${kind} from ${rule.min} to ${rule.max}.`);
    }
    if (number < rule.min || number > rule.max) {
        throw new InputError(name, `${value} is out of range; use ${kind} from ${rule.min} to ${rule.max}.`);
    }
    return number;
}
function parseEnvName(value) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
        throw new InputError('env-name', `'${value}' is not a valid environment variable name (letters, digits, _).`);
    }
    const upper = value.toUpperCase();
    const ownInput = INPUTS.find((spec) => spec.env.includes(upper));
    if (ownInput)
        throw new InputError('env-name', `'${value}' is the variable of the input '${ownInput.name}'; choose another name.`);
    if (RESERVED_NAMES.includes(upper) || RESERVED_PREFIXES.some((prefix) => upper.startsWith(prefix))) {
        throw new InputError('env-name', `'${value}' is a name the runner, the shell or Node acts on; choose another name, such as CX_ACCESS_TOKEN.`);
    }
    return value;
}

;// CONCATENATED MODULE: ./src/core/settings.js
// Turns raw inputs into a validated plan: which product, grant, endpoint, credentials and transport.
// Every problem is an InputError that names the input, raised before any request.






function resolveSettings(given, deps) {
    const apiKey = cleanPastedKey(given['api-key']);
    const values = { ...given, 'api-key': apiKey.value };
    const plan = resolvePlan(values);
    const transport = resolveTransport(values, deps);
    const seal = parseSeal(values);
    return {
        plan,
        transport,
        exportEnv: parseBoolean(values, 'export-env'),
        envName: parseEnvName(values['env-name'] ?? defaultOf('env-name')),
        agent: parseBoolean(values, 'agent') || seal.sealed,
        ...seal,
        warnings: [...apiKey.warnings, ...unusedInputWarnings(plan, values, deps.naming), ...warningsFor(plan, transport)],
    };
}
/**
 * `sealed` and `read-only`. read-only without sealed is an input error, not a warning: only the
 * facade can refuse a write, and without it the job holds a real token that writes anywhere, so
 * going on would promise a protection that is not there.
 */
function parseSeal(values) {
    const sealed = parseBoolean(values, 'sealed');
    const readOnly = parseBoolean(values, 'read-only');
    if (readOnly && !sealed) {
        throw new RequiresInputError('read-only', 'sealed', "only a sealed job's facade can refuse writes; without it the job's code holds a real token. Set it as well, or leave read-only out.");
    }
    return { sealed, readOnly };
}
/** An API key pasted with its quotes or a `Bearer ` prefix would be sent as is, and rejected as expired. */
function cleanPastedKey(value) {
    if (value === undefined)
        return { value, warnings: [] };
    const cleaned = value
        .replace(/^(["'])([^]*)\1$/, '$2')
        .replace(/^bearer\s+/i, '')
        .trim();
    if (cleaned === value || cleaned === '')
        return { value, warnings: [] };
    return {
        value: cleaned,
        warnings: ["api-key had surrounding quotes or a 'Bearer ' prefix; it is used without them. Store the key alone as the secret."],
    };
}
/** Inputs that were given but that this product and grant type never send or use. */
function unusedInputWarnings(plan, values, naming) {
    const used = new Set([...GRANT_SENDS[plan.grantType], ...HOSTINGS[plan.profile.hosting].uses]);
    const considered = new Set([...Object.values(GRANT_SENDS), ...Object.values(HOSTINGS).map((hosting) => hosting.uses)].flat());
    const unused = INPUTS.map((spec) => spec.name).filter((name) => considered.has(name) && !used.has(name) && values[name] !== undefined);
    if (unused.length === 0)
        return [];
    const why = `not used by product '${plan.profile.name}' with grant type '${plan.grantType}' and ignored.`;
    if (naming) {
        const names = listOf(unused.map(naming.reference));
        return [`${unused.length > 1 ? naming.several(names) : names} ${unused.length > 1 ? 'are' : 'is'} ${why}`];
    }
    const names = unused.map((name) => `'${name}'`).join(', ');
    return [`Input ${names} ${unused.length > 1 ? 'are' : 'is'} ${why}`];
}
function resolvePlan(values) {
    const profile = parseProduct(values.product);
    const grantType = pickGrantType(profile, values);
    requireCredentials(profile, grantType, values);
    const endpoint = HOSTINGS[profile.hosting].locate(profile, values, grantType);
    const defaultClient = profile.defaultClients[grantType];
    // requireCredentials made sure that a grant without a default client has client-id.
    const clientId = values['client-id'] ?? endpoint.credentialClientId ?? defaultClient.id;
    // A default client's secret goes only with that client; a given secret only where the grant sends one.
    const givenSecret = GRANT_SENDS[grantType].includes('client-secret') ? values['client-secret'] : undefined;
    const isDefaultClient = values['client-id'] === undefined && clientId === defaultClient?.id;
    const clientSecret = givenSecret ?? (isDefaultClient ? defaultClient.secret : undefined);
    return {
        profile,
        grantType,
        endpoint,
        clientId,
        secrets: secretValues(values),
        ...definedOnly({
            clientSecret,
            username: values.username,
            password: values.password,
            apiKey: values['api-key'],
            scope: values.scope ?? profile.defaultScope,
        }),
    };
}
function parseProduct(value) {
    if (!value)
        throw new InputError('product', `is required: one of ${PRODUCT_NAMES.join(', ')}.`, { code: 'input/missing' });
    // Own keys only: 'product: __proto__' must not find Object.prototype.
    const name = value.toLowerCase();
    const profile = Object.hasOwn(products_PRODUCTS, name) ? products_PRODUCTS[name] : undefined;
    if (!profile)
        throw new InputError('product', notOneOf(value, PRODUCT_NAMES));
    return profile;
}
/** The explicit grant type, else the first the product allows whose credentials were given. */
function pickGrantType(profile, values) {
    const explicit = values['grant-type'];
    if (explicit) {
        const grantType = profile.grantTypes.find((g) => g === explicit.toLowerCase());
        if (!grantType) {
            throw new InputError('grant-type', `'${explicit}' is not supported by '${profile.name}'; use ${profile.grantTypes.join(' or ')}.`);
        }
        return grantType;
    }
    const given = (g) => GRANT_CREDENTIALS[g].every((name) => values[name] !== undefined);
    return (profile.grantTypes.find(given) ?? profile.grantTypes.find((g) => GRANT_CREDENTIALS[g].some((n) => values[n])) ?? profile.grantTypes[0]);
}
/** Every credential and endpoint input the run lacks, in one error. */
function requireCredentials(profile, grantType, values) {
    const credentials = GRANT_CREDENTIALS[grantType]
        .filter((name) => values[name] === undefined && !(name === 'client-id' && profile.defaultClients[grantType] !== undefined))
        .map((input) => ({ input }));
    const missing = [...credentials, ...HOSTINGS[profile.hosting].needs(values, grantType)];
    if (missing.length > 0) {
        throw new MissingInputsError(missing, `product '${profile.name}' with grant type '${grantType}'`, otherGrants(profile, grantType, values));
    }
}
/** When the grant type was picked, not given: the credentials that would pick another one. */
function otherGrants(profile, grantType, values) {
    if (values['grant-type'])
        return [];
    return profile.grantTypes.filter((g) => g !== grantType).map((g) => ({ grantType: g, inputs: GRANT_CREDENTIALS[g] }));
}
function resolveTransport(values, deps) {
    const caCerts = values['ca-cert'] ? readCaCerts(values['ca-cert'], deps) : undefined;
    return {
        timeoutMs: parseNumber(values, 'timeout-seconds', { min: 0.001, max: 3600 }) * 1000,
        maxAttempts: parseNumber(values, 'max-attempts', { min: 1, max: 10, integer: true }),
        insecureSkipTlsVerify: parseBoolean(values, 'insecure-skip-tls-verify'),
        ...(caCerts ? { caCerts } : {}),
        ...(deps.proxy && Object.keys(deps.proxy).length > 0 ? { proxy: deps.proxy } : {}),
    };
}
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const MAX_CA_FILE_BYTES = 1024 * 1024;
const FILE_PROBLEMS = {
    ENOENT: 'does not exist',
    ENOTREG: 'is not a regular file',
    EFBIG: 'is larger than 1 MiB, which no CA bundle is',
};
/** `ca-cert` is PEM text or the path of a PEM file; every certificate in it must parse. */
function readCaCerts(value, deps) {
    const isPem = value.includes('-----BEGIN');
    let text = value;
    if (!isPem) {
        try {
            text = deps.readFile(value, MAX_CA_FILE_BYTES);
        }
        catch (error) {
            const code = error.code ?? 'unreadable';
            const problem = FILE_PROBLEMS[code] ?? `cannot be read (${code})`;
            throw new InputError('ca-cert', `the file '${value}' ${problem}; give PEM text or the path of a PEM file.`, {
                code: 'input/ca-cert',
            });
        }
    }
    const certs = text.replace(/\r\n/g, '\n').match(PEM_CERT) ?? [];
    const where = isPem ? 'the PEM text' : `the file '${value}'`;
    if (certs.length === 0)
        throw new InputError('ca-cert', `${where} holds no '-----BEGIN CERTIFICATE-----' block.`, { code: 'input/ca-cert' });
    certs.forEach((pem, index) => {
        if (!deps.isCertificate(pem)) {
            throw new InputError('ca-cert', `certificate ${index + 1} in ${where} is not a valid X.509 certificate.`, { code: 'input/ca-cert' });
        }
    });
    return certs;
}
function warningsFor(plan, transport) {
    const warnings = [];
    if (plan.endpoint.tokenUrl.startsWith('http://')) {
        warnings.push(`The token endpoint ${plan.endpoint.tokenUrl} uses http://: credentials and the token travel in cleartext. Use https:// unless this network is trusted.`);
    }
    if (transport.insecureSkipTlsVerify) {
        warnings.push('insecure-skip-tls-verify is true: TLS certificates are not checked, so anyone on the network path can read the credentials. Prefer ca-cert.');
    }
    return warnings;
}
function definedOnly(object) {
    return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined));
}

;// CONCATENATED MODULE: ./src/core/secrets.js
// Secrets as they may appear in text, and the cleaning of text from outside before it enters a
// message: every form of every secret is cut out and control characters are neutralised.

const MAX_SERVER_TEXT = 300;
/** Cleans text that came from outside (a server body, an error) before it may enter a message. */
function redact(text, secrets) {
    const forms = secretForms(secrets);
    let clean = text;
    for (const form of forms)
        clean = clean.split(form).join('***');
    clean = printable(clean).trim();
    if (clean.length > MAX_SERVER_TEXT)
        clean = `${clean.slice(0, MAX_SERVER_TEXT)}…`;
    // A cut may leave a prefix of a secret; it is at most part of one, and prefixes of 4+ characters are removed too.
    for (const form of forms)
        clean = removeTrailingPrefix(clean, printable(form));
    return clean;
}
/**
 * A secret as it may appear: raw, URL-encoded or form-encoded (either case of hex), JSON-escaped;
 * a secret of several lines also line by line, since logs are read, and masked, a line at a time.
 */
function secretForms(secrets) {
    const forms = new Set();
    const lines = secrets.flatMap((secret) => (/[\r\n]/.test(secret) ? secret.split(/\r?\n|\r/) : []));
    for (const secret of [...secrets, ...lines]) {
        if (!secret.trim())
            continue;
        const encoded = [encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
        for (const form of [secret, JSON.stringify(secret).slice(1, -1), ...encoded, ...encoded.map(lowerCaseHex)])
            forms.add(form);
    }
    return [...forms].sort((a, b) => b.length - a.length);
}
function lowerCaseHex(encoded) {
    return encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}
function removeTrailingPrefix(text, secret) {
    const body = text.endsWith('…') ? text.slice(0, -1) : text;
    for (let n = Math.min(secret.length - 1, body.length); n >= 4; n--) {
        if (body.endsWith(secret.slice(0, n)))
            return `${body.slice(0, -n)}***…`;
    }
    return text;
}

;// CONCATENATED MODULE: ./src/core/retry.js
// When a failed request is worth another attempt, and how long to wait first.
function isRetryable(details) {
    if (details.kind === 'network' || details.kind === 'timeout')
        return true;
    // A proxy that cannot be reached is a network failure too; one that answered is not.
    if (details.kind === 'proxy' && details.code !== undefined)
        return true;
    const status = details.status;
    if (status === undefined)
        return false;
    return status === 408 || status === 429 || (status >= 500 && status <= 599);
}
/** The longest wait before a retry, jitter included. */
const MAX_RETRY_AFTER_MS = 30_000;
/** `Retry-After` as seconds or an HTTP date, capped. */
function parseRetryAfter(value, now) {
    if (!value)
        return undefined;
    // Date.parse reads almost anything ('1.5' is a date in 2001), so a date must at least name a year.
    const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : /\b\d{4}\b/.test(value) ? Date.parse(value) - now : NaN;
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** Exponential backoff with jitter; the server's Retry-After is honoured and jittered upwards. */
function backoffMs(attempt, retryAfterMs, random) {
    if (retryAfterMs !== undefined) {
        return Math.min(MAX_RETRY_AFTER_MS, retryAfterMs + Math.round(random * Math.max(retryAfterMs * 0.5, 250)));
    }
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + (random * ceiling) / 2);
}
/**
 * A server that says when to come back (429 or 503 with Retry-After) is not failing: it is pacing
 * its clients. Such waits use up no attempt until this much of them is spent, so that many jobs
 * sharing one rate limit all get through instead of the unlucky ones running out of attempts.
 */
const PACED_WAIT_BUDGET_MS = 120_000;
/** Whether to try again after a failure, after how long, and what that uses up. */
function planRetry(state, failure, maxAttempts, random) {
    if (!isRetryable(failure))
        return undefined;
    const delayMs = backoffMs(state.attempts, failure.retryAfterMs, random);
    const paced = failure.retryAfterMs !== undefined && (failure.status === 429 || failure.status === 503);
    if (paced && state.pacedWaitMs + delayMs <= PACED_WAIT_BUDGET_MS) {
        return { delayMs, state: { ...state, pacedWaitMs: state.pacedWaitMs + delayMs } };
    }
    if (state.attempts >= maxAttempts)
        return undefined;
    return { delayMs, state: { ...state, attempts: state.attempts + 1 } };
}

;// CONCATENATED MODULE: ./src/core/hints.js
// What to tell the user to do about a failure: a table of rules, first match wins.





const oauth = (f, ...errors) => f.oauthError !== undefined && errors.includes(f.oauthError);
const urlInput = (f) => HOSTINGS[f.hosting].locatedBy;
/** A web page is the wrong address, unless the status says the server is busy or failing. */
const wrongPage = (f) => f.kind === 'html' && !isRetryable(f);
/** Which input to set to follow a redirect by hand: server-url when the target is a CxSAST token endpoint, else token-url. */
function redirectAdvice(f, location) {
    const tokenPath = products_PRODUCTS[f.product].tokenPath;
    const root = tokenPath && serverRootOf(location, tokenPath);
    if (root)
        return `if ${location} is the right address, set server-url to ${root} (or token-url to ${location}).`;
    return `if ${location} is the right address, set token-url to it.`;
}
const proxyName = (f) => f.proxyVariable ?? 'HTTPS_PROXY';
const RULES = [
    {
        when: (f) => f.kind === 'tls' && f.code === 'EPROTO',
        hint: (f) => `this port speaks plain HTTP, not HTTPS: use the server's https:// port in ${urlInput(f)} or token-url (or http://, if you accept credentials in cleartext on this network).`,
    },
    {
        when: (f) => f.kind === 'tls' && f.code === 'ERR_TLS_CERT_ALTNAME_INVALID',
        hint: (f) => `the server's certificate does not name this host: use the host name the certificate was issued for in ${urlInput(f)} or token-url.`,
    },
    {
        when: (f) => f.kind === 'tls',
        hint: () => "the server's TLS certificate is not trusted. If your company's CA (or a TLS-inspecting proxy's CA) issued it, give that CA in ca-cert (PEM text or a file path).",
    },
    {
        when: (f) => wrongPage(f) && f.hosting === 'self-hosted',
        hint: () => 'the URL answers with a web page, not the token endpoint: server-url must be the CxSAST root, e.g. https://cx.example.com (the portal address without /CxWebClient), or an SSO or proxy login page intercepted the request.',
    },
    {
        when: wrongPage,
        hint: (f) => `the URL answers with a web page, not a token endpoint: check ${urlInput(f)} and token-url, or whether a proxy or SSO login page intercepted the request.`,
    },
    {
        when: (f) => f.kind === 'redirect' && f.location !== undefined,
        hint: (f) => redirectAdvice(f, f.location),
    },
    {
        when: (f) => f.kind === 'proxy' && (f.status === 407 || f.status === 401),
        hint: (f) => `the proxy wants credentials, or rejected the ones given: put them in ${proxyName(f)} as http://user:password@proxy:port, URL-encoded.`,
    },
    {
        when: (f) => f.kind === 'proxy' && f.code !== undefined,
        hint: (f) => `the proxy itself cannot be reached: check the host and port in ${proxyName(f)}, or set NO_PROXY for hosts that need no proxy.`,
    },
    {
        when: (f) => f.kind === 'proxy' && f.status !== undefined,
        hint: (f) => `the proxy in ${proxyName(f)} could not or would not connect to the token endpoint's host: check ${urlInput(f)} and token-url, and whether this host should bypass the proxy (NO_PROXY).`,
    },
    {
        when: (f) => f.hosting === 'cxone' && f.status === 404,
        hint: () => 'the tenant (realm) does not exist at this IAM host: check tenant (it is case-sensitive) and region or iam-url; a key from another region needs that region.',
    },
    {
        when: (f) => f.hosting === 'self-hosted' && (f.status === 404 || f.status === 405),
        hint: () => 'no token endpoint at this address: server-url must be the CxSAST root, e.g. https://cx.example.com (a trailing /cxrestapi is fine).',
    },
    {
        when: (f) => f.hosting === 'sca-cloud' && oauth(f, 'invalid_grant'),
        hint: () => 'SCA accepts only a local SCA user (not an SSO or SAML user) with the tenant account name in tenant, in the right region (us or eu). Check username, password, tenant and region.',
    },
    {
        when: (f) => f.hosting === 'self-hosted' && f.grantType === 'refresh_token' && oauth(f, 'invalid_grant'),
        hint: () => 'the CxSAST token in api-key was rejected: it may have been revoked (runCxConsole RevokeToken) or have expired, or belong to another CxSAST server. Make a new one with runCxConsole GenerateToken and store it as a secret.',
    },
    {
        when: (f) => f.hosting === 'self-hosted' && f.grantType === 'refresh_token' && oauth(f, 'invalid_client', 'unauthorized_client'),
        hint: () => "the OAuth client was rejected: a CxSAST token belongs to the CxSAST CLI's client, cli_client, so leave client-id and client-secret empty.",
    },
    {
        when: (f) => f.hosting === 'self-hosted' && f.grantType === 'client_credentials' && oauth(f, 'invalid_client'),
        hint: () => 'the OIDC client id or secret was rejected: check client-id and client-secret against the client defined in Access Control.',
    },
    {
        when: (f) => f.hosting === 'self-hosted' && f.grantType === 'client_credentials' && oauth(f, 'unauthorized_client', 'unsupported_grant_type'),
        hint: () => 'this OIDC client may not use the client_credentials grant: allow that grant type for it in Access Control (1.5 or later), or use another grant type.',
    },
    {
        when: (f) => f.hosting === 'self-hosted' && f.grantType === 'client_credentials' && oauth(f, 'invalid_scope'),
        hint: () => 'the scope is not one this OIDC client is allowed: set scope to scopes the client allows in Access Control.',
    },
    {
        when: (f) => f.hosting === 'self-hosted' && oauth(f, 'invalid_grant'),
        hint: () => 'check username and password. The CxSAST token endpoint takes application (local) users only: Active Directory, LDAP and SSO users cannot use the password grant, so create a local user for CI.',
    },
    {
        when: (f) => f.hosting === 'cxone' &&
            f.grantType === 'refresh_token' &&
            (oauth(f, 'invalid_client', 'unauthorized_client') ||
                f.status === 401 ||
                (oauth(f, 'invalid_grant') && /client/i.test(f.description ?? ''))),
        hint: () => "the OAuth client does not match the API key: leave client-id empty, so that the key's own client (its azp claim, else ast-app) is used.",
    },
    {
        when: (f) => f.hosting === 'cxone' && f.grantType === 'refresh_token' && oauth(f, 'invalid_grant'),
        hint: () => "the API key was rejected: it may have expired, or belong to another tenant or region. A key that worked before is killed by a license update (which invalidates every API key of the tenant), by being revoked in Identity and Access Management, or, for a key made by cx auth login, by that user's next login. Create a new key in Checkmarx One (Identity and Access Management, API Keys) and store it as a secret.",
    },
    {
        when: (f) => oauth(f, 'invalid_client', 'unauthorized_client') || (f.hosting === 'cxone' && f.status === 401),
        hint: (f) => f.hosting === 'cxone'
            ? 'the OAuth client id or secret was rejected: check client-id and client-secret; client secrets expire, so create a new one in Checkmarx One if needed.'
            : 'the OAuth client was rejected: leave client-id and client-secret empty to use the product default client.',
    },
    {
        when: (f) => oauth(f, 'invalid_scope'),
        hint: (f) => `the scope is not allowed for this client: leave scope empty to use the product default${f.defaultScope ? ` (${f.defaultScope})` : ''}.`,
    },
    {
        when: (f) => oauth(f, 'unsupported_grant_type', 'unauthorized_client'),
        hint: () => 'this client may not use this grant type: check grant-type and client-id.',
    },
    {
        when: (f) => f.kind === 'timeout',
        hint: () => 'the server did not answer in time: check the network and proxy (HTTPS_PROXY, NO_PROXY), or raise timeout-seconds.',
    },
    {
        when: (f) => f.code === 'ENOTFOUND' || f.code === 'EAI_AGAIN',
        hint: (f) => `the host name does not resolve: check ${urlInput(f)}; a runner behind a proxy needs HTTPS_PROXY.`,
    },
    {
        when: (f) => f.code === 'ECONNREFUSED',
        hint: (f) => `nothing accepts connections at that address: check the host and port in ${urlInput(f)}, and whether a proxy is required.`,
    },
    {
        when: (f) => f.status === 429,
        hint: () => 'the server is rate limiting requests: run fewer jobs at once, or raise max-attempts.',
    },
    {
        when: (f) => f.status !== undefined && f.status >= 500 && f.status <= 599,
        hint: () => 'the server is failing or down: try again later, or raise max-attempts.',
    },
];
function hintFor(facts) {
    return RULES.find((rule) => rule.when(facts))?.hint(facts);
}

;// CONCATENATED MODULE: ./src/core/token-request.js
// The form each grant type sends to the token endpoint (SPEC, "Form fields").

/** The form fields each grant type sends. */
const FORM_FIELDS = {
    password: (plan) => ({
        grant_type: 'password',
        username: plan.username,
        password: plan.password,
        scope: plan.scope,
        client_id: plan.clientId,
        client_secret: plan.clientSecret,
        acr_values: HOSTINGS[plan.profile.hosting].tenantInAcrValues ? `Tenant:${plan.endpoint.tenant}` : undefined,
    }),
    refresh_token: (plan) => ({
        grant_type: 'refresh_token',
        client_id: plan.clientId,
        // Only a default client's own secret (CxSAST's cli_client, as its CLI sends it): see resolvePlan.
        client_secret: plan.clientSecret,
        refresh_token: plan.apiKey,
    }),
    client_credentials: (plan) => ({
        grant_type: 'client_credentials',
        client_id: plan.clientId,
        client_secret: plan.clientSecret,
        scope: plan.scope,
    }),
};
function buildTokenRequest(plan, userAgent) {
    const form = new URLSearchParams();
    for (const [name, value] of Object.entries(FORM_FIELDS[plan.grantType](plan))) {
        if (value !== undefined)
            form.set(name, value);
    }
    return {
        url: plan.endpoint.tokenUrl,
        headers: {
            'content-type': 'application/x-www-form-urlencoded',
            accept: 'application/json',
            // A compressed answer would need decoding this tool does not carry; see parseTokenResponse.
            'accept-encoding': 'identity',
            'user-agent': userAgent,
        },
        body: form.toString(),
    };
}

;// CONCATENATED MODULE: ./src/core/api-key-facts.js
// What a Checkmarx One API key (a JWT) says of itself, read without any request: its realm, its
// client, when it was issued and when it expires. The key is read, never verified: the IAM server
// is what verifies it.



/** The facts of the plan's API key: only a Checkmarx One API key is a JWT that has any. */
function keyFactsOf(plan) {
    if (!HOSTINGS[plan.profile.hosting].apiKeyIsJwt || plan.grantType !== 'refresh_token' || !plan.apiKey)
        return undefined;
    const claims = decodeJwtClaims(plan.apiKey);
    if (!claims)
        return undefined;
    const realm = realmOfClaims(claims);
    const realmUrl = realm?.tenant ? realmUrlOf(realm.base, realm.tenant) : undefined;
    const azp = stringClaim(claims, 'azp');
    const issuedAt = instantClaim(claims, 'iat');
    const expiresAt = expiryClaim(claims);
    return {
        ...(realmUrl ? { realmUrl } : {}),
        ...(azp ? { azp } : {}),
        ...(issuedAt ? { issuedAt } : {}),
        ...(expiresAt ? { expiresAt } : {}),
    };
}
/** The API key's expiry for the `api-key-expires-at` output, when the key carries a positive `exp`. */
function apiKeyExpiresAt(plan) {
    return keyFactsOf(plan)?.expiresAt;
}
/** `exp` 0 is Keycloak's "never" (an offline token without a lifespan), not 1970-01-01. */
function expiryClaim(claims) {
    const seconds = claims['exp'];
    return typeof seconds === 'number' && seconds > 0 ? instantClaim(claims, 'exp') : undefined;
}
/** A NumericDate claim (seconds) as an ISO-8601 UTC instant; anything else is not one. */
function instantClaim(claims, name) {
    const seconds = claims[name];
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)
        return undefined;
    const date = new Date(Math.floor(seconds) * 1000);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

;// CONCATENATED MODULE: ./src/core/token-response.js
// Reads the token endpoint's answer: the token, or the failure it describes. The server is not
// trusted: every value it sends is checked, and its text is redacted before it enters a message.






/** Checks an HTTP answer and returns the token, or the failure it describes. */
function parseTokenResponse(plan, response, now) {
    const { secrets } = plan;
    const { status } = response;
    if (status < 100 || status > 599)
        return badResponse(status, 'the status code is not a valid HTTP status');
    if (status >= 300 && status < 400) {
        const location = headerValue(response, 'location');
        return {
            kind: 'redirect',
            status,
            ...(location ? { location: redirectTarget(redact(location, secrets), plan.endpoint.tokenUrl) } : {}),
        };
    }
    const encoding = headerValue(response, 'content-encoding')?.trim().toLowerCase();
    if (encoding && encoding !== 'identity') {
        return badResponse(status, `the response is compressed (Content-Encoding: ${redact(encoding, secrets)}) although the request asked for none`);
    }
    if (looksLikeHtml(response))
        return { kind: 'html', status };
    const json = json_parseJsonObject(response.body);
    if (status < 200 || status >= 300)
        return httpFailure(response, json, secrets, now);
    if (json === undefined)
        return badResponse(status, 'the response is not JSON');
    return tokenFrom(plan, json, status, now, secrets);
}
/**
 * A relative Location made absolute against the token endpoint. By joining text, not with a URL
 * parser: that would re-encode the rest, and a secret spelled in a new way would escape `redact`.
 */
function redirectTarget(location, tokenUrl) {
    const base = new URL(tokenUrl);
    if (/^[a-z][a-z\d+.-]*:/i.test(location))
        return location;
    if (location.startsWith('//'))
        return `${base.protocol}${location}`;
    if (location.startsWith('/'))
        return `${base.origin}${location}`;
    return `${base.origin}${base.pathname.replace(/[^/]*$/, '')}${location}`;
}
function tokenFrom(plan, json, status, now, secrets) {
    const accessToken = json.access_token;
    if (typeof accessToken !== 'string' || accessToken === '') {
        return { ...oauthFields(json, secrets), ...badResponse(status, 'the JSON response has no access_token') };
    }
    if (/[\s\u0000-\u001f\u007f]/.test(accessToken)) {
        return badResponse(status, 'the access_token in the response contains spaces or control characters, so it is not a token');
    }
    if (json.expires_in === undefined)
        return badResponse(status, 'the JSON response has no expires_in');
    const expiresIn = toSeconds(json.expires_in);
    if (expiresIn === undefined)
        return badResponse(status, 'expires_in in the response is not a whole number of seconds');
    const tokenType = optional(json.token_type) ?? 'Bearer';
    if (!isTokenType(tokenType))
        return badResponse(status, 'token_type in the response is not valid RFC 6749 syntax');
    const scope = optional(json.scope);
    if (scope !== undefined && !isScope(scope))
        return badResponse(status, 'scope in the response is not valid RFC 6749 syntax');
    const claimUrl = plan.profile.apiUrlClaim && stringClaim(decodeJwtClaims(accessToken), plan.profile.apiUrlClaim);
    if (claimUrl && !isApiUrl(claimUrl)) {
        return badResponse(status, `the token's ${plan.profile.apiUrlClaim} claim is not an http(s) URL without spaces or control characters`);
    }
    const apiKeyExpiry = apiKeyExpiresAt(plan);
    const result = {
        accessToken,
        tokenType,
        expiresIn,
        expiresAt: new Date(now + expiresIn * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        apiUrl: claimUrl ? `${claimUrl.replace(/\/+$/, '')}/api` : plan.endpoint.apiUrl,
        ...(scope !== undefined ? { scope } : {}),
        ...(plan.endpoint.tenant ? { tenant: plan.endpoint.tenant } : {}),
        ...(apiKeyExpiry ? { apiKeyExpiresAt: apiKeyExpiry } : {}),
        ...(typeof json.refresh_token === 'string' ? { refreshToken: json.refresh_token } : {}),
    };
    const problem = outputProblem(result);
    return problem ? badResponse(status, problem) : result;
}
function httpFailure(response, json, secrets, now) {
    const bodyText = json ? undefined : serverText(response.body.slice(0, 200), secrets);
    const retryAfterMs = parseRetryAfter(headerValue(response, 'retry-after'), now);
    return {
        kind: 'http',
        status: response.status,
        ...(json ? oauthFields(json, secrets) : {}),
        ...(bodyText ? { description: bodyText } : {}),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
}
/** The OAuth `error` and `error_description` of a JSON body, redacted. */
function oauthFields(json, secrets) {
    const oauthError = serverText(json.error, secrets);
    const description = serverText(json.error_description, secrets);
    return { ...(oauthError ? { oauthError } : {}), ...(description ? { description } : {}) };
}
/** Absent, null and "" are "not given". */
function optional(value) {
    return value === null || value === '' ? undefined : value;
}
function serverText(value, secrets) {
    return typeof value === 'string' && value ? redact(value, secrets) || undefined : undefined;
}
function badResponse(status, detail) {
    return { kind: 'bad-response', status, detail };
}
function looksLikeHtml(response) {
    const type = headerValue(response, 'content-type') ?? '';
    return /html/i.test(type) || /^\s*<(!doctype|html|head|body)/i.test(response.body);
}
/** About 31 years: anything longer is not a token lifetime (and would not fit a Date). */
const MAX_EXPIRES_IN = 1e9;
function toSeconds(value) {
    const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
    return typeof number === 'number' && Number.isInteger(number) && number >= 0 && number <= MAX_EXPIRES_IN ? number : undefined;
}
function headerValue(response, name) {
    const value = response.headers[name];
    return Array.isArray(value) ? value[0] : value;
}

;// CONCATENATED MODULE: ./src/core/transport.js
// What the core asks of the network: one form POST, its answer, and the failure below HTTP.
// io/http.ts is the implementation; the core sees only these shapes.
/** The proxy variables, as curl reads them: lower case first, NO_PROXY for the hosts that bypass it. */
const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'];
/** The proxy variables that are set in `env` (a front end's environment, given as data). */
function proxySettings(env) {
    return Object.fromEntries(PROXY_VARIABLES.filter((name) => env[name]).map((name) => [name, env[name]]));
}
/** Thrown for failures below HTTP: the grant module adds the product and endpoint. */
class TransportFailure extends Error {
    details;
    constructor(details) {
        super(details.detail ?? details.kind);
        this.name = 'TransportFailure';
        this.details = details;
    }
}

;// CONCATENATED MODULE: ./src/core/grant.js
// The token exchange: send the grant's form with retries until the answer is a token or a failure
// not worth retrying. The I/O comes in through GrantDeps.








function contextOf(plan) {
    return { productTitle: plan.profile.title, endpoint: plan.endpoint.tokenUrl };
}
async function requestToken(plan, transport, deps) {
    const request = buildTokenRequest(plan, deps.userAgent);
    let state = { attempts: 1, pacedWaitMs: 0 };
    for (let sent = 1;; sent++) {
        const outcome = await attemptOnce(plan, request, transport, deps);
        if (!('kind' in outcome))
            return outcome;
        const retry = planRetry(state, outcome, transport.maxAttempts, deps.random());
        if (!retry)
            throw toError(plan, outcome, sent);
        const paced = retry.state.attempts === state.attempts;
        const delay = `${(retry.delayMs / 1000).toFixed(1)} s`;
        deps.log.warning(paced
            ? `Request ${sent} failed: ${summary(outcome)}. The server asked to wait: retrying in ${delay}, which uses up no attempt.`
            : `Attempt ${state.attempts} of ${transport.maxAttempts} failed: ${summary(outcome)}. Retrying in ${delay}.`);
        state = retry.state;
        await deps.sleep(retry.delayMs);
    }
}
async function attemptOnce(plan, request, transport, deps) {
    try {
        const response = await deps.postForm(request, transport);
        deps.log.debug(`Token endpoint answered HTTP ${response.status} with ${Buffer.byteLength(response.body)} bytes.`);
        return parseTokenResponse(plan, response, deps.now());
    }
    catch (error) {
        if (error instanceof TransportFailure) {
            const detail = error.details.detail && redact(error.details.detail, plan.secrets);
            return { ...error.details, ...(detail ? { detail } : {}) };
        }
        throw error;
    }
}
function toError(plan, details, attempts) {
    const hint = hintFor({
        ...details,
        product: plan.profile.name,
        hosting: plan.profile.hosting,
        grantType: plan.grantType,
        ...(plan.profile.defaultScope ? { defaultScope: plan.profile.defaultScope } : {}),
    });
    return new TokenRequestError(contextOf(plan), details, hint, attempts);
}
function summary(details) {
    if (details.status !== undefined)
        return `HTTP ${details.status}${details.oauthError ? ` ${details.oauthError}` : ''}`;
    return details.code ?? details.kind;
}

;// CONCATENATED MODULE: ./src/core/key-expiry.js
// The warning every front end gives when a Checkmarx One API key is about to expire, and how far
// away an instant is in days.
/** A key closer than this to its `exp` gets a warning. */
const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;
/** `in 5 days`, `in 1 day`, `in less than a day`: how far a future instant is, to the nearest day. */
function inDays(instant, now) {
    const left = Date.parse(instant) - now;
    if (left < DAY_MS)
        return 'in less than a day';
    const days = Math.round(left / DAY_MS);
    return `in ${days} day${days === 1 ? '' : 's'}`;
}
/** The warning every front end gives when the API key expires in less than 14 days, or has expired. */
function expiryWarning(facts, now) {
    const expiresAt = facts?.expiresAt;
    if (!expiresAt)
        return undefined;
    const left = Date.parse(expiresAt) - now;
    if (left >= EXPIRY_WARNING_DAYS * DAY_MS)
        return undefined;
    const renew = 'Create a new key in Checkmarx One (Identity and Access Management, API Keys) and update the secret';
    if (left <= 0)
        return `The Checkmarx One API key expired at ${expiresAt}. ${renew}.`;
    return `The Checkmarx One API key expires at ${expiresAt} (${inDays(expiresAt, now)}). ${renew} before then.`;
}

;// CONCATENATED MODULE: ./src/core/exchange.js
// The one call every front end makes: mask the secrets, check the inputs, get the token, mask it.








async function exchangeCredentials(values, deps) {
    const { mask } = deps;
    const given = secretValues(values);
    if (mask)
        secretForms(given).forEach(mask);
    const settings = resolveSettings(values, deps);
    // The secrets as the settings use them (an API key without its pasted quotes), where they differ.
    if (mask)
        secretForms(settings.plan.secrets.filter((secret) => !given.includes(secret))).forEach(mask);
    deps.check?.(settings);
    settings.warnings.forEach((warning) => deps.log.warning(warning));
    const { plan } = settings;
    // Before the request: a key that has expired fails it, and the warning says why.
    const expiry = expiryWarning(keyFactsOf(plan), deps.now());
    if (expiry)
        deps.log.warning(expiry);
    deps.log.info(`Requesting a ${plan.profile.title} token from ${plan.endpoint.tokenUrl} (grant type ${plan.grantType}, client ${plan.clientId}).`);
    const result = await requestToken(plan, settings.transport, deps);
    if (mask)
        runTimeSecretValues(result).forEach(mask);
    const scope = result.scope ? `, scope '${result.scope}'` : '';
    deps.log.info(`Got a ${result.tokenType} token that expires at ${result.expiresAt} (in ${result.expiresIn} s)${scope}.`);
    return { settings, result };
}

;// CONCATENATED MODULE: ./src/core/outputs.js
// The action's outputs and the CLI's JSON keys: one table.

function output(name, envName, field, description) {
    const value = (result) => (result[field] === undefined ? undefined : String(result[field]));
    return { name, ...(envName ? { envName } : {}), field, description, secret: isRunTimeSecret(field), value };
}
const OUTPUTS = [
    output('access-token', 'CX_ACCESS_TOKEN', 'accessToken', 'The access token, masked in logs.'),
    output('token-type', 'CX_TOKEN_TYPE', 'tokenType', 'Token type as returned, e.g. Bearer.'),
    output('expires-in', 'CX_EXPIRES_IN', 'expiresIn', 'Token lifetime in seconds, as returned.'),
    output('expires-at', 'CX_EXPIRES_AT', 'expiresAt', 'ISO-8601 UTC instant when the token expires.'),
    output('scope', 'CX_GRANTED_SCOPE', 'scope', 'Granted scope, where the server returns one.'),
    output('api-url', 'CX_API_URL', 'apiUrl', "Base URL of the product's REST API."),
    output('tenant', 'CX_TOKEN_TENANT', 'tenant', 'The tenant used (sca, cxone).'),
    // No CLI variable: the variables are the token's; the key's expiry is for checks and warnings.
    output('api-key-expires-at', undefined, 'apiKeyExpiresAt', 'ISO-8601 UTC instant when the Checkmarx One API key expires, when the key carries a positive exp (0 or none: it does not expire).'),
];
/** Output name → value, for the outputs that have one. */
function outputValues(result) {
    return OUTPUTS.flatMap((spec) => {
        const value = spec.value(result);
        return value === undefined ? [] : [[spec.name, value]];
    });
}

;// CONCATENATED MODULE: ./src/action/workflow-commands.js
// The runner's workflow commands (mask, log, outputs, exported variables, PATH, state), written to
// the step's stdout and the runner's files that its environment names. Both come in as the
// action's deps: the bundle's entry passes process.env and process.stdout, tests their own.






function workflowCommands({ env, stdout }) {
    const command = (name, properties, data) => stdout(githubCommand(name, properties, data) + external_node_os_namespaceObject.EOL);
    const appendTo = (variable, name, text) => appendFileCommand(env, variable, name, text);
    return {
        setSecret: (secret) => command('add-mask', {}, secret),
        info: (message) => stdout(printable(message) + external_node_os_namespaceObject.EOL),
        debug: (message) => command('debug', {}, printable(message)),
        warning: (message) => command('warning', {}, printable(message)),
        error: (message) => command('error', {}, printable(message)),
        setOutputs: (outputs) => {
            if (!env.GITHUB_OUTPUT)
                return outputs.forEach(([name, value]) => command('set-output', { name }, value));
            appendTo('GITHUB_OUTPUT', 'the outputs', outputs.map(([name, value]) => fileCommand(name, value)).join(''));
        },
        exportVariables: (variables) => {
            if (variables.length === 0)
                return;
            if (!env.GITHUB_ENV)
                return variables.forEach(([name, value]) => command('set-env', { name }, value));
            const names = variables.map(([name]) => name).join(', ');
            appendTo('GITHUB_ENV', names, variables.map(([name, value]) => fileCommand(name, value)).join(''));
        },
        addPath: (folder) => {
            if (env.GITHUB_PATH)
                appendTo('GITHUB_PATH', 'a folder', `${folder}${external_node_os_namespaceObject.EOL}`);
            else
                command('add-path', {}, folder);
        },
        saveState: (name, value) => {
            if (env.GITHUB_STATE)
                appendTo('GITHUB_STATE', name, fileCommand(name, value));
            else
                command('save-state', { name }, value);
        },
    };
}
/**
 * A single-line value takes the runner's `name=value` form, which needs no delimiter; anything
 * else the heredoc form with a random delimiter, as @actions/core writes it. Loading node:crypto
 * only for that rare case keeps it out of every run's start-up.
 */
function fileCommand(name, value) {
    if (!/[\r\n]/.test(value))
        return `${name}=${value}${external_node_os_namespaceObject.EOL}`;
    const delimiter = `ghadelimiter_${builtins_builtin('node:crypto').randomUUID()}`;
    if (value.includes(delimiter))
        throw new Error(`the value of ${name} contains the delimiter`);
    return `${name}<<${delimiter}${external_node_os_namespaceObject.EOL}${value}${external_node_os_namespaceObject.EOL}${delimiter}${external_node_os_namespaceObject.EOL}`;
}
/** GITHUB_OUTPUT or GITHUB_ENV could not be written; the message names the file, never the value. */
class RunnerFileError extends CheckmarxAuthError {
    constructor(message, cause) {
        super('runner/file', message, { cause });
        this.name = 'RunnerFileError';
    }
}
function appendFileCommand(env, variable, name, text) {
    const path = env[variable];
    try {
        (0,external_node_fs_namespaceObject.appendFileSync)(path, text, { encoding: 'utf8' });
    }
    catch (error) {
        const code = error.code ?? 'unknown error';
        throw new RunnerFileError(`Cannot write ${name} to ${variable} (${path}): ${code}. Check that the file exists and is writable.`, error);
    }
}

;// CONCATENATED MODULE: ./src/action/main.js
// The GitHub Action: inputs from the runner, outputs and an exported variable back to it.








/** The main step: exit code 0, or 1 after an error annotation when it failed; never throws. */
async function run(deps) {
    const workflow = workflowCommands(deps);
    try {
        await exchangeAndExport(deps, workflow);
        return 0;
    }
    catch (error) {
        workflow.error(codedMessage(error));
        if (deps.env.RUNNER_DEBUG === '1')
            stackFrames(error).forEach((frame) => workflow.debug(frame));
        return 1;
    }
}
async function exchangeAndExport(deps, workflow) {
    const { env } = deps;
    const values = readInputs((name) => env[GITHUB_ACTIONS.inputVariable(name)], env);
    const { settings, result } = await exchangeCredentials(values, {
        mask: workflow.setSecret,
        check: (settings) => void (settings.agent && baseFolder(env)),
        log: { info: workflow.info, warning: workflow.warning, debug: workflow.debug },
        proxy: proxySettings(env),
        ...deps.io,
    });
    // The token reaches GITHUB_ENV last, and only once everything that can fail has succeeded. A
    // sealed job hands over the agent's phantom instead: the real token is never output or exported.
    const handOver = ({ token = result, variables = [] } = {}) => {
        workflow.setOutputs(outputValues(token));
        workflow.exportVariables([...(settings.exportEnv ? [[settings.envName, token.accessToken]] : []), ...variables]);
        if (settings.exportEnv)
            workflow.info(`Exported the token as ${settings.envName} for later steps.`);
    };
    // The token's age for the agent starts here, well within a millisecond of its arrival: reading
    // the clock earlier would load perf_hooks into every run, agent or not.
    if (settings.agent)
        await startActionAgent({ settings, first: result, arrivedAt: performance.now(), deps, workflow, handOver });
    else
        handOver();
}

;// CONCATENATED MODULE: ./src/io/certificates.js
// Certificate parsing for the core's `ca-cert` check (ConfigDeps.isCertificate): the core is pure,
// so node:crypto lives here, loaded only when a run names a ca-cert.

/** Whether `pem` is one X.509 certificate that node:crypto can parse. */
function isCertificate(pem) {
    try {
        new (builtins_builtin('node:crypto').X509Certificate)(pem);
        return true;
    }
    catch {
        return false;
    }
}

;// CONCATENATED MODULE: ./src/core/no-proxy.js
// Whether a host goes direct rather than through HTTP(S)_PROXY: loopback always does, and so does
// a host that NO_PROXY names, read as curl (7.86 and later) reads it. Entries are separated by
// commas or blanks and compared without case; `*` alone matches every host; a leading `.` or `*.`
// matches the domain itself and its subdomains, as does a bare domain; an entry may end in
// `:port`; an IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`) matches addresses only.
/** Loopback never goes through a proxy: `localhost`, 127.0.0.0/8 and ::1. */
function isLoopbackHost(hostname) {
    const host = unbracketed(hostname.toLowerCase()).replace(/\.$/, '');
    const address = ipOf(host);
    if (!address)
        return host === 'localhost';
    return address.bits === 32 ? address.value >> 24n === 127n : address.value === 1n;
}
function bypassesProxy(destination, noProxy) {
    if (isLoopbackHost(destination.hostname))
        return true;
    return noProxyEntries(noProxy).some((entry) => entryMatches(entry, destination));
}
function noProxyEntries(noProxy) {
    return noProxy
        .split(/[\s,]+/)
        .map((entry) => entry.toLowerCase())
        .filter((entry) => entry !== '');
}
function entryMatches(entry, destination) {
    if (entry === '*')
        return true;
    const { host, port } = splitPort(entry);
    if (port !== undefined && port !== destination.port)
        return false;
    const address = ipOf(unbracketed(destination.hostname.toLowerCase()));
    if (address)
        return addressMatches(host, address);
    return domainMatches(host, destination.hostname.toLowerCase());
}
/** `host:port`, `[v6]:port`; a bare IPv6 address has more than one colon and no port. */
function splitPort(entry) {
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed)
        return { host: bracketed[1], ...(bracketed[2] ? { port: Number(bracketed[2]) } : {}) };
    const withPort = /^([^:]+):(\d+)$/.exec(entry);
    return withPort ? { host: withPort[1], port: Number(withPort[2]) } : { host: entry };
}
function domainMatches(pattern, hostname) {
    const domain = pattern.replace(/^\*?\./, '').replace(/\.$/, '');
    const host = hostname.replace(/\.$/, '');
    return domain !== '' && (host === domain || host.endsWith(`.${domain}`));
}
function unbracketed(host) {
    return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
function addressMatches(pattern, address) {
    const [text = '', prefixText] = pattern.split('/', 2);
    const network = ipOf(unbracketed(text));
    if (!network || network.bits !== address.bits)
        return false;
    const prefix = prefixText === undefined ? address.bits : /^\d+$/.test(prefixText) ? Number(prefixText) : -1;
    if (prefix < 0 || prefix > address.bits)
        return false;
    const shift = BigInt(address.bits - prefix);
    return network.value >> shift === address.value >> shift;
}
function ipOf(text) {
    return ipv4Of(text) ?? ipv6Of(text);
}
function ipv4Of(text) {
    const parts = text.split('.');
    if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255))
        return undefined;
    return { bits: 32, value: parts.reduce((value, part) => (value << 8n) | BigInt(part), 0n) };
}
function ipv6Of(text) {
    if (!text.includes(':') || !/^[0-9a-f:.]+$/.test(text))
        return undefined;
    const halves = text.split('::');
    if (halves.length > 2)
        return undefined;
    const groups = (half) => (half ? half.split(':').flatMap(groupsOf) : []);
    const head = groups(halves[0]);
    const tail = groups(halves[1]);
    if (head.includes(undefined) || tail.includes(undefined))
        return undefined;
    const missing = 8 - head.length - tail.length;
    if (halves.length === 1 ? missing !== 0 : missing < 1)
        return undefined;
    const all = [...head, ...Array(halves.length === 1 ? 0 : missing).fill(0), ...tail];
    return { bits: 128, value: all.reduce((value, group) => (value << 16n) | BigInt(group), 0n) };
}
/** One group of an IPv6 address; an embedded IPv4 address (`::ffff:1.2.3.4`) is two. */
function groupsOf(group) {
    const v4 = ipv4Of(group);
    if (v4)
        return [Number(v4.value >> 16n), Number(v4.value & 0xffffn)];
    return /^[0-9a-f]{1,4}$/.test(group) ? [parseInt(group, 16)] : [undefined];
}

;// CONCATENATED MODULE: ./src/io/tunnel.js
// The connection pieces that every outgoing request shares, the token exchange (http.ts) and the
// sealed facade's forwarder (upstream.ts): TLS options with the user's CA, a CONNECT tunnel
// through a proxy, the proxy's own credentials, ports and bare host names.


// Loaded on first use: they cost start-up time, a plain-http run never needs TLS, and a token the
// agent serves from its cache needs no HTTP at all.
const http = () => builtins_builtin('node:http');
const https = () => builtins_builtin('node:https');
const tls = () => builtins_builtin('node:tls');
function tlsOptions(url, options) {
    if (url.protocol !== 'https:')
        return {};
    const servername = bareHost(url.hostname);
    return {
        // Always explicit: Node would otherwise take it from the Host header, the target's for a CONNECT.
        servername: isIpAddress(servername) ? '' : servername,
        rejectUnauthorized: !options.insecureSkipTlsVerify,
        // A `ca` replaces the default list, so keep the defaults (which include NODE_EXTRA_CA_CERTS).
        ...(options.caCerts ? { ca: [...tls().getCACertificates('default'), ...options.caCerts] } : {}),
    };
}
/** A CONNECT tunnel through the proxy to the target's host and port; the proxy's refusal names its variable. */
function openTunnel(via, target, options, track) {
    const proxy = via.url;
    const authority = `${target.hostname}:${portOf(target)}`;
    return new Promise((resolve, reject) => {
        const request = track((proxy.protocol === 'https:' ? https() : http()).request({
            host: bareHost(proxy.hostname),
            port: portOf(proxy),
            method: 'CONNECT',
            path: authority,
            headers: { host: authority, ...proxyAuthorization(proxy) },
            ...tlsOptions(proxy, options), // an https:// proxy is checked like the server
            agent: false,
        }));
        request.once('connect', (response, socket) => {
            if (response.statusCode === 200)
                return resolve(socket);
            socket.destroy();
            reject(new TransportFailure({
                kind: 'proxy',
                status: response.statusCode ?? 0,
                proxyVariable: via.variable,
                detail: `the proxy ${proxy.host} (${via.variable}) refused to open a tunnel to ${authority}: HTTP ${response.statusCode} ${response.statusMessage ?? ''}`.trim(),
            }));
        });
        request.on('error', reject);
        request.end();
    });
}
function proxyAuthorization(proxy) {
    // Read the encoded userinfo from href: the URL that getProxyUrl returns has already decoded its getters.
    const { username, password } = new URL(proxy.href);
    if (!username && !password)
        return {};
    const credentials = `${safeDecode(username)}:${safeDecode(password)}`;
    return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}
function safeDecode(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return text;
    }
}
function portOf(url) {
    return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}
function bareHost(hostname) {
    return hostname.replace(/^\[(.*)\]$/, '$1');
}
function isIpAddress(host) {
    return /^[\d.]+$/.test(host) || host.includes(':');
}

;// CONCATENATED MODULE: ./src/io/proxy.js
// Which proxy a request goes through, read from the proxy variables a front end passed down (never
// from process.env), as curl reads them: the scheme's variable, lower case first; NO_PROXY (and
// loopback) to go direct. The one reader for the exchange (http.ts) and the sealed facade's
// upstream (upstream.ts).



/** The proxy for a URL under the proxy variables the front end read from its environment. */
function proxyFor(url, settings) {
    const variable = proxyVariable(url, settings);
    if (!variable || bypassesProxy({ hostname: url.hostname, port: portOf(url) }, noProxyValue(settings)))
        return undefined;
    const proxy = parseProxyUrl(settings[variable] ?? '');
    // The value may hold the proxy's password, so it is not repeated.
    if (!proxy) {
        throw new TransportFailure({
            kind: 'proxy',
            proxyVariable: variable,
            detail: `${variable} is not a valid proxy URL (expected http://[user:password@]host:port, with user and password URL-encoded)`,
        });
    }
    // Speaking HTTP to a SOCKS proxy would fail obscurely: refused, naming the variable.
    if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
        throw new TransportFailure({
            kind: 'proxy',
            proxyVariable: variable,
            detail: `${variable} names a ${proxy.protocol.slice(0, -1).replace(/[^a-z0-9+.-]/gi, '')} proxy; only http:// and https:// proxies are supported (unset ${variable}, or list the host in NO_PROXY)`,
        });
    }
    return { url: proxy, variable };
}
/** A proxy URL as curl takes it: a value without a scheme is http://; its user and password must decode. */
function parseProxyUrl(value) {
    const text = /^[a-z][a-z\d+.-]*:\/\//i.test(value) ? value : `http://${value}`;
    if (!URL.canParse(text))
        return undefined;
    const url = new URL(text);
    try {
        decodeURIComponent(url.username);
        decodeURIComponent(url.password);
    }
    catch {
        return undefined;
    }
    return url;
}
/** The variable that names the proxy for this URL's scheme, when it is set (lower case first, as curl). */
function proxyVariable(url, settings) {
    const names = url.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
    return names.find((name) => settings[name]);
}
function noProxyValue(settings) {
    return settings.no_proxy || settings.NO_PROXY || '';
}

;// CONCATENATED MODULE: ./src/io/http.js
// One HTTP request and its answer, with a hard deadline, no redirects followed, a bounded body, the user's CA
// trusted both directly and through a proxy's CONNECT tunnel. Retries live in core/grant.ts.



const MAX_BODY_BYTES = 1024 * 1024;
const postForm = async (request, options) => {
    const url = new URL(request.url);
    const proxy = proxyFor(url, options.proxy ?? {});
    loadModules(url, proxy);
    const attempt = new Attempt(options.timeoutMs);
    try {
        const connection = await openConnection(url, proxy, options, attempt);
        const response = await roundTrip(connection, request, attempt);
        if (proxy && url.protocol === 'http:')
            refuseProxyAnswer(response, proxy);
        return response;
    }
    catch (error) {
        throw toTransportFailure(error, attempt.timedOut, options.timeoutMs, proxy);
    }
    finally {
        attempt.end();
    }
};
/**
 * Loads the node:http, node:https and node:tls that this attempt will use before its deadline
 * starts: timeout-seconds is for the network, from connect to the last byte (SPEC), and the first
 * load of node:https can take longer than a short deadline on a loaded machine.
 */
function loadModules(url, via) {
    for (const { protocol } of via ? [url, via.url] : [url]) {
        if (protocol !== 'https:')
            http();
        else {
            tls();
            https();
        }
    }
}
/**
 * What one attempt opened (requests, tunnel and TLS sockets), destroyed when its deadline passes
 * and when it ends, so that a failed attempt cannot keep the process alive. A timer and destroy()
 * rather than an AbortSignal: the signal machinery costs milliseconds of start-up on every run.
 */
class Attempt {
    timedOut = false;
    open = new Set();
    timer;
    constructor(timeoutMs) {
        this.timer = setTimeout(() => {
            this.timedOut = true;
            this.destroyAll(new Error('deadline passed'));
        }, timeoutMs);
    }
    track(resource) {
        this.open.add(resource);
        if (this.timedOut)
            resource.destroy(new Error('deadline passed'));
        return resource;
    }
    end() {
        clearTimeout(this.timer);
        this.destroyAll();
    }
    destroyAll(error) {
        for (const resource of this.open)
            resource.destroy(error);
        this.open.clear();
    }
}
async function openConnection(url, via, options, attempt) {
    const secure = url.protocol === 'https:';
    const target = { host: bareHost(url.hostname), port: portOf(url), path: url.pathname + url.search };
    if (!via) {
        return { module: secure ? https() : http(), options: { ...target, ...tlsOptions(url, options), agent: false } };
    }
    const proxy = via.url;
    if (!secure) {
        // Plain HTTP goes to the proxy in absolute form.
        return {
            module: proxy.protocol === 'https:' ? https() : http(),
            options: {
                host: bareHost(proxy.hostname),
                port: portOf(proxy),
                path: url.href,
                ...tlsOptions(proxy, options),
                agent: false,
                headers: { host: url.host, ...proxyAuthorization(proxy) },
            },
        };
    }
    const tunnel = attempt.track(await openTunnel(via, url, options, (resource) => attempt.track(resource)));
    const socket = attempt.track(tls().connect({ socket: tunnel, ...tlsOptions(url, options) }));
    // No `agent` here: with one (even `agent: false`) Node ignores createConnection and dials the target itself.
    // Without an agent Node does not know 443 is the default port and would add it to Host: url.host leaves it out.
    return { module: https(), options: { ...target, headers: { host: url.host }, createConnection: () => socket } };
}
function roundTrip(connection, request, attempt) {
    return new Promise((resolve, reject) => {
        const headers = { ...connection.options.headers, ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
        const outgoing = connection.module.request({ ...connection.options, method: 'POST', headers }, (response) => {
            // The body's own failures settle the promise first: destroying the response also fails `outgoing`.
            readBody(response, (body) => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }), reject);
        });
        attempt.track(outgoing).on('error', reject);
        outgoing.end(request.body);
    });
}
function readBody(response, done, fail) {
    const declared = Number(response.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES)
        return tooLarge(response, fail);
    const chunks = [];
    let size = 0;
    response.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES)
            tooLarge(response, fail);
        else
            chunks.push(chunk);
    });
    response.once('end', () => done(Buffer.concat(chunks).toString('utf8')));
    response.on('error', fail);
    response.once('aborted', () => fail(Object.assign(new Error('the connection closed mid-response'), { code: 'ECONNRESET' })));
}
function tooLarge(response, fail) {
    fail(new TransportFailure({
        kind: 'bad-response',
        status: response.statusCode ?? 0,
        detail: `the response body is larger than ${MAX_BODY_BYTES} bytes, which no token response is`,
    }));
    response.destroy();
}
/**
 * A proxy speaks for itself with 407, or 401 with Proxy-Authenticate, also to a plain-http request
 * it forwards: that is the proxy's answer, not the token endpoint's.
 */
function refuseProxyAnswer(response, via) {
    const proxyAuth = response.status === 407 || (response.status === 401 && response.headers['proxy-authenticate'] !== undefined);
    if (!proxyAuth)
        return;
    throw new TransportFailure({
        kind: 'proxy',
        status: response.status,
        proxyVariable: via.variable,
        detail: `the proxy ${via.url.host} (${via.variable}) answered HTTP ${response.status}`,
    });
}
const TLS_CODE = /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|EPROTO$)/;
/** Where the proxy itself could not be reached, it is the proxy that is named, not the server. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
function toTransportFailure(error, timedOut, timeoutMs, via) {
    if (error instanceof TransportFailure)
        return error;
    if (timedOut) {
        return new TransportFailure({ kind: 'timeout', detail: `no complete response within ${timeoutMs / 1000} s (timeout-seconds)` });
    }
    const code = error?.code;
    const message = error instanceof Error ? error.message : String(error);
    if (via && code && UNREACHABLE.has(code)) {
        const detail = `cannot reach the proxy ${via.url.host} (${via.variable}): ${message}`;
        return new TransportFailure({ kind: 'proxy', code, proxyVariable: via.variable, detail });
    }
    if (code === 'EPROTO' && /wrong version number/i.test(message)) {
        return new TransportFailure({
            kind: 'tls',
            code,
            detail: 'the server answered https:// with something that is not TLS (wrong version number)',
        });
    }
    const kind = code && TLS_CODE.test(code) ? 'tls' : 'network';
    return new TransportFailure({ kind, ...(code ? { code } : {}), detail: message });
}

;// CONCATENATED MODULE: ./src/core/version.js
// Kept equal to package.json's version by a test; a constant keeps start-up free of file reads.
const VERSION = '1.1.0';
const USER_AGENT = `checkmarx-auth/${VERSION}`;

;// CONCATENATED MODULE: ./src/io/system.js
// The real I/O that the front ends pass into exchangeCredentials; tests pass their own.




const SYSTEM_IO = {
    readFile,
    isCertificate: isCertificate,
    postForm: postForm,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: Date.now,
    userAgent: USER_AGENT,
};
/** Only a regular file, and only a small one: a device or a FIFO would never end, or block the open. */
function readFile(path, maxBytes) {
    const stats = (0,external_node_fs_namespaceObject.statSync)(path);
    if (!stats.isFile())
        throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
    if (stats.size > maxBytes)
        throw Object.assign(new Error('too large'), { code: 'EFBIG' });
    return decodeText((0,external_node_fs_namespaceObject.readFileSync)(path));
}
/**
 * A text file as Windows tools write it, too: Windows PowerShell 5.1's `>` and `Out-File` write
 * UTF-16 LE with a byte-order mark, Notepad may add a UTF-8 one. Everything else is UTF-8.
 */
function decodeText(bytes) {
    if (bytes[0] === 0xff && bytes[1] === 0xfe)
        return new TextDecoder('utf-16le').decode(bytes);
    if (bytes[0] === 0xfe && bytes[1] === 0xff)
        return new TextDecoder('utf-16be').decode(bytes);
    return new TextDecoder('utf-8').decode(bytes); // drops a UTF-8 byte-order mark
}

;// CONCATENATED MODULE: ./src/entries/action.js
// The action's main step (dist/index.js): runs `run` with the process's own environment, I/O,
// stdout and path, and fails the step by the exit code it returns.


const stdout = (text) => void process.stdout.write(text);
void run({ env: process.env, io: SYSTEM_IO, stdout, scriptPath: process.argv[1] ?? '' }).then((code) => {
    process.exitCode = code;
});

module.exports = __webpack_exports__;
/******/ })()
;