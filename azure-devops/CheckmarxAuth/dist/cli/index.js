#!/usr/bin/env node
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

;// CONCATENATED MODULE: ./src/core/camel-case.js
// How the Azure task and the CLI's JSON spell an input's or output's name: `api-key` → `apiKey`.
function camelCase(name) {
    return name.replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());
}

;// CONCATENATED MODULE: ./src/core/variable-names.js
// The tool's own environment variable names (CX_AUTH_SOCK), and the names no token may be exported as.
/** Where the token agent listens and its key: `<address>#<key>`. */
const SOCK_VARIABLE = 'CX_AUTH_SOCK';
/** Names a runner, a shell or Node acts on, and this tool's own variables: exporting the token there would hurt. */
const RESERVED_NAMES = ['PATH', 'HOME', 'SHELL', 'ENV', 'BASH_ENV', 'NODE_OPTIONS', 'NODE_PATH', SOCK_VARIABLE];
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
    authSock: SOCK_VARIABLE,
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

;// CONCATENATED MODULE: ./src/cli/formats.js
// What the CLI prints on stdout, per --format. Pure: a result in, text out.




const FORMATS = ['token', 'json', 'env', 'azure', 'powershell'];
function formatResult(format, result, tokenEnvName) {
    return FORMATTERS[format](result, tokenEnvName);
}
const FORMATTERS = {
    token: (result) => `${result.accessToken}\n`,
    json: (result) => `${JSON.stringify(jsonOf(result), null, 2)}\n`,
    env: (result, tokenEnvName) => variableLines('env', variables(result, tokenEnvName)),
    azure: (result, tokenEnvName) => variableLines('azure', variables(result, tokenEnvName)),
    powershell: (result, tokenEnvName) => variableLines('powershell', variables(result, tokenEnvName)),
};
/** How each format that sets variables sets one. */
const VARIABLE_LINE = {
    env: ({ name, value }) => `export ${name}=${shellQuote(value)}\n`,
    azure: ({ name, value, secret }) => `##vso[task.setvariable variable=${name};issecret=${secret}]${azureEscape(value)}\n`,
    powershell: ({ name, value }) => `$env:${name} = ${powershellQuote(value)}\n`,
};
function isVariableFormat(format) {
    return Object.hasOwn(VARIABLE_LINE, format);
}
function variableLines(format, list) {
    return list.map(VARIABLE_LINE[format]).join('');
}
function jsonOf(result) {
    const json = {};
    for (const spec of OUTPUTS)
        json[camelCase(spec.name)] = spec.value(result) ?? null;
    json.expiresIn = result.expiresIn;
    return json;
}
/** The env, azure and powershell variables besides the token, whose name is env-name. */
const OTHER_VARIABLES = OUTPUTS.flatMap((spec) => (!spec.secret && spec.envName ? [spec.envName] : []));
// An env-name equal to another variable's name keeps the token: that variable is left out.
function variables(result, tokenEnvName) {
    return OUTPUTS.flatMap((spec) => {
        const value = spec.value(result);
        const { secret } = spec;
        const name = secret ? tokenEnvName : spec.envName;
        if (value === undefined || name === undefined || (!secret && name === tokenEnvName))
            return [];
        return [{ name, value, secret }];
    });
}
/** The token variables of --format env, as exec sets them in its child's environment. */


;// CONCATENATED MODULE: external "node:net"
const external_node_net_namespaceObject = require("node:net");
var external_node_net_namespaceObject_0 = /*#__PURE__*/__nccwpck_require__.t(external_node_net_namespaceObject, 2);
;// CONCATENATED MODULE: ./src/core/json.js
// The one JSON reader for text from outside (a token response, a JWT payload, an agent line):
// only a plain object is an answer; anything else, or text that does not parse, is none.
function parseJsonObject(text) {
    try {
        const value = JSON.parse(text.replace(/^\uFEFF/, ''));
        return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
    }
    catch {
        return undefined;
    }
}

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
const ERROR_CODES = {
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
    return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
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
        return ERROR_CODES[this.code].exit;
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
class AgentError extends CheckmarxAuthError {
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
function builtin(name) {
    return requireBuiltin(name);
}

;// CONCATENATED MODULE: external "node:fs"
const external_node_fs_namespaceObject = require("node:fs");
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
        return builtin('node:crypto').randomBytes(size);
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
function parseSock(value) {
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
    const json = parseJsonObject(line);
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
    const json = parseJsonObject(line);
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
const TOKEN_DEADLINE_MS = 10 * 60 * 1000;
const STOP_DEADLINE_MS = 5_000;
/** A live agent acknowledges a request at once; SPEC: a silent peer is reported within 15 s. */
const ACK_DEADLINE_MS = 10_000;
/**
 * A live agent working on an acknowledged request sends a heartbeat every HEARTBEAT_MS (2 s):
 * silence this long after the acknowledgement is a frozen agent (SPEC: reported within 15 s).
 */
const SILENCE_DEADLINE_MS = 10_000;
/** The agent is gone: its socket is missing or nobody listens on it. */
class AgentNotRunning extends AgentError {
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
        const silence = new SilenceWatch(() => fail(new AgentError('agent/no-answer', acknowledged
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
        const notProtocol = () => fail(new AgentError('agent/bad-answer', 'The token agent sent an answer that is not its protocol.'));
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
                    deadline = setTimeout(() => fail(new AgentError('agent/no-answer', `The token agent at ${address} did not answer within ${deadlineMs / 1000} s.`)), deadlineMs);
                    continue;
                }
                const answer = parseAnswer(line);
                clearTimeout(deadline);
                silence.stop();
                socket.destroy();
                if (answer)
                    resolve(answer);
                else
                    reject(new AgentError('agent/bad-answer', 'The token agent sent an answer that is not its protocol.'));
                return;
            }
            if (received.length > MAX_LINE_BYTES)
                fail(new AgentError('agent/bad-answer', 'The token agent sent an answer that is too long.'));
        });
        socket.once('end', notProtocol);
        socket.once('error', (error) => {
            const gone = !connected && GONE.has(error.code ?? '');
            fail(gone
                ? new AgentNotRunning(address)
                : new AgentError('agent/unreachable', `Talking to the token agent at ${address} failed (${error.code ?? error.name}).`, {
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

;// CONCATENATED MODULE: ./src/agent/cache.js
// The agent's one token: reused while it stays valid for the asked time, measured on a monotonic
// clock from the moment its answer arrived; otherwise one exchange that concurrent askers share.
/** Milliseconds the token stays valid after `now`; negative once expired. */
function validFor(token, now) {
    return token.result.expiresIn * 1000 - (now - token.arrivedAt);
}
function canReuse(token, minValiditySeconds, now) {
    return token !== undefined && validFor(token, now) >= minValiditySeconds * 1000;
}
function shortLivedWarning(result, minValiditySeconds) {
    if (result.expiresIn >= minValiditySeconds)
        return undefined;
    return `The new token is valid for ${result.expiresIn} s only, less than the ${minValiditySeconds} s asked for (--min-validity).`;
}
class TokenCache {
    current;
    inFlight;
    fetchToken;
    now;
    constructor(fetchToken, now, first) {
        this.fetchToken = fetchToken;
        this.now = now;
        this.current = first;
    }
    async get(minValiditySeconds) {
        if (canReuse(this.current, minValiditySeconds, this.now()))
            return { result: this.current.result, source: 'cache' };
        const fresh = await this.refresh();
        const warning = shortLivedWarning(fresh.result, minValiditySeconds);
        return { result: fresh.result, source: 'exchange', ...(warning ? { warning } : {}) };
    }
    /**
     * A fresh token because the API refused `refused` (the sealed facade's retry after an upstream
     * 401): concurrent callers share one exchange, and a caller whose refused token has already been
     * replaced gets the replacement without another exchange.
     */
    async renew(refused) {
        const current = this.current;
        if (current && current.result.accessToken !== refused)
            return { result: current.result, source: 'cache' };
        return { result: (await this.refresh()).result, source: 'exchange' };
    }
    /** One exchange at a time; a failure rejects every sharer and keeps the old token. */
    refresh() {
        this.inFlight ??= this.fetchToken()
            .then((result) => (this.current = { result, arrivedAt: this.now() }))
            .finally(() => (this.inFlight = undefined));
        return this.inFlight;
    }
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

;// CONCATENATED MODULE: ./src/cli/usage-error.js
// The CLI's one usage error: a command line it cannot run (an unknown flag, verb or format, a flag
// without its value, exec without a command). Exit code 2, as every `usage/` code says.

class UsageError extends CheckmarxAuthError {
    constructor(code, message) {
        super(code, message);
        this.name = 'UsageError';
    }
    /** The same mistake, with a pointer to --help after the message. */
    withHelp() {
        return new UsageError(this.code, `${this.message} See checkmarx-auth --help.`);
    }
}

;// CONCATENATED MODULE: ./src/cli/command-line.js
// The CLI's command line: `--flag value`, `--flag=value`, and boolean switches with a short form.
// Hand-written rather than node:util's parseArgs, which costs about a millisecond of every start.
// A message never repeats a stray word: it may be half of an unquoted secret ("--password my pass").



function parseFlags(argv, specs) {
    const flags = {};
    const byShort = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.short ? [[spec.short, name]] : [])));
    for (let index = 0; index < argv.length; index++) {
        const word = argv[index];
        const long = /^--([^=]+)(?:=([^]*))?$/.exec(word);
        const name = long ? long[1] : /^-[^-]$/.test(word) ? byShort.get(word.slice(1)) : undefined;
        const spec = name === undefined ? undefined : specs[name];
        if (!spec || !Object.hasOwn(specs, name)) {
            if (!word.startsWith('-') || word === '--')
                throw new UsageError('usage/unexpected-argument', 'Unexpected argument: every value must follow its --flag (quote values that contain spaces).');
            throw new UsageError('usage/unknown-flag', `Unknown option '${long ? `--${long[1]}` : word}'.${long ? suggestFlag(long[1], specs) : ''}`);
        }
        if (spec.type === 'boolean') {
            if (long?.[2] !== undefined)
                throw new UsageError('usage/flag-value', `Option '--${name}' does not take a value.`);
            flags[name] = true;
        }
        else if (spec.type === 'switch') {
            flags[name] = long?.[2] ?? true;
        }
        else if (long?.[2] !== undefined) {
            flags[name] = long[2];
        }
        else {
            const value = argv[index + 1];
            if (value === undefined)
                throw new UsageError('usage/flag-value', `Option '--${name} <value>' argument missing.`);
            if (value.startsWith('-'))
                throw new UsageError('usage/flag-value', `Option '--${name}' needs a value; write --${name}=VALUE for one that starts with '-'.`);
            flags[name] = value;
            index++;
        }
    }
    return flags;
}
/** An input's value from the flags, as readInputs takes it: a switch given alone is 'true'. */
function flagSource(flags) {
    return (name) => {
        const value = flags[name];
        return value === true ? 'true' : typeof value === 'string' ? value : undefined;
    };
}
/** ` Did you mean '--product'?` for `--prodcut`, or nothing when no flag is close. */
function suggestFlag(name, specs) {
    const suggestion = didYouMean(name, Object.keys(specs));
    return suggestion ? ` Did you mean '--${suggestion}'?` : '';
}
/** The inputs as the CLI reads them: each from its --flag (a switch given alone is 'true'), else from its environment variables. */
function inputsFromFlags(flags, env) {
    return readInputs(flagSource(flags), env);
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

;// CONCATENATED MODULE: ./src/cli/token.js
// `checkmarx-auth token`: a token on stdout, from the agent named by CX_AUTH_SOCK, else from the
// bare command's exchange.









const DEFAULT_MIN_VALIDITY = 60;
async function runToken(context) {
    const minValidity = parseMinValidity(context.flags['min-validity']);
    const sock = context.env[SOCK_VARIABLE];
    if (!sock) {
        const { settings, result } = await context.exchangeCredentials();
        warnIf(context, shortLivedWarning(result, minValidity));
        context.mask(result);
        return context.write(formatResult(context.format, result, settings.envName));
    }
    const answer = await askAgentForToken(sock, minValidity, {
        onAcknowledged: () => context.debug('The token agent acknowledged the request.'),
    });
    context.debug(answer.source === 'cache' ? "The token came from the agent's cache." : 'The token came from a new exchange by the agent.');
    warnIf(context, answer.warning);
    context.mask(answer.result);
    return context.write(formatResult(context.format, answer.result, tokenEnvName(context)));
}
function parseMinValidity(value) {
    if (value === undefined)
        return DEFAULT_MIN_VALIDITY;
    const text = String(value).trim();
    if (!/^\d+$/.test(text) || Number(text) > MAX_MIN_VALIDITY) {
        throw new InputError('min-validity', `'${text}' is not a whole number of seconds from 0 to ${MAX_MIN_VALIDITY}.`);
    }
    return Number(text);
}
/** env-name as the bare command reads it (flag, then environment, then default). */
function tokenEnvName(context) {
    const values = inputsFromFlags(context.flags, context.env);
    return parseEnvName(values['env-name'] ?? defaultOf('env-name'));
}
function warnIf(context, warning) {
    if (warning)
        context.warn(warning);
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

;// CONCATENATED MODULE: ./src/core/jwt.js
// Reads a JWT's claims without verifying the signature: the claims only tell us where to send the
// key and which client it belongs to; the IAM server is what verifies it.

function decodeJwtClaims(token) {
    const parts = token.split('.');
    if (parts.length !== 3 || !parts[1])
        return undefined;
    return parseJsonObject(Buffer.from(parts[1], 'base64url').toString('utf8'));
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
    return HOSTINGS[PRODUCTS[product].hosting];
}
/** The product's api path: its own (products.ts), else its hosting's. */
function apiPathOf(product) {
    return PRODUCTS[product].apiPath ?? hostingOf(product).apiPath;
}
/** A path with a `.` or `..` segment (also percent-encoded), which a server might resolve to another route. */
function hasDotSegment(path) {
    return /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path);
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

;// CONCATENATED MODULE: ./src/core/withheld.js
// Hiding every value that holds a piece of a secret, for the verbs that print what the inputs
// resolve to.

/** The length of the shortest piece of a secret that may not be shown. */
const SECRET_FRAGMENT = 8;
const WITHHELD = '(withheld: it contains part of a secret input)';
/**
 * Every value that holds a piece of a secret (SECRET_FRAGMENT characters, or a whole shorter
 * secret of 4 or more), in any spelling secretForms knows, is replaced: a secret pasted into the
 * wrong input (a key as tenant, a password in a URL) must not be printed by a verb meant to help.
 */
function withheld(object, secrets) {
    const forms = secretForms(secrets).filter((form) => form.length >= 4);
    const pieces = new Set(forms.flatMap((form) => fragments(form)));
    const holds = (value) => [...pieces].some((piece) => value.includes(piece));
    const clean = (value) => {
        if (typeof value === 'string')
            return holds(value) ? WITHHELD : value;
        if (value && typeof value === 'object')
            return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]));
        return value;
    };
    return clean(object);
}
function fragments(secret) {
    if (secret.length <= SECRET_FRAGMENT)
        return [secret];
    return Array.from({ length: secret.length - SECRET_FRAGMENT + 1 }, (_, at) => secret.slice(at, at + SECRET_FRAGMENT));
}

;// CONCATENATED MODULE: ./src/core/inspection.js
// What the `inspect` verb shows: what the inputs resolve to, and what the API key says of itself,
// with no request sent and no secret, nor a piece of one, in it.



function inspectPlan(plan) {
    const region = HOSTINGS[plan.profile.hosting].regionOf(plan.endpoint.tokenUrl);
    const apiKey = keyFactsOf(plan);
    const { tenant, apiUrl } = plan.endpoint;
    return withheld({
        product: plan.profile.name,
        grantType: plan.grantType,
        tokenUrl: plan.endpoint.tokenUrl,
        ...(tenant ? { tenant } : {}),
        ...(region ? { region } : {}),
        clientId: plan.clientId,
        ...(apiUrl ? { apiUrl } : {}),
        ...(apiKey ? { apiKey } : {}),
    }, plan.secrets);
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
    const profile = Object.hasOwn(PRODUCTS, name) ? PRODUCTS[name] : undefined;
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

;// CONCATENATED MODULE: ./src/cli/inspect.js
// `checkmarx-auth inspect`: what the flags and environment resolve to, and what a Checkmarx One
// API key says of itself, with no request sent. Never a secret, nor a piece of one.







const INSPECT_FORMATS = ['text', 'json'];
function runInspect(deps) {
    const format = parseInspectFormat(deps.flags.format);
    const values = inputsFromFlags(deps.flags, deps.env);
    const settings = resolveSettings(values, deps);
    settings.warnings.forEach(deps.warn);
    const inspection = inspectPlan(settings.plan);
    const now = deps.now();
    const expiry = expiryWarning(inspection.apiKey, now);
    if (expiry)
        deps.warn(expiry);
    return deps.write(format === 'json' ? inspectionJson(inspection) : inspectionText(inspection, now));
}
function parseInspectFormat(value) {
    const format = typeof value === 'string' ? value.toLowerCase() : 'text';
    if (!INSPECT_FORMATS.includes(format)) {
        throw new UsageError('usage/unknown-format', `inspect --format ${notOneOf(String(value), INSPECT_FORMATS)}`);
    }
    return format;
}
/** Every key, null where nothing is known, so that a script can rely on them. */
function inspectionJson(inspection) {
    const key = inspection.apiKey;
    const json = {
        product: inspection.product,
        grantType: inspection.grantType,
        tokenUrl: inspection.tokenUrl,
        tenant: inspection.tenant ?? null,
        region: inspection.region ?? null,
        clientId: inspection.clientId,
        apiUrl: inspection.apiUrl ?? null,
        apiKey: key
            ? { realmUrl: key.realmUrl ?? null, azp: key.azp ?? null, issuedAt: key.issuedAt ?? null, expiresAt: key.expiresAt ?? null }
            : null,
    };
    // A claim is text from outside: no control character reaches the terminal or the CI log.
    return `${JSON.stringify(json, (_key, value) => (typeof value === 'string' ? printable(value) : value), 2)}\n`;
}
function inspectionText(inspection, now) {
    const key = inspection.apiKey;
    const rows = [
        ['product', inspection.product],
        ['grant type', inspection.grantType],
        ['token endpoint', inspection.tokenUrl],
        ['tenant', inspection.tenant],
        ['region', inspection.region],
        ['client id', inspection.clientId],
        ['api-url', inspection.apiUrl ?? '(unknown without server-url)'],
    ];
    if (key) {
        rows.push(['API key realm', key.realmUrl], ['API key azp', key.azp], ['API key issued', key.issuedAt], [
            'API key expires',
            key.expiresAt ? `${key.expiresAt} (${relative(key.expiresAt, now)})` : 'not by itself (the key has no exp claim, or exp 0)',
        ]);
    }
    const width = Math.max(...rows.map(([label]) => label.length)) + 2;
    return rows
        .filter((row) => row[1] !== undefined)
        .map(([label, value]) => `${`${label}:`.padEnd(width)}${printable(value)}\n`)
        .join('');
}
function relative(instant, now) {
    return Date.parse(instant) <= now ? 'expired' : inDays(instant, now);
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
const http = () => builtin('node:http');
const https = () => builtin('node:https');
const tls = () => builtin('node:tls');
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

;// CONCATENATED MODULE: ./src/io/upstream.js
// Streaming requests to one product's real API, for the sealed facade's forwarder: the same TLS,
// CA, insecure flag and proxy as the exchange (tunnel.ts, proxy.ts), over keep-alive connections,
// so that a forwarded request costs no new connection and no per-request set-up. Bodies are not
// touched here: the caller pipes them. Proxy settings come in as values, never from process.env.



function openUpstream(settings) {
    const agents = new Agents(settings);
    return {
        request: (url, path, method, headers) => {
            const route = routeFor(url, settings.proxy);
            const request = route.send(url, { path, method, headers });
            request.setTimeout(settings.timeoutMs, () => request.destroy(new TransportFailure({ kind: 'timeout', detail: `no answer within ${settings.timeoutMs / 1000} s (timeout-seconds)` })));
            return request;
            function routeFor(target, proxy) {
                const via = proxyFor(target, proxy ?? {});
                if (!via)
                    return agents.direct(target);
                return target.protocol === 'https:' ? agents.tunnel(via) : agents.absoluteForm(via);
            }
        },
        close: () => agents.close(),
    };
}
/** Either module, as one signature: https.request takes what http.request takes, plus TLS. */
const moduleFor = (secure) => (secure ? https() : http());
/** One keep-alive agent per way out, made on first use and kept for the facade's life. */
class Agents {
    made = new Map();
    settings;
    constructor(settings) {
        this.settings = settings;
    }
    direct(url) {
        const secure = url.protocol === 'https:';
        const agent = this.agent(url.protocol, () => new (secure ? https() : http()).Agent(KEEP_ALIVE));
        return {
            send: (target, what) => moduleFor(secure).request({
                ...what,
                host: bareHost(target.hostname),
                port: portOf(target),
                agent,
                ...tlsOptions(target, this.settings),
            }),
        };
    }
    /** Plain HTTP through a proxy: the request in absolute form to the proxy. */
    absoluteForm(via) {
        const proxy = via.url;
        const secure = proxy.protocol === 'https:';
        const agent = this.agent(`absolute ${proxy.href}`, () => new (secure ? https() : http()).Agent(KEEP_ALIVE));
        const authorization = proxyAuthorization(proxy);
        return {
            send: (target, what) => moduleFor(secure).request({
                method: what.method,
                headers: { ...what.headers, ...authorization },
                host: bareHost(proxy.hostname),
                port: portOf(proxy),
                path: target.origin + what.path,
                agent,
                ...tlsOptions(proxy, this.settings),
            }),
        };
    }
    /** HTTPS through a proxy: TLS to the target inside a CONNECT tunnel, the TLS sockets kept alive. */
    tunnel(via) {
        const settings = this.settings;
        const agent = this.agent(`tunnel ${via.url.href}`, () => {
            const tunnelled = new (https().Agent)(KEEP_ALIVE);
            tunnelled.createConnection = (options, created) => {
                const target = new URL(`https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`);
                const opened = [];
                const timer = setTimeout(() => opened.forEach((resource) => resource.destroy(new Error('deadline passed'))), settings.timeoutMs);
                openTunnel(via, target, settings, (resource) => (opened.push(resource), resource)).then((socket) => {
                    clearTimeout(timer);
                    created(null, tls().connect({ socket, ...tlsOptions(target, settings) }));
                }, (error) => {
                    clearTimeout(timer);
                    created(error);
                });
                return undefined;
            };
            return tunnelled;
        });
        return {
            send: (target, what) => moduleFor(true).request({
                ...what,
                host: bareHost(target.hostname),
                port: portOf(target),
                agent,
                ...tlsOptions(target, settings),
            }),
        };
    }
    close() {
        for (const agent of this.made.values())
            agent.destroy();
        this.made.clear();
    }
    agent(key, make) {
        let agent = this.made.get(key);
        if (!agent)
            this.made.set(key, (agent = make()));
        return agent;
    }
}
const KEEP_ALIVE = { keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 256, scheduling: 'lifo' };

;// CONCATENATED MODULE: ./src/agent/token-form.js
// What every loopback token endpoint shares (exec's, agent/token-endpoint.ts, and the sealed
// facade's, agent/sealed/token-endpoint.ts): the JSON answer, OAuth error bodies, the form read
// with a 64 KiB limit (413 beyond it), and OAuth client authentication by form or HTTP Basic.

const MAX_BODY_BYTES = 64 * 1024;
function reply(res, status, body, headers = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
        ...headers,
    });
    res.end(text);
}
const oauthError = (error, description) => ({ error, error_description: description });
/** Reads the request body, at most MAX_BODY_BYTES (413 beyond it, without reading the rest), then calls `done`. */
function readForm(req, res, done) {
    if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES)
        return tooLarge(req, res);
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES)
            tooLarge(req, res);
        else
            chunks.push(chunk);
    });
    req.once('end', () => {
        if (size > MAX_BODY_BYTES)
            return;
        done(Buffer.concat(chunks).toString('utf8'));
    });
    req.once('error', () => res.destroy());
}
function tooLarge(req, res) {
    if (res.headersSent)
        return;
    req.removeAllListeners('data');
    reply(res, 413, oauthError('invalid_request', `The request body is larger than ${MAX_BODY_BYTES} bytes.`), { Connection: 'close' });
    // Stop reading, but let the answer reach the client before the connection goes.
    res.once('finish', () => req.socket.destroy());
}
/** The body as a form, or what is wrong with it: not a form, or a parameter given twice. */
function parseForm(req, body, single) {
    const type = (req.headers['content-type'] ?? 'application/x-www-form-urlencoded').split(';')[0].trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') {
        return { status: 400, body: oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded.') };
    }
    const form = new URLSearchParams(body);
    const repeated = single.find((name) => form.getAll(name).length > 1);
    if (repeated)
        return { status: 400, body: oauthError('invalid_request', `duplicated parameter ${repeated}`) };
    return form;
}
/**
 * The client and key, as Keycloak's ClientIdAndSecretAuthenticator takes them: by HTTP Basic
 * (RFC 6749 2.3.1: each part form-encoded), by form fields, or both, where each part may come
 * either way (Basic plus a form `client_id` and no form secret authenticates with the Basic
 * secret). What is given twice must be right twice: a form `client_id` other than the Basic one
 * is refused. An Authorization header that is not Basic is refused. The key is compared in
 * constant time.
 */
function clientAuthenticated(expected, authorization, form) {
    const basic = authorization === undefined ? undefined : parseBasic(authorization);
    if (authorization !== undefined && !basic)
        return false;
    const ids = given(basic?.id, form.get('client_id'));
    const secrets = given(basic?.secret, form.get('client_secret'));
    if (ids.length === 0 || secrets.length === 0)
        return false;
    // Every check runs, so that the time taken does not say which part was wrong.
    return [...ids.map((id) => id === expected.clientId), ...secrets.map((secret) => keysMatch(secret, expected.clientSecret))].reduce((all, ok) => all && ok, true);
}
/** The values given, by Basic and by form, in that order. */
function given(...values) {
    return values.filter((value) => typeof value === 'string');
}
function parseBasic(header) {
    const match = /^basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
    if (!match)
        return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon === -1)
        return undefined;
    try {
        const decode = (part) => decodeURIComponent(part.replace(/\+/g, ' '));
        return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/agent/sealed/forwarder.js
// The facade's one forwarder: a request with a valid phantom goes to the product's real API with
// the phantom swapped for a real token; everything else is answered here and reaches nothing.
// Method, path, query and headers pass as sent, except hop-by-hop headers, Host (the upstream's)
// and Authorization. Bodies stream both ways (piped, never held); redirects are passed back with
// the upstream's origin rewritten to the facade's; an upstream 401 to a request without a body
// gets one fresh token and one retry.
/** A real token sent upstream stays valid at least this long (SPEC). */
const MIN_UPSTREAM_VALIDITY_SECONDS = 60;
const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const HOP_BY_HOP = new Set([
    'connection',
    'keep-alive',
    'proxy-connection',
    'proxy-authenticate',
    'proxy-authorization',
    'te',
    'trailer',
    'transfer-encoding',
    'upgrade',
]);
function forward(forwarder, req, res) {
    if (!forwarder.isPhantom(req.headers.authorization)) {
        req.resume();
        return plain(res, 401, 'A valid token from this facade is required.', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    }
    if (forwarder.readOnly && !READ_ONLY_METHODS.has(req.method ?? '')) {
        req.resume();
        return plain(res, 405, 'This job is read-only: only GET, HEAD and OPTIONS are forwarded.', { Allow: 'GET, HEAD, OPTIONS' });
    }
    forwarder.tokens.token(MIN_UPSTREAM_VALIDITY_SECONDS).then((token) => send(forwarder, req, res, token, hasBody(req) ? 'stream' : 'retry-once'), (error) => {
        forwarder.failed?.(error);
        req.resume();
        plain(res, 503, 'checkmarx-auth could not get a token; its error is in the job log.');
    });
}
function send(forwarder, req, res, token, sending) {
    const base = forwarder.baseOf(token);
    // The path and query exactly as sent, below the base's path (a server root may have one).
    const path = base.pathname.replace(/\/$/, '') + req.url;
    const outgoing = forwarder.upstream.request(base, path, req.method ?? 'GET', upstreamHeaders(req, base, token));
    // The client went away before its answer was complete: so does the upstream request (a cancelled
    // download stops upstream too). Not after a complete answer: its kept-alive socket serves others.
    const abandon = () => {
        if (!res.writableFinished)
            outgoing.destroy();
    };
    res.once('close', abandon);
    outgoing.once('response', (answer) => {
        outgoing.setTimeout(0); // the answer may stream for as long as it needs (server-sent events)
        if (answer.statusCode === 401 && sending === 'retry-once') {
            answer.resume();
            res.off('close', abandon);
            forwarder.tokens.renew(token).then((fresh) => send(forwarder, req, res, fresh, 'last'), (error) => {
                forwarder.failed?.(error);
                plain(res, 503, 'checkmarx-auth could not get a token; its error is in the job log.');
            });
            return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.rawHeaders, base, forwarder.origin, token));
        answer.pipe(res);
        answer.once('error', () => res.destroy());
        answer.once('aborted', () => res.destroy());
    });
    outgoing.once('error', (error) => {
        res.off('close', abandon);
        if (res.headersSent)
            return void res.destroy();
        forwarder.failed?.(error);
        req.resume();
        plain(res, 502, 'The Checkmarx API could not be reached; the error is in the job log.');
    });
    if (sending === 'stream')
        req.pipe(outgoing);
    else {
        req.resume();
        outgoing.end();
    }
}
/** A request without a body: neither a length above zero nor chunked. */
function hasBody(req) {
    const length = req.headers['content-length'];
    return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}
function upstreamHeaders(req, target, token) {
    const named = connectionNamed(req.headers.connection);
    const headers = {};
    const raw = req.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i];
        const lower = name.toLowerCase();
        if (HOP_BY_HOP.has(lower) || lower === 'host' || lower === 'authorization' || named.has(lower))
            continue;
        const value = raw[i + 1];
        const previous = headers[name];
        headers[name] = previous === undefined ? value : [].concat(previous, value);
    }
    headers.Host = target.host;
    headers.Authorization = `Bearer ${token.accessToken}`;
    return headers;
}
/** The headers passed back: no hop-by-hop, a Location on the upstream rewritten, none that holds the real token. */
function responseHeaders(raw, base, origin, token) {
    const named = new Set();
    for (let i = 0; i < raw.length; i += 2)
        if (raw[i].toLowerCase() === 'connection')
            connectionNamed(raw[i + 1]).forEach((n) => named.add(n));
    const headers = [];
    for (let i = 0; i < raw.length; i += 2) {
        const name = raw[i];
        const lower = name.toLowerCase();
        let value = raw[i + 1];
        if (HOP_BY_HOP.has(lower) || named.has(lower) || value.includes(token.accessToken))
            continue;
        if (lower === 'location')
            value = rewriteLocation(value, base, origin);
        headers.push(name, value);
    }
    return headers;
}
/** A Location under the upstream's base becomes the same place on the facade; any other is left as it is. */
function rewriteLocation(location, base, origin) {
    const prefix = base.href.replace(/\/$/, '');
    if (location === prefix || location.startsWith(`${prefix}/`) || location.startsWith(`${prefix}?`)) {
        return origin + (location.slice(prefix.length) || '/');
    }
    return location;
}
function connectionNamed(value) {
    return new Set((value ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter(Boolean));
}
function plain(res, status, message, headers = {}) {
    if (res.headersSent)
        return void res.destroy();
    const text = JSON.stringify({ error: message });
    res.writeHead(status, {
        'Content-Type': 'application/json',
        'Content-Length': Buffer.byteLength(text),
        'Cache-Control': 'no-store',
        ...headers,
    });
    res.end(text);
}

;// CONCATENATED MODULE: ./src/agent/sealed/job-credential.js
// The job-scoped credential of a sealed job: the client (Checkmarx One) or user (the others) that
// the job's tools log in as at the facade, and a random key that exists only while the facade
// runs. Checkmarx has never heard of either.

/** The job client's or user's name: not secret, the key is what makes it this job's. */
const job_credential_JOB_NAME = 'checkmarx-auth-job';
function newJobCredential() {
    return { name: job_credential_JOB_NAME, key: newKey() };
}
/** Name and key as given; the key is compared in constant time, and both are always compared. */
function isJobCredential(credential, name, key) {
    const nameMatches = name === credential.name;
    const keyMatches = keysMatch(key ?? '', credential.key);
    return nameMatches && keyMatches;
}

;// CONCATENATED MODULE: ./src/agent/sealed/phantom.js
// Phantom tokens: JWT-shaped, so that tools that read claims keep working, but signed with HS256
// by a key that exists only in this process's memory, so that the real Checkmarx rejects them.
// The facade accepts a phantom only with its own key's signature, HS256, and before its `exp`.


const phantom_crypto = () => builtin('node:crypto');
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
class PhantomSigner {
    /** 256 random bits; never leaves this object. */
    #key;
    constructor() {
        this.#key = phantom_crypto().randomBytes(32);
    }
    /**
     * A phantom with the claims given, `iat`, `jti` and an `exp` no later than `notAfterSeconds`
     * (the real token's expiry, in seconds since the epoch).
     */
    sign(claims, nowSeconds, notAfterSeconds) {
        const payload = { ...claims, iat: nowSeconds, exp: notAfterSeconds, jti: phantom_crypto().randomUUID() };
        const body = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
        return `${body}.${this.#mac(body).toString('base64url')}`;
    }
    /** The claims of a phantom this signer made that has not expired; undefined for anything else. */
    verify(token, nowSeconds) {
        const parts = token.split('.');
        if (parts.length !== 3)
            return undefined;
        const [header, payload, signature] = parts;
        // Only our own header, so HS256 only; the MAC below covers it as well.
        if (header !== HEADER)
            return undefined;
        const given = Buffer.from(signature, 'base64url');
        const expected = this.#mac(`${header}.${payload}`);
        // Constant time; the length of an HS256 MAC is no secret.
        if (given.length !== expected.length || !phantom_crypto().timingSafeEqual(given, expected))
            return undefined;
        const claims = parseJsonObject(Buffer.from(payload, 'base64url').toString('utf8'));
        const exp = claims?.exp;
        return typeof exp === 'number' && nowSeconds < exp ? claims : undefined;
    }
    #mac(text) {
        return phantom_crypto().createHmac('sha256', this.#key).update(text).digest();
    }
}

;// CONCATENATED MODULE: ./src/agent/sealed/token-endpoint.js
// The product's own token endpoint, on the facade: it answers the job credential (Checkmarx One:
// client_credentials with the job client and key, form or HTTP Basic; the others: the password
// grant with the job user and key, any client and scope; SCA with its acr_values) with a phantom
// token in the product's JSON shape. Nothing here reaches Checkmarx but the exchange of the real
// token that the phantom stands for.


const SINGLE = ['grant_type', 'client_id', 'client_secret', 'username', 'password', 'acr_values'];
function serveTokenRequest(endpoint, req, res) {
    if (req.method !== 'POST') {
        req.resume();
        return reply(res, 405, oauthError('invalid_request', 'The token endpoint takes POST only.'), { Allow: 'POST' });
    }
    readForm(req, res, (body) => void answer(endpoint, req, body).then(({ status, body }) => reply(res, status, body)));
}
async function answer(endpoint, req, body) {
    const { row } = endpoint;
    const form = parseForm(req, body, SINGLE);
    if (!(form instanceof URLSearchParams))
        return form;
    const grantType = form.get('grant_type');
    if (!grantType)
        return { status: 400, body: oauthError('invalid_request', 'Missing form parameter: grant_type') };
    if (!isJobLogin(endpoint, req.headers.authorization, form)) {
        const { status, error, description } = row.wrongCredential;
        return { status, body: oauthError(error, description) };
    }
    if (grantType !== row.jobGrant) {
        return { status: 400, body: oauthError('unsupported_grant_type', `Only ${row.jobGrant} is served here.`) };
    }
    try {
        return { status: 200, body: row.answer(await endpoint.issue()) };
    }
    catch (error) {
        endpoint.failed?.(error);
        return {
            status: 503,
            body: oauthError('temporarily_unavailable', 'checkmarx-auth could not get a token; its error is in the job log.'),
        };
    }
}
function isJobLogin(endpoint, authorization, form) {
    const { row, credential } = endpoint;
    if (row.jobGrant === 'client_credentials') {
        return clientAuthenticated({ clientId: credential.name, clientSecret: credential.key }, authorization, form);
    }
    const userMatches = isJobCredential(credential, form.get('username'), form.get('password'));
    return userMatches && (!row.tenantInAcrValues || tenantMatches(form.get('acr_values'), endpoint.tenant));
}
/** SCA's `acr_values=Tenant:{tenant}`, when given, names the job's tenant (without case). */
function tenantMatches(acrValues, tenant) {
    if (acrValues === null)
        return true;
    const named = /(?:^|\s)Tenant:(\S+)/i.exec(acrValues)?.[1];
    return named !== undefined && named.toLowerCase() === (tenant ?? '').toLowerCase();
}

;// CONCATENATED MODULE: ./src/agent/sealed/facade.js
// The sealed facade: the product as one loopback origin, http://127.0.0.1:<port>. Its own token
// endpoint answers the job credential with phantoms (token-endpoint.ts); the product's API paths
// go to the real API with the phantom swapped for a real token (forwarder.ts); anything else is
// 404. Guards come first and reach nothing: a Host other than 127.0.0.1:<port> or
// localhost:<port> is 421 (DNS rebinding), headers over 16 KiB 431, a token body over 64 KiB 413.
// It logs nothing: what goes wrong goes to the `failed` callback, never a body, token or key.









const MAX_HEADER_BYTES = 16 * 1024;
const LOOPBACK = '127.0.0.1';
/** Receiving a request's headers may take this long; bodies and answers stream for as long as they need. */
const HEADERS_DEADLINE_MS = 30_000;
async function startFacade(options) {
    const { createServer } = builtin('node:http');
    const row = hostingOf(options.product);
    let route = () => { };
    const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_DEADLINE_MS, requestTimeout: 0, keepAliveTimeout: 30_000 }, (req, res) => route(req, res));
    server.on('clientError', refuseBadRequest);
    await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, LOOPBACK, () => resolve());
    });
    const { port } = server.address();
    const origin = `http://${LOOPBACK}:${port}`;
    const rooms = buildRooms(options, row, origin);
    const hosts = new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);
    route = (req, res) => routeRequest({ row, tenant: options.tenant, hosts, ...rooms }, req, res);
    const upstreamClose = rooms.close;
    return {
        url: origin,
        port,
        apiUrl: origin + apiPathOf(options.product),
        tokenUrl: origin + row.tokenPath(options.tenant),
        credential: rooms.endpoint.credential,
        phantom: (seconds) => rooms.phantom(seconds),
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
            upstreamClose();
        }),
    };
}
/**
 * When the real token expires, in seconds: the earlier of its own `exp` claim (a JWT's, set by the
 * IAM when it issued the token) and `expiresAt` (counted from when the answer arrived, which is
 * later by the time the answer took), so that a phantom never outlives the token it stands for.
 */
function realExpiry(real) {
    const counted = Math.floor(Date.parse(real.expiresAt) / 1000);
    const claimed = decodeJwtClaims(real.accessToken)?.exp;
    return typeof claimed === 'number' && Number.isFinite(claimed) ? Math.min(counted, Math.floor(claimed)) : counted;
}
function buildRooms(options, row, origin) {
    const now = options.now ?? Date.now;
    const signer = new PhantomSigner();
    const credential = newJobCredential();
    const facts = { origin, jobName: credential.name, ...(options.tenant ? { tenant: options.tenant } : {}) };
    const claims = row.phantomClaims(facts);
    const apiUrl = origin + apiPathOf(options.product);
    /** A phantom for a real token valid at least `seconds`, expiring no later than it. */
    const issue = async (seconds) => {
        const real = await options.tokens.token(seconds);
        const nowSeconds = Math.floor(now() / 1000);
        const exp = realExpiry(real);
        const phantom = signer.sign(claims, nowSeconds, exp);
        options.serving?.(phantom);
        const answer = { accessToken: phantom, expiresIn: Math.max(0, exp - nowSeconds), ...(real.scope ? { scope: real.scope } : {}) };
        return { answer, real, exp };
    };
    const upstream = openUpstream(options.upstream);
    const bases = new Map();
    return {
        endpoint: {
            row,
            credential,
            issue: async () => (await issue(MIN_UPSTREAM_VALIDITY_SECONDS)).answer,
            ...(options.tenant ? { tenant: options.tenant } : {}),
            ...(options.failed ? { failed: options.failed } : {}),
        },
        forwarder: {
            upstream,
            tokens: options.tokens,
            origin,
            readOnly: options.readOnly ?? false,
            isPhantom: (authorization) => {
                const match = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
                return match !== null && signer.verify(match[1], Math.floor(now() / 1000)) !== undefined;
            },
            baseOf: (token) => {
                let base = bases.get(token.apiUrl);
                if (!base)
                    bases.set(token.apiUrl, (base = new URL(row.upstreamBase(token.apiUrl, apiPathOf(options.product)))));
                return base;
            },
            ...(options.failed ? { failed: options.failed } : {}),
        },
        phantom: async (seconds) => {
            const { answer, real, exp } = await issue(Math.max(seconds, MIN_UPSTREAM_VALIDITY_SECONDS));
            return {
                ...real,
                accessToken: answer.accessToken,
                expiresIn: answer.expiresIn,
                expiresAt: new Date(exp * 1000).toISOString(),
                apiUrl,
            };
        },
        close: () => upstream.close(),
    };
}
function routeRequest(routing, req, res) {
    // First, so that a page on another origin (DNS rebinding) learns nothing, not even the path.
    if (!routing.hosts.has(req.headers.host ?? '')) {
        req.resume();
        return reply(res, 421, oauthError('misdirected_request', 'This facade answers only for its loopback address.'), {
            Connection: 'close',
        });
    }
    const target = req.url ?? '';
    const query = target.indexOf('?');
    const path = query === -1 ? target : target.slice(0, query);
    if (!path.startsWith('/') || hasDotSegment(path))
        return notFound(req, res);
    if (routing.row.isTokenPath(path, routing.tenant))
        return serveTokenRequest(routing.endpoint, req, res);
    if (routing.row.forwards(path))
        return forward(routing.forwarder, req, res);
    notFound(req, res);
}
function notFound(req, res) {
    req.resume();
    reply(res, 404, oauthError('not_found', 'Not a path of this product.'));
}
/** Headers over the limit get 431 as RFC 6585 says; anything else malformed, 400. The connection then ends. */
function refuseBadRequest(error, socket) {
    if (socket.writable) {
        const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
        socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
    }
    else
        socket.destroy();
}

;// CONCATENATED MODULE: ./src/agent/sealed/seal.js
// Switching a facade on for an agent or for exec: the facade (facade.ts) around a source of real
// tokens, and what its clients are told (a SealedJob) and handed (phantoms). The agent runs one
// for the whole job, exec one for its child's life; either way the real tokens stay in here.


async function startSeal(options) {
    const facade = await startFacade({
        product: options.product,
        tokens: options.tokens,
        upstream: options.upstream,
        readOnly: options.readOnly,
        ...(options.tenant ? { tenant: options.tenant } : {}),
        ...(options.serving ? { serving: options.serving } : {}),
        ...(options.failed ? { failed: options.failed } : {}),
    });
    const job = {
        product: options.product,
        origin: facade.url,
        ...(options.tenant ? { tenant: options.tenant } : {}),
        jobName: facade.credential.name,
        jobKey: facade.credential.key,
        readOnly: options.readOnly,
    };
    return { job, phantom: (seconds) => facade.phantom(seconds), close: () => facade.close() };
}
/** The facade's way out: TLS, CA and timeout as the exchange has them, the proxy variables by value. */
function upstreamSettings(transport, proxyVariables) {
    return {
        timeoutMs: transport.timeoutMs,
        insecureSkipTlsVerify: transport.insecureSkipTlsVerify,
        ...(transport.caCerts ? { caCerts: transport.caCerts } : {}),
        proxy: proxySettings(proxyVariables),
    };
}

;// CONCATENATED MODULE: ./src/io/loopback.js
// Listening on 127.0.0.1 on a port the system picks, for the loopback servers (exec's token
// endpoint). Through net.BoundSocket where Node has it (24.19 and later): bound at once with no
// lookup, where listen(0, '127.0.0.1') loads node:dns and compiles Node's IPv6 pattern, about 4 ms
// of every `exec` (BENCHMARKS.md). Older Node (the Azure task's Node 20) listens the usual way.

const loopback_LOOPBACK = '127.0.0.1';
/** Resolves once `server` listens on 127.0.0.1, to its port; rejects with the listen error. */
function listenOnLoopback(server, module = external_node_net_namespaceObject_0) {
    return new Promise((resolve, reject) => {
        server.once('error', reject);
        const listening = () => {
            server.off('error', reject);
            resolve(server.address().port);
        };
        if (module.BoundSocket)
            server.listen(new module.BoundSocket({ host: loopback_LOOPBACK, port: 0 }), listening);
        else
            server.listen(0, loopback_LOOPBACK, listening);
    });
}

;// CONCATENATED MODULE: ./src/agent/token-endpoint.js
// The token endpoint that `exec` serves its child on loopback: Keycloak's client_credentials token
// endpoint as Checkmarx's own tools call it (ast-cli, the Python SDK), answering with the fresh
// token that a token source gives, for one client and a one-time key. Everything else is refused:
// another Host (421: DNS rebinding), path (404), method (405), a body over 64 KiB (413), a wrong
// client or key (401). It logs nothing; what goes wrong upstream goes to the `failed` callback.





/** The least validity a served token has (SPEC: at least 60 s). */
const MIN_SERVED_VALIDITY_SECONDS = 60;
/** Receiving one request, headers and body, may take this long; answering is the source's business. */
const REQUEST_DEADLINE_MS = 30_000;
/** Keycloak's token path for the tenant's realm, as the hosting table has it. */
function tokenPath(tenant) {
    return HOSTINGS.cxone.tokenPath(tenant);
}
async function startTokenEndpoint(options) {
    // Loaded here: only `exec` serves HTTP, and every other start of the CLI would pay for node:http.
    const { createServer } = builtin('node:http');
    let expectedHost = '';
    const server = createServer({ requestTimeout: REQUEST_DEADLINE_MS, headersTimeout: REQUEST_DEADLINE_MS }, (req, res) => handle(options, expectedHost, req, res));
    const port = await listenOnLoopback(server);
    server.on('clientError', (_error, socket) => socket.destroy());
    expectedHost = `${loopback_LOOPBACK}:${port}`;
    const url = `http://${expectedHost}`;
    return {
        url,
        port,
        tokenUrl: `${url}${tokenPath(options.tenant)}`,
        close: () => new Promise((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
        }),
    };
}
function handle(options, expectedHost, req, res) {
    // First, so that a page on another origin (DNS rebinding) learns nothing, not even the path.
    if (req.headers.host !== expectedHost) {
        req.resume();
        return reply(res, 421, oauthError('misdirected_request', `This endpoint answers only for ${expectedHost}.`));
    }
    if (!isTokenPath(req.url ?? '', options.tenant)) {
        req.resume();
        return reply(res, 404, oauthError('not_found', 'Only the realm token endpoint is served here.'));
    }
    if (req.method !== 'POST') {
        req.resume();
        return reply(res, 405, oauthError('invalid_request', 'The token endpoint takes POST only.'), { Allow: 'POST' });
    }
    readForm(req, res, (body) => void token_endpoint_answer(options, req, body).then(({ status, body }) => reply(res, status, body)));
}
function isTokenPath(target, tenant) {
    return HOSTINGS.cxone.isTokenPath(target.split('?')[0] ?? '', tenant);
}
// Made when asked for, not at load: the bundle loads this file in runs that never serve a token.
const invalidClient = () => ({ status: 401, body: oauthError('invalid_client', 'Invalid client or Invalid client credentials') });
async function token_endpoint_answer(options, req, body) {
    const form = parseForm(req, body, ['grant_type', 'client_id', 'client_secret']);
    if (!(form instanceof URLSearchParams))
        return form;
    if (!clientAuthenticated(options, req.headers.authorization, form))
        return invalidClient();
    const grantType = form.get('grant_type');
    if (!grantType)
        return { status: 400, body: oauthError('invalid_request', 'Missing form parameter: grant_type') };
    if (grantType !== 'client_credentials') {
        return { status: 400, body: oauthError('unsupported_grant_type', 'Only client_credentials is served here.') };
    }
    let token;
    try {
        token = await options.token(Math.max(MIN_SERVED_VALIDITY_SECONDS, options.minValiditySeconds ?? 0));
    }
    catch (error) {
        options.failed?.(error);
        return {
            status: 503,
            body: oauthError('temporarily_unavailable', 'checkmarx-auth could not get a token; its error is in the job log.'),
        };
    }
    options.serving?.(token);
    return {
        status: 200,
        body: {
            access_token: token.accessToken,
            expires_in: remainingSeconds(token, (options.now ?? Date.now)()),
            refresh_expires_in: 0,
            token_type: token.tokenType,
            'not-before-policy': 0,
            ...(token.scope ? { scope: token.scope } : {}),
        },
    };
}
/** What is left of the token's life, whole seconds, never more than it was issued for. */
function remainingSeconds(token, now) {
    const left = Math.floor((Date.parse(token.expiresAt) - now) / 1000);
    return Number.isFinite(left) ? Math.max(0, Math.min(token.expiresIn, left)) : token.expiresIn;
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

;// CONCATENATED MODULE: ./src/agent/sealed/real-tokens.js
// Where the facade gets real tokens: the agent's or exec's TokenCache, which exchanges the
// long-lived credential. Real tokens go upstream only; the job's code never sees one.
function realTokensFrom(cache) {
    return {
        token: async (seconds) => (await cache.get(seconds)).result,
        renew: async (refused) => (await cache.renew(refused.accessToken)).result,
    };
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
    const tokenPath = PRODUCTS[f.product].tokenPath;
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
    const json = parseJsonObject(response.body);
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

;// CONCATENATED MODULE: ./src/io/certificates.js
// Certificate parsing for the core's `ca-cert` check (ConfigDeps.isCertificate): the core is pure,
// so node:crypto lives here, loaded only when a run names a ca-cert.

/** Whether `pem` is one X.509 certificate that node:crypto can parse. */
function isCertificate(pem) {
    try {
        new (builtin('node:crypto').X509Certificate)(pem);
        return true;
    }
    catch {
        return false;
    }
}

;// CONCATENATED MODULE: ./src/io/http.js
// One HTTP request and its answer, with a hard deadline, no redirects followed, a bounded body, the user's CA
// trusted both directly and through a proxy's CONNECT tunnel. Retries live in core/grant.ts.



const http_MAX_BODY_BYTES = 1024 * 1024;
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
    if (declared > http_MAX_BODY_BYTES)
        return http_tooLarge(response, fail);
    const chunks = [];
    let size = 0;
    response.on('data', (chunk) => {
        size += chunk.length;
        if (size > http_MAX_BODY_BYTES)
            http_tooLarge(response, fail);
        else
            chunks.push(chunk);
    });
    response.once('end', () => done(Buffer.concat(chunks).toString('utf8')));
    response.on('error', fail);
    response.once('aborted', () => fail(Object.assign(new Error('the connection closed mid-response'), { code: 'ECONNRESET' })));
}
function http_tooLarge(response, fail) {
    fail(new TransportFailure({
        kind: 'bad-response',
        status: response.statusCode ?? 0,
        detail: `the response body is larger than ${http_MAX_BODY_BYTES} bytes, which no token response is`,
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

;// CONCATENATED MODULE: ./src/cli/exec-sources.js
// Where exec's tokens come from: the agent that CX_AUTH_SOCK names (a sealed agent's come with
// its facade, which seals the child whatever exec was asked), or one exchange now and a cache,
// behind exec's own facade when sealed (--sealed, CX_SEALED).











/** exec was asked for more sealing than the agent gives: exit 2. */
class AgentNotSealing extends CheckmarxAuthError {
    constructor(message) {
        super('exec/agent-not-sealing', message);
        this.name = 'AgentNotSealing';
    }
}
/**
 * The agent when CX_AUTH_SOCK is set (a sealed agent seals the child whatever exec was asked);
 * else one exchange now (failing before the child starts) and a cache, behind exec's own facade
 * when sealed.
 */
async function tokenSource(context, values, minValidity) {
    const sock = context.env[SOCK_VARIABLE];
    if (sock)
        return agentSource(sock, values, minValidity);
    const { settings, result } = await context.exchangeCredentials();
    const arrivedAt = performance.now();
    const log = { info: context.debug, warning: context.warn, debug: context.debug };
    const cache = new TokenCache(() => requestToken(settings.plan, settings.transport, { ...SYSTEM_IO, log }).then(agentToken), () => performance.now(), { result: agentToken(result), arrivedAt });
    const first = agentToken(result);
    const sealing = settings.sealed
        ? {
            kind: 'own',
            asked: true,
            options: {
                product: settings.plan.profile.name,
                readOnly: settings.readOnly,
                tokens: realTokensFrom(cache),
                upstream: upstreamSettings(settings.transport, context.env),
                ...(first.tenant ? { tenant: first.tenant } : {}),
            },
        }
        : undefined;
    return {
        first,
        secrets: settings.plan.secrets,
        envName: settings.envName,
        hosting: settings.plan.profile.hosting,
        token: async (seconds) => (await cache.get(seconds)).result,
        ...(sealing ? { sealing } : {}),
    };
}
/** The agent's tokens; a sealed agent's come with its facade, which the child gets. */
async function agentSource(sock, values, minValidity) {
    const answer = await askAgentForToken(sock, minValidity);
    const { result: first, sealed: job } = answer;
    const hosting = answer.hosting ? { hosting: answer.hosting } : {};
    const token = async (seconds) => (await askAgentForToken(sock, seconds)).result;
    const asked = parseBoolean(values, 'sealed');
    const readOnly = parseBoolean(values, 'read-only');
    if (!job) {
        if (asked) {
            throw new AgentNotSealing(`exec --sealed: the token agent that ${SOCK_VARIABLE} names is not sealed, and a sealed child gets no real token. Start the agent with 'checkmarx-auth start-agent --sealed' (the action's, the task's sealed input), or unset ${SOCK_VARIABLE}.`);
        }
        parseSeal(values);
        return { secrets: [], token, first, ...hosting };
    }
    if (readOnly && !job.readOnly) {
        throw new AgentNotSealing(`exec --read-only: the sealed token agent that ${SOCK_VARIABLE} names forwards writes too. Start it with 'checkmarx-auth start-agent --sealed --read-only' (the action's, the task's read-only input).`);
    }
    return { secrets: [], token, first, ...hosting, sealing: { kind: 'agent', job, asked } };
}

;// CONCATENATED MODULE: ./src/cli/start-child.js
// Starting exec's COMMAND, and what the user is told when the platform cannot start it: 127 when
// it does not exist, 126 when it exists but cannot run, as shells say; on Windows a batch file
// (`.cmd`, `.bat`), which Node starts only through cmd, with the line to run instead.


const NODE_LAUNCHER = {
    platform: process.platform,
    spawn: (...args) => builtin('node:child_process').spawn(...args),
};
/** Per platform: the file name endings that only a shell runs, and the line that runs one. */
const SHELL_ONLY = {
    win32: { endings: /\.(cmd|bat)$/i, runWith: (command) => `cmd /c ${command}` },
};
/** COMMAND could not be started; the message says what to run instead where there is something. */
class SpawnError extends CheckmarxAuthError {
    /** exec/not-found exits 127, exec/cannot-start 126 (error-codes.ts). */
    constructor(code, message, cause) {
        super(code, message, { cause });
        this.name = 'SpawnError';
    }
}
function batchFileError(command, runWith) {
    return new SpawnError('exec/cannot-start', `'${command}' is a batch file, which Windows runs only through cmd, and Node starts programs without a shell: run 'checkmarx-auth exec -- ${runWith} ...' instead.`);
}
/** What an error from spawn (thrown at once, or its 'error' event) tells the user. */
function startFailure(command, error, platform) {
    const shellOnly = SHELL_ONLY[platform];
    if (error.code === 'ENOENT') {
        const bare = !/\.[^./\\]*$/.test(command);
        const hint = shellOnly && bare ? ` If it is a batch file (${command}.cmd), run '${shellOnly.runWith(`${command}.cmd`)}'.` : '';
        return new SpawnError('exec/not-found', `'${command}' was not found (is it on PATH?).${hint}`, error);
    }
    if (shellOnly?.endings.test(command))
        return batchFileError(command, shellOnly.runWith(command));
    return new SpawnError('exec/cannot-start', `'${command}' could not be started (${error.code ?? error.name}).`, error);
}
/**
 * Starts COMMAND with inherited stdio and `env`. A batch file on Windows is refused before the
 * spawn (since Node's 2024 fix for BatBadBut, spawn throws EINVAL for one); anything spawn throws
 * at once, or reports by its 'error' event, becomes a SpawnError.
 */
function startChild(command, env, launcher) {
    const [file = '', ...args] = command;
    const shellOnly = SHELL_ONLY[launcher.platform];
    if (shellOnly?.endings.test(file))
        throw batchFileError(file, shellOnly.runWith(file));
    try {
        return launcher.spawn(file, args, { stdio: 'inherit', env });
    }
    catch (error) {
        throw startFailure(file, error, launcher.platform);
    }
}

;// CONCATENATED MODULE: ./src/cli/exec.js
// `checkmarx-auth exec [flags] -- COMMAND [ARGS...]`: runs COMMAND with fresh tokens and without
// the long-lived credential. For Checkmarx One the child also gets what `cx` (ast-cli) needs to log
// in through the loopback token endpoint (agent/token-endpoint.ts) with a one-time key. Tokens come
// from the agent when CX_AUTH_SOCK is set, else from one exchange and a cache that exchanges again
// (exec-sources.ts). Sealed (--sealed, or a sealed agent), the child gets phantoms and the
// facade's variables instead (agent/sealed/seal.ts, core/sealed-job.ts).


















/** The OAuth client the child logs in as; the key is what makes it this child's. */
const EXEC_CLIENT_ID = 'checkmarx-auth-exec';
/** ast-cli keeps a token this long before it asks again (CX_TOKEN_EXPIRY_SECONDS, default 300). */
const CX_TOKEN_CACHE_SECONDS = 300;
const MAX_MIN_VALIDITY_SECONDS = 3600;
/** A secret this long or longer is also looked for inside a variable's value. */
const MIN_CONTAINED_SECRET = 8;
/** The variables that `cx` reads to log in, set for Checkmarx One only. */
const LOGIN_VARIABLES = (/* unused pure expression or super */ null && (['CX_BASE_AUTH_URI', 'CX_TENANT', 'CX_CLIENT_ID', 'CX_CLIENT_SECRET', 'CX_BASE_URI']));
/**
 * The child's environment: the parent's, without any variable that holds a secret in use (by
 * value, whatever its name) or names a secret input, without stale token variables, plus the
 * fresh token variables and, for Checkmarx One, the loopback login.
 */
function childEnvironment(parent, options) {
    const forms = secretForms(options.secrets.filter((secret) => secret.trim() !== ''));
    const contained = forms.filter((form) => form.length >= MIN_CONTAINED_SECRET);
    const holdsSecret = (value) => forms.includes(value.trim()) || contained.some((form) => value.includes(form));
    const dropped = new Set([
        ...INPUTS.filter((spec) => 'secret' in spec && spec.secret).flatMap((spec) => spec.env),
        ...OUTPUTS.map((spec) => spec.envName),
        options.envName,
        ...(options.withoutSock ? [SOCK_VARIABLE] : []),
    ]);
    const env = {};
    for (const [name, value] of Object.entries(parent)) {
        if (value === undefined || dropped.has(name.toUpperCase()) || dropped.has(name) || holdsSecret(value))
            continue;
        env[name] = value;
    }
    for (const { name, value } of variables(options.result, options.envName))
        env[name] = value;
    if (options.login) {
        Object.assign(env, {
            CX_BASE_AUTH_URI: options.login.authUri,
            CX_TENANT: options.login.tenant,
            CX_CLIENT_ID: options.login.clientId,
            CX_CLIENT_SECRET: options.login.clientSecret,
            CX_BASE_URI: options.result.apiUrl.replace(/\/api\/?$/, ''),
        });
    }
    for (const { name, value } of options.sealed ?? [])
        env[name] = value;
    return env;
}
/** Whether the child logs in through a loopback token endpoint: its hosting's row says (Checkmarx One's). */
function logsInThroughEndpoint(hosting) {
    return hosting !== undefined && HOSTINGS[hosting].childLogin;
}
/** How long a token handed to the child must still be valid: as long as ast-cli keeps one. */
function minValidityFor(env) {
    const asked = Number(env.CX_TOKEN_EXPIRY_SECONDS ?? CX_TOKEN_CACHE_SECONDS);
    const seconds = Number.isFinite(asked) ? asked : CX_TOKEN_CACHE_SECONDS;
    return Math.min(MAX_MIN_VALIDITY_SECONDS, Math.max(MIN_SERVED_VALIDITY_SECONDS, Math.ceil(seconds)));
}
/** 128 + the signal's number, as shells report a command that a signal ended. */
function exitCodeOfChild(code, signal) {
    if (code !== null)
        return code;
    const number = signal ? builtin('node:os').constants.signals[signal] : undefined;
    return 128 + (number ?? 0);
}
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];
async function runExec(context, launcher = NODE_LAUNCHER) {
    const command = context.command ?? [];
    if (command.length === 0 || !command[0]) {
        throw new UsageError('usage/no-command', 'exec needs a command after --: checkmarx-auth exec [flags] -- COMMAND [ARGS...]');
    }
    if (context.flags.format !== undefined)
        context.warn('exec prints nothing itself, so --format is ignored.');
    const values = inputsFromFlags(context.flags, context.env);
    const given = secretValues(values);
    const minValidity = minValidityFor(context.env);
    const source = await tokenSource(context, values, minValidity);
    const secrets = [...given, ...given.map((secret) => cleanPastedKey(secret).value ?? secret), ...source.secrets];
    const envName = source.envName ?? parseEnvName(values['env-name'] ?? defaultOf('env-name'));
    const failed = (what) => (error) => context.warn(`The ${what} for '${command[0]}' could not get a token: ${codedMessage(error)}`);
    const access = source.sealing
        ? await sealedAccess(source, source.sealing, minValidity, context, failed('facade'))
        : await loginAccess(source, minValidity, context, failed('token endpoint'));
    try {
        const env = childEnvironment(context.env, { result: access.first, envName, secrets, ...access.child });
        context.debug(`Running '${command[0]}' with ${access.describe}.`);
        return await runChild(command, env, launcher);
    }
    finally {
        await access.close();
    }
}
/** Not sealed: the token and, for Checkmarx One, the loopback token endpoint with a one-time key. */
async function loginAccess(source, minValidity, context, failed) {
    const { first } = source;
    context.mask(first);
    if (!logsInThroughEndpoint(source.hosting) || !first.tenant) {
        return { first, child: {}, describe: 'a fresh token', close: async () => { } };
    }
    const key = newKey();
    const endpoint = await startTokenEndpoint({
        tenant: first.tenant,
        clientId: EXEC_CLIENT_ID,
        clientSecret: key,
        minValiditySeconds: minValidity,
        token: (seconds) => source.token(seconds),
        serving: (token) => context.mask(token),
        failed,
    });
    context.mask({ execKey: key });
    return {
        first,
        child: { login: { authUri: endpoint.url, tenant: first.tenant, clientId: EXEC_CLIENT_ID, clientSecret: key } },
        describe: `a fresh token and a token endpoint at ${endpoint.url} for as long as it runs`,
        close: () => endpoint.close(),
    };
}
/**
 * Sealed: the child gets a phantom and the facade's variables, and never CX_AUTH_SOCK when exec
 * itself was sealed. The facade is a sealed agent's, or exec's own for the child's life.
 */
async function sealedAccess(source, sealing, minValidity, context, failed) {
    const withoutSock = sealing.asked;
    if (sealing.kind === 'agent') {
        context.mask({ phantom: source.first.accessToken, jobKey: sealing.job.jobKey });
        const child = { sealed: sealedVariables(sealing.job), withoutSock };
        return {
            first: source.first,
            child,
            describe: `a phantom token and the token agent's facade at ${sealing.job.origin}`,
            close: async () => { },
        };
    }
    const seal = await startSeal({ ...sealing.options, serving: (phantom) => context.mask({ phantom }), failed });
    try {
        context.mask({ jobKey: seal.job.jobKey });
        const first = await seal.phantom(minValidity);
        return {
            first,
            child: { sealed: sealedVariables(seal.job), withoutSock },
            describe: `a phantom token and a facade at ${seal.job.origin} for as long as it runs`,
            close: () => seal.close(),
        };
    }
    catch (error) {
        await seal.close();
        throw error;
    }
}
/** Runs the command with inherited stdio, passing signals on; resolves to its exit code. */
function runChild(command, env, launcher) {
    return new Promise((resolve, reject) => {
        const child = startChild(command, env, launcher);
        const handlers = FORWARDED_SIGNALS.map((signal) => [signal, () => void child.kill(signal)]);
        for (const [signal, handler] of handlers)
            process.on(signal, handler);
        const done = () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
        child.once('error', (error) => {
            done();
            reject(startFailure(command[0], error, launcher.platform));
        });
        child.once('exit', (code, signal) => {
            done();
            resolve(exitCodeOfChild(code, signal));
        });
    });
}

;// CONCATENATED MODULE: external "node:path"
const external_node_path_namespaceObject = require("node:path");
;// CONCATENATED MODULE: ./src/agent/launch.js
// Starts the token agent: a detached node process with a clean environment, its settings written
// to its stdin, so that the credentials are in no command line, environment block or file. It
// inherits no stdio and no other descriptor of the process that started it: a CI runner, or a
// reader downstream of a shell's `exec 30>&1`, waits for every holder of a pipe's write end.






// Loaded when an agent starts, not at start-up: the CLI needs node:os for nothing else.
const tmpdir = () => builtin('node:os').tmpdir();
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
        return { address: `\\\\.\\pipe\\checkmarx-auth-${builtin('node:crypto').randomBytes(16).toString('hex')}` };
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
    throw new AgentError('agent/start-failed', 'The token agent cannot start: no temporary folder gives a socket path short enough.');
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
    const { spawn } = builtin('node:child_process');
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
        throw new AgentError('agent/start-failed', 'The token agent did not start (its facade did not answer as a sealed agent does).');
    }
    return { token: answer.result, job: answer.sealed };
}
const cancelled = () => new AgentError('agent/cancelled', 'The token agent did not start: the step was cancelled.');
function waitUntilReady(child, signal) {
    const failed = (why) => new AgentError('agent/start-failed', `The token agent did not start (${why}).`);
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

;// CONCATENATED MODULE: ./src/ci/agent-environment.js
// What the token agent needs of its CI's environment, which the front ends work out and pass to
// the agent as arguments: the folder its socket goes under, and the variables it keeps.

/** Not secrets, and read by Node or Windows at start-up, so they must be in the environment itself. */
const SYSTEM_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'windir'];
/**
 * Every CI's process-tracking variables: its end-of-job cleanup stops every process whose
 * environment holds the job's value, so the agent keeps them whichever CI this is.
 */
const trackingVariables = () => CI_SYSTEMS.flatMap((system) => system.trackingVariables);
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

;// CONCATENATED MODULE: ./src/cli/start-agent.js
// `checkmarx-auth start-agent`: one exchange, then a token agent for the rest of the job; prints
// CX_AUTH_SOCK and the token variables. Sealed (--sealed), the token is a phantom and the
// facade's variables follow (core/sealed-job.ts).









/** The --format values start-agent prints; the first is the default. */
const START_AGENT_FORMATS = ['env', 'json', 'azure', 'powershell'];
async function runStartAgent(context) {
    if (!START_AGENT_FORMATS.includes(context.format)) {
        const [first, ...others] = START_AGENT_FORMATS;
        throw new UsageError('usage/unknown-format', `start-agent prints ${SOCK_VARIABLE} and the token variables: use --format ${first} (the default), ${others.slice(0, -1).join(', ')} or ${others.at(-1)}.`);
    }
    const { settings, result } = await context.exchangeCredentials();
    const arrivedAt = performance.now();
    const key = newKey();
    const entry = (0,external_node_fs_namespaceObject.realpathSync)(process.argv[1] ?? '');
    const environment = keptVariables(context.env);
    const tempBase = anyCiTempFolder(context.env);
    const { address, sealed } = await startAgent({
        entry,
        settings,
        first: result,
        arrivedAt,
        key,
        environment,
        ...(tempBase ? { tempBase } : {}),
    });
    const sock = formatSock(address, key);
    context.mask({ ...result, agentKey: key, authSock: sock, phantom: sealed?.token.accessToken, jobKey: sealed?.job.jobKey });
    context.say(sealed
        ? `Started the sealed token agent; '${SOCK_VARIABLE}' names it, and its facade of the product is at ${sealed.job.origin}${sealed.job.readOnly ? ' (read-only)' : ''}. Stop it with 'checkmarx-auth stop-agent'.`
        : `Started the token agent; '${SOCK_VARIABLE}' names it. Stop it with 'checkmarx-auth stop-agent'.`);
    const variables = sealed ? sealedVariables(sealed.job) : [];
    return context.write(startOutput(context.format, sock, sealed?.token ?? result, settings.envName, variables));
}
/**
 * CX_AUTH_SOCK, then the token variables, then a sealed job's variables: json adds CX_AUTH_SOCK as
 * authSock and the sealed variables under sealedVariables (by name), the variable formats set each,
 * the secret ones as secret variables.
 */
function startOutput(format, sock, result, envName, sealed = []) {
    const variables = formatResult(format, result, envName);
    if (format === 'json') {
        const sealedJson = sealed.length > 0 ? { sealedVariables: Object.fromEntries(sealed.map(({ name, value }) => [name, value])) } : {};
        return `${JSON.stringify({ authSock: sock, ...JSON.parse(variables), ...sealedJson }, null, 2)}\n`;
    }
    if (!isVariableFormat(format))
        throw new UsageError('usage/unknown-format', `start-agent cannot print --format ${format}.`);
    return (variableLines(format, [{ name: SOCK_VARIABLE, value: sock, secret: isSecretVariable(SOCK_VARIABLE) }]) +
        variables +
        variableLines(format, sealed));
}

;// CONCATENATED MODULE: ./src/cli/stop-agent.js
// `checkmarx-auth stop-agent`: stops the agent named by CX_AUTH_SOCK; exit 0 when there is none,
// so that an exit trap after a failed start-agent adds no second error.




async function runStopAgent(context) {
    const sock = context.env[SOCK_VARIABLE];
    if (!sock) {
        context.say(`${SOCK_VARIABLE} is not set: there is no token agent to stop.`);
        return 0;
    }
    const { address, key } = parseSock(sock);
    try {
        const answer = await askAgent(address, { key, op: 'stop' }, STOP_DEADLINE_MS);
        if (!answer.ok)
            throw new AgentError(answer.code, answer.message);
        context.say('Stopped the token agent.');
    }
    catch (error) {
        if (!(error instanceof AgentNotRunning))
            throw error;
        context.say('The token agent had already stopped.');
    }
    return 0;
}

;// CONCATENATED MODULE: ./src/cli/verbs.js
// The CLI's verb registry: the verbs, the flags and formats each takes, and which file runs it (one
// file per verb: token.ts, start-agent.ts, stop-agent.ts, inspect.ts, exec.ts). inspect sends no
// request, so main.ts runs it apart; the others get a VerbContext (verb-context.ts).






const VERBS = ['token', 'start-agent', 'stop-agent', 'inspect', 'exec'];
/** Flags a verb takes besides the input flags. */
const VERB_FLAGS = {
    token: { 'min-validity': { type: 'string' } },
    'start-agent': {},
    'stop-agent': {},
    inspect: {},
    exec: {},
};
/** The --format values each verb prints (stop-agent prints nothing on stdout); the first is the default. */
const VERB_FORMATS = {
    token: FORMATS,
    'start-agent': START_AGENT_FORMATS,
    'stop-agent': [],
    inspect: INSPECT_FORMATS,
    exec: [],
};
const COMMANDS = {
    token: runToken,
    'start-agent': runStartAgent,
    'stop-agent': runStopAgent,
    exec: runExec,
};
function isVerb(word) {
    return VERBS.includes(word ?? '');
}
function runVerb(verb, context) {
    return COMMANDS[verb](context);
}

;// CONCATENATED MODULE: ./src/cli/help.js
// `checkmarx-auth --help`: three copy-paste examples first, then every verb with every format it
// prints, then every flag with its variables. Built from the tables (inputs, formats, verbs), so
// that a new input or format cannot be missing here; every line fits in 100 columns.







const HELP_WIDTH = 100;
/**
 * Shell recipes assign first and eval second: `eval "$(...)"` returns 0 when the
 * command failed, so a script would go on without a token.
 */
const EXAMPLES = [
    '  # Checkmarx One with an API key (in CX_APIKEY, as a secret): the token on stdout',
    '  token="$(checkmarx-auth --product cxone)" || exit 1',
    '',
    '  # CxSAST: set CX_ACCESS_TOKEN, CX_API_URL, ... in this shell (the password in CX_PASSWORD)',
    '  export CX_SERVER_URL=https://cx.example.com CX_USERNAME=ci-user',
    '  cx_env="$(checkmarx-auth --product sast --format env)" || exit 1',
    '  eval "$cx_env"',
    '',
    '  # A job longer than a token lives: the token agent hands out fresh tokens until stopped',
    '  cx_env="$(checkmarx-auth start-agent --product cxone)" || exit 1',
    '  eval "$cx_env"',
    '  token="$(checkmarx-auth token --min-validity 300)" || exit 1',
    '  printf \'Authorization: Bearer %s\\n\' "$token" | curl -fsS -H @- "$CX_API_URL/projects"',
    '  checkmarx-auth stop-agent',
];
/** Inputs whose action wording does not fit the CLI. */
const CLI_DESCRIPTIONS = {
    'export-env': 'Action only: the CLI ignores it (with a warning); use --format env for export lines.',
    'env-name': 'Name of the token variable in the env, azure and powershell formats.',
    agent: 'Action only: the CLI ignores it (with a warning); run checkmarx-auth start-agent instead.',
    sealed: 'start-agent and exec: seal the job. Its code gets phantom tokens and variables that Checkmarx rejects, and a facade of the product on 127.0.0.1 that swaps them for real tokens. See docs/sealed.md.',
    'read-only': 'With --sealed: the facade forwards only GET, HEAD and OPTIONS.',
};
const FORMAT_MEANINGS = {
    token: 'token: the token and a newline.',
    json: 'json: every output as JSON, camelCase keys.',
    env: "env: export NAME='value' lines for eval or . (sh, bash, zsh).",
    azure: 'azure: ##vso[task.setvariable] commands for Azure Pipelines; only the token is secret.',
    powershell: "powershell: $env:NAME = 'value' lines for Invoke-Expression.",
};
const NO_BREAK = '\u00a0';
/** Words wrapped to HELP_WIDTH, each line after the first indented by `indent`; NO_BREAK joins words. */
function wrap(text, indent, first = indent) {
    const lines = [];
    let line = first;
    for (const word of text.split(/[ \n]+/).filter(Boolean)) {
        const candidate = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
        if (candidate.length > HELP_WIDTH && line.trim() !== '') {
            lines.push(line);
            line = `${indent}${word}`;
        }
        else {
            line = candidate;
        }
    }
    lines.push(line);
    return lines.map((wrapped) => wrapped.replaceAll(NO_BREAK, ' '));
}
const formatList = (formats) => formats.join('|');
/** One entry per verb (the compiler sees to it): a new verb cannot be left out of --help. */
const VERB_HELP = {
    'start-agent': {
        flags: '[--flag value ...]',
        what: `Exchange once like the bare command, then start the token agent, a background process that keeps the credentials in memory only. Prints ${SOCK_VARIABLE} and the token variables. With --sealed the tokens are phantoms that only its facade on 127.0.0.1 takes, and the facade's variables follow (see docs/cli.md). Assign, then eval (see the examples): eval "$(...)" would return 0 when the exchange failed.`,
    },
    token: {
        flags: '[--min-validity SECONDS] [--flag value ...]',
        what: `Print a token valid for at least --min-validity seconds (default ${DEFAULT_MIN_VALIDITY}). With ${SOCK_VARIABLE} set it asks the agent, which reuses its token or exchanges again; without it, the same one-shot exchange as the bare command.`,
    },
    'stop-agent': {
        flags: '',
        what: `Stop the agent that ${SOCK_VARIABLE} names (exit 0 also when it is already gone, or ${SOCK_VARIABLE} is not set). Prints nothing on stdout.`,
    },
    inspect: {
        flags: '[--flag value ...]',
        what: 'Send no request: print what the flags and environment resolve to (product, grant type, token endpoint, tenant, region, client id, api-url) and what a Checkmarx One API key says of itself (realm, azp, issued, expiry). Never a secret, nor a piece of one.',
    },
    exec: {
        flags: '[--flag value ...] -- COMMAND [ARGS...]',
        what: `Run COMMAND with a fresh token (CX_ACCESS_TOKEN and the other token variables) and without the credential: every variable that holds one is removed. For Checkmarx One, cx (ast-cli) also gets CX_BASE_AUTH_URI, CX_TENANT, CX_CLIENT_ID, CX_CLIENT_SECRET and CX_BASE_URI: a token endpoint on 127.0.0.1 with a one-time key, for as long as COMMAND runs. Tokens come from the agent (${SOCK_VARIABLE}) or one exchange. With --sealed (or a sealed agent), COMMAND gets phantoms and a facade of the product instead, and no ${SOCK_VARIABLE}. Prints nothing itself; exits with the exit code of COMMAND (128 + the signal). See docs/exec.md.`,
    },
};
const verbs = () => Object.entries(VERB_HELP);
function usageSection() {
    // A bracketed option stays on one line.
    const usage = (first, words) => wrap(words.replace(/\[[^\]]*\]/g, (option) => option.replaceAll(' ', NO_BREAK)), ' '.repeat(9), first);
    return [
        ...usage('Usage:', `checkmarx-auth --product <${formatList(PRODUCT_NAMES)}> [--format ${formatList(FORMATS)}] [--flag value ...]`),
        ...verbs().flatMap(([verb, { flags }]) => {
            const formats = VERB_FORMATS[verb];
            return usage(' '.repeat(7), `checkmarx-auth ${verb}${formats.length > 0 ? ` [--format ${formatList(formats)}]` : ''}${flags ? ` ${flags}` : ''}`);
        }),
    ];
}
function verbSection() {
    return [
        'Verbs:',
        ...verbs().flatMap(([verb, { what }]) => {
            const formats = VERB_FORMATS[verb];
            const printed = formats.length > 0 ? ` Formats: ${formats.join(', ')} (default ${formats[0]}).` : '';
            return wrap(`${what}${printed}`, ' '.repeat(15), `  ${verb.padEnd(12)}`);
        }),
    ];
}
function flagRows() {
    return INPUTS.flatMap((spec) => {
        const fallback = spec.default === undefined ? '' : ` (default:${NO_BREAK}${spec.default})`;
        const description = CLI_DESCRIPTIONS[spec.name] ?? spec.description;
        const value = 'switch' in spec && spec.switch ? '' : ' <value>';
        return [`  --${spec.name}${value}`, ...wrap(`${description}${fallback}`, '      '), `      env: ${spec.env.join(', ')}`];
    });
}
function helpText() {
    return [
        `checkmarx-auth ${VERSION}: exchange Checkmarx credentials for a short-lived access token.`,
        '',
        'Examples (bash; secrets come from the environment, since process lists show flags):',
        ...EXAMPLES,
        '',
        ...usageSection(),
        '',
        ...verbSection(),
        '',
        ...wrap('Every flag may come from its environment variable instead; a flag wins. Give secrets (password, client-secret, api-key) by environment: process lists show flags.', ''),
        '',
        ...flagRows(),
        `  --format <${formatList(FORMATS)}>`,
        '      What stdout gets:',
        ...Object.values(FORMAT_MEANINGS).map((meaning) => `        ${meaning}`),
        '      (default: token)',
        ...wrap(`env, azure and powershell variables: the token as --env-name, then ${OTHER_VARIABLES.join(', ')}.`, '      '),
        '  -h, --help       Show this help.',
        '  -V, --version    Show the version.',
        '',
        'Exit codes: 0 success, 1 the token request failed, 2 bad usage or configuration.',
        '',
    ].join('\n');
}

;// CONCATENATED MODULE: ./src/cli/action-only.js
// Inputs only the action acts on, and flags only some verbs act on (--sealed, --read-only). The CLI
// accepts them (one table of inputs serves both), but a user who gives one expects something to
// happen: say what to run instead.


const INSTEAD = {
    agent: 'to start the token agent, run `checkmarx-auth start-agent` instead',
    'export-env': 'to print export lines for the shell, use --format env instead',
};
/** Flags that only start-agent and exec act on: they switch the sealed facade on. */
const SEALING_FLAGS = ['sealed', 'read-only'];
const SEALING_VERBS = ['start-agent', 'exec'];
/** The warnings for action-only flags and for CX_AGENT=true, in the order a user would fix them. */
function actionOnlyWarnings(flags, env, verb) {
    const warnings = Object.entries(INSTEAD)
        .filter(([name]) => flags[name] !== undefined)
        .map(([name, instead]) => `--${name} is an action input that the CLI ignores: ${instead}.`);
    if (!SEALING_VERBS.includes(verb)) {
        const what = verb ?? 'the bare command';
        for (const name of SEALING_FLAGS.filter((name) => flags[name] !== undefined)) {
            warnings.push(`--${name} is read by start-agent and exec only, so ${what} ignores it: a token printed here is a phantom only when a sealed agent ('checkmarx-auth start-agent --sealed') serves it.`);
        }
    }
    // With an agent running, or when starting or stopping one, CX_AGENT (set for the action) changes nothing.
    const agentVariable = env.CX_AGENT?.trim().toLowerCase() ?? '';
    if (flags.agent === undefined &&
        TRUE_WORDS.includes(agentVariable) &&
        verb !== 'start-agent' &&
        verb !== 'stop-agent' &&
        !env[SOCK_VARIABLE]) {
        warnings.push(`CX_AGENT=${env.CX_AGENT.trim()} is read by the action only, and the CLI starts no agent: ${INSTEAD.agent}.`);
    }
    return warnings;
}

;// CONCATENATED MODULE: ./src/cli/naming.js
// How the CLI names an input in a message: as the flag and the variable a user types, never as
// an action input (`--username / CX_USERNAME`, not `Input 'username'`).

/** `--username / CX_USERNAME`; `--api-key / CX_API_KEY or CX_APIKEY`; `--min-validity` (a flag only). */
function flagAndVariable(input) {
    const spec = INPUTS.find((candidate) => candidate.name === input);
    return spec ? `--${input} / ${spec.env.join(' or ')}` : `--${input}`;
}
const CLI_NAMING = {
    subject: flagAndVariable,
    reference: flagAndVariable,
    several: (references) => references,
};
/** The variable the CLI reads an input from first. */
function variableOf(input) {
    return INPUTS.find((spec) => spec.name === input).env[0];
}

;// CONCATENATED MODULE: ./src/cli/agent-mapping.js
// A later step that runs `checkmarx-auth token` or `exec` without the token agent's CX_AUTH_SOCK
// falls back to an exchange of its own, which then fails for want of inputs. Where the CI system
// hands a step the agent's variable only when the step maps it, that failure is the wrong thing
// to say: the user wanted the agent. One row per such CI system (the GitHub runner and GitLab
// give every later step the job's variables, so they need none).




const MAPPING_HINTS = [
    {
        marker: 'TF_BUILD',
        hint: `${SOCK_VARIABLE} is not set in this step. In Azure Pipelines the CheckmarxAuth@1 task's ${SOCK_VARIABLE} is a secret variable, which a step sees only when it maps it: add \`env: ${SOCK_VARIABLE}: $(${SOCK_VARIABLE})\` to the step (docs/azure-devops.md).`,
    },
];
/** The verbs that use the agent when SOCK_VARIABLE is set, and exchange themselves when it is not. */
const AGENT_VERBS = ['token', 'exec'];
/** The input failure of an exchange made only because no agent was mapped, told as that. */
class UnmappedAgentError extends CheckmarxAuthError {
    constructor(hint, cause) {
        super('agent/not-mapped', `${hint} Without it, this step would exchange credentials itself: ${failureMessage(cause, CLI_NAMING)}`, {
            cause,
        });
        this.name = 'UnmappedAgentError';
    }
}
/** `exchange`, whose input errors say how to map the agent's variable where a step must. */
function withAgentMappingHint(verb, env, exchange) {
    const row = MAPPING_HINTS.find((candidate) => env[candidate.marker]);
    if (!row || !AGENT_VERBS.includes(verb ?? '') || env[SOCK_VARIABLE])
        return exchange;
    return async () => {
        try {
            return await exchange();
        }
        catch (error) {
            throw error instanceof InputError ? new UnmappedAgentError(row.hint, error) : error;
        }
    };
}

;// CONCATENATED MODULE: ./src/agent/server.js
// The token agent process: reads its settings from stdin, listens, hands out tokens to requests
// that carry its key, and stops on request, SIGTERM, when its socket file goes, or after 24 hours.
// A sealed agent also runs the facade (sealed/) beside its socket and hands out phantoms only.
// It has no stdout or stderr after start-up, and logs nothing: no secret can leak from it.










const MAX_SETTINGS_BYTES = 1024 * 1024;
const SETTINGS_DEADLINE_MS = 10_000;
const server_REQUEST_DEADLINE_MS = 10_000;
const SOCKET_POLL_MS = 2_000;
const LIFETIME_MS = 24 * 60 * 60 * 1000;
const SILENT = { info: () => { }, warning: () => { }, debug: () => { } };
function isNamedPipe(address) {
    return address.startsWith('\\\\.\\pipe\\') || address.startsWith('\\\\?\\pipe\\');
}
/** The agent as a process: settings from stdin, `ready` on stdout once it listens, then it lives on. */
async function runAgentProcess() {
    // The proxy variables come in settings.transport, so they are in no environment block.
    const settings = parseSettings(await readStdin());
    await serveAgent(settings, { exit: (code) => process.exit(code), onTerminate: (stop) => process.once('SIGTERM', stop) });
    process.stdout.on('error', () => { });
    process.stdout.write(`${READY_LINE}\n`);
}
/** The server loop around the one exchange, and a sealed agent's facade; resolves once both listen. */
async function serveAgent(settings, host) {
    const cache = new TokenCache(() => requestToken(settings.plan, settings.transport, { ...SYSTEM_IO, log: SILENT }).then(agentToken), () => performance.now(), { result: settings.first, arrivedAt: performance.now() - settings.ageMs });
    const seal = settings.sealed
        ? await startSeal({
            product: settings.plan.profile.name,
            readOnly: settings.sealed.readOnly,
            tokens: realTokensFrom(cache),
            upstream: upstreamSettings(settings.transport, settings.transport.proxy ?? {}),
            ...(settings.first.tenant ? { tenant: settings.first.tenant } : {}),
        })
        : undefined;
    try {
        await new Agent(settings, cache, host, seal).listen();
    }
    catch (error) {
        await seal?.close();
        throw error;
    }
}
function readStdin() {
    return new Promise((resolve, reject) => {
        const chunks = [];
        let size = 0;
        const timer = setTimeout(() => reject(new Error('no settings on stdin')), SETTINGS_DEADLINE_MS);
        process.stdin.on('data', (chunk) => {
            size += chunk.length;
            if (size > MAX_SETTINGS_BYTES)
                reject(new Error('settings too large'));
            else
                chunks.push(chunk);
        });
        process.stdin.once('end', () => {
            clearTimeout(timer);
            resolve(Buffer.concat(chunks).toString('utf8'));
        });
        process.stdin.once('error', reject);
    });
}
function parseSettings(text) {
    const settings = JSON.parse(text);
    const ok = typeof settings.address === 'string' && typeof settings.key === 'string' && typeof settings.plan?.endpoint?.tokenUrl === 'string';
    if (!ok || typeof settings.first?.accessToken !== 'string')
        throw new Error('bad settings');
    return settings;
}
class Agent {
    server;
    timers = [];
    stopping = false;
    settings;
    cache;
    host;
    /** A sealed agent's facade: its answers carry phantoms, never a real token. */
    seal;
    constructor(settings, cache, host, seal) {
        this.settings = settings;
        this.cache = cache;
        this.host = host;
        this.seal = seal;
        this.server = (0,external_node_net_namespaceObject.createServer)((socket) => this.serve(socket));
    }
    async listen() {
        await new Promise((resolve, reject) => {
            this.server.once('error', reject);
            this.server.listen(this.settings.address, () => resolve());
        });
        this.server.on('error', () => this.stop());
        this.host.onTerminate(() => this.stop());
        this.timers.push(setTimeout(() => this.stop(), LIFETIME_MS));
        // A named pipe has no file; the command folder the front end made is watched everywhere.
        const watched = [
            ...(isNamedPipe(this.settings.address) ? [] : [this.settings.address]),
            ...(this.settings.watch ? [this.settings.watch] : []),
        ].map((path) => ({ path, identity: identityOf((0,external_node_fs_namespaceObject.lstatSync)(path)) }));
        if (watched.length > 0) {
            const look = () => watched.forEach(({ path, identity }) => (0,external_node_fs_namespaceObject.lstat)(path, (error, stats) => {
                if (error ? server_GONE.has(error.code ?? '') : identityOf(stats) !== identity)
                    this.stop();
            }));
            this.timers.push(setInterval(look, this.host.pollMs ?? SOCKET_POLL_MS));
        }
    }
    serve(socket) {
        socket.on('error', () => { });
        const deadline = setTimeout(() => socket.destroy(), server_REQUEST_DEADLINE_MS);
        let received = Buffer.alloc(0);
        const onData = (chunk) => {
            received = Buffer.concat([received, chunk]);
            const end = received.indexOf(0x0a);
            if (end === -1 && received.length <= MAX_LINE_BYTES)
                return;
            socket.off('data', onData);
            clearTimeout(deadline);
            if (end === -1 || end > MAX_LINE_BYTES)
                return void socket.destroy();
            // At once: a caller tells a live agent busy with a slow exchange from a frozen one by this.
            socket.write(ACK_LINE);
            // While it works (an exchange), it says so: a caller tells it from a frozen agent by this.
            const heartbeat = setInterval(() => socket.write(HEARTBEAT), this.host.heartbeatMs ?? HEARTBEAT_MS);
            socket.once('close', () => clearInterval(heartbeat));
            void this.answer(parseRequest(received.subarray(0, end).toString('utf8'))).then((answer) => {
                clearInterval(heartbeat);
                // On 'close', which comes also when the caller hangs up first.
                if ('stopped' in answer)
                    socket.once('close', () => this.stop());
                socket.end(encodeLine(answer));
            });
        };
        socket.on('data', onData);
    }
    async answer(request) {
        if (!request)
            return refusal('The token agent got a request it does not understand.');
        if (!keysMatch(request.key, this.settings.key)) {
            return refusal("The token agent refused the request: the key in CX_AUTH_SOCK is not this agent's.");
        }
        if (request.op === 'stop') {
            // Before the answer: once stop-agent has heard it, the facade refuses connections.
            void this.seal?.close();
            return { ok: true, stopped: true, pid: this.host.pid ?? process.pid };
        }
        try {
            const served = await this.cache.get(request.minValidity);
            const hosting = this.settings.plan.profile.hosting;
            if (!this.seal)
                return { ok: true, hosting, ...served };
            // The real token stays here: the phantom stands for it (the cache serves it again, no exchange).
            const phantom = await this.seal.phantom(request.minValidity);
            return { ok: true, hosting, ...served, result: phantom, sealed: this.seal.job };
        }
        catch (error) {
            return { ok: false, code: errorCodeOf(error), message: failureMessage(error), exitCode: exitCodeOf(error) };
        }
    }
    stop() {
        if (this.stopping)
            return;
        this.stopping = true;
        this.timers.forEach(clearTimeout);
        this.server.close();
        // After the job nothing works: the facade refuses connections from now on.
        void this.seal?.close();
        if (this.settings.folder)
            (0,external_node_fs_namespaceObject.rmSync)(this.settings.folder, { recursive: true, force: true });
        this.host.exit(0);
    }
}
/** What the agent watches may be removed, or replaced: by a regular file, by another socket or folder. */
const server_GONE = new Set(['ENOENT', 'ENOTDIR']);
/** A path's identity: its device, inode and type; another file at the same path has another one. */
function identityOf(stats) {
    return `${stats.dev}:${stats.ino}:${stats.mode & 0o170000}`;
}
function refusal(message) {
    return { ok: false, code: 'agent/refused', message, exitCode: EXIT_USAGE };
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

;// CONCATENATED MODULE: ./src/ci/diagnostics.js
// The CLI's diagnostics on stderr: `checkmarx-auth: warning: ...`, or, in a CI whose log shows
// issues (Azure Pipelines' task.logissue), warnings and errors as issues. An error has its stable
// code (core/error-codes.ts): `checkmarx-auth: error [input/missing]: ...`; as an issue
// `checkmarx-auth: [input/missing] ...` with the issue's own `code`.


function diagnosticLine(level, message, env, code) {
    const text = printable(message);
    if (level === 'info')
        return `checkmarx-auth: ${text}\n`;
    const tag = code ? ` [${code}]` : '';
    const issueLine = ciWith(env, 'issueLine');
    if (issueLine)
        return issueLine(level, `checkmarx-auth:${tag} ${text}`, code);
    return `checkmarx-auth: ${level}${tag}: ${text}\n`;
}

;// CONCATENATED MODULE: ./src/core/once-per-value.js
// Registering a secret with a CI's log masking once: the same value may come from an input, the
// settings and the token, and each registration is a line in the log.
/** `register`, called at most once for each distinct value. */
function oncePerValue(register) {
    const registered = new Set();
    return (value) => {
        if (registered.has(value))
            return;
        registered.add(value);
        register(value);
    };
}

;// CONCATENATED MODULE: ./src/cli/main.js
// The CLI for every other CI system: flags and environment in, the token on stdout.






















const FLAGS = {
    ...Object.fromEntries(INPUTS.map((spec) => [spec.name, { type: 'switch' in spec && spec.switch ? 'switch' : 'string' }])),
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean', short: 'V' },
};
function parseCommandLine(argv, verb) {
    try {
        return parseFlags(argv, verb ? { ...FLAGS, ...VERB_FLAGS[verb] } : FLAGS);
    }
    catch (error) {
        throw error instanceof UsageError ? error.withHelp() : error;
    }
}
function parseFormat(value, fallback) {
    const format = (value ?? fallback).toLowerCase();
    if (!FORMATS.includes(format)) {
        throw new UsageError('usage/unknown-format', `--format ${notOneOf(value ?? '', FORMATS)}`);
    }
    return format;
}
/** The CLI with its arguments (argv without node and the script); resolves to the exit code, never rejects. */
async function run(argv, deps) {
    const say = (level) => (message) => deps.stderr(diagnosticLine(level, message, deps.env));
    const wants = { jsonErrors: false };
    try {
        return await main(argv, deps, say, wants);
    }
    catch (error) {
        const code = errorCodeOf(error);
        const message = failureMessage(error, CLI_NAMING);
        deps.stderr(diagnosticLine('error', message, deps.env, code));
        if (wants.jsonErrors)
            deps.stderr(errorJson(code, message));
        if (deps.env.RUNNER_DEBUG === '1')
            stackFrames(error).forEach((frame) => say('info')(frame));
        return exitCodeOf(error);
    }
}
/**
 * With --format json, a failure is also one line of JSON on stderr, `{"code":...,"message":...}`,
 * after the line for people: stdout stays empty on a failure, as for every format.
 */
function errorJson(code, message) {
    return `${JSON.stringify({ code, message: printable(message) })}\n`;
}
async function main(argv, deps, say, wants) {
    const write = (text) => {
        deps.stdout(text);
        return 0;
    };
    if (argv[0] === AGENT_VERB) {
        await runAgentProcess();
        return 0;
    }
    const verb = isVerb(argv[0]) ? argv[0] : undefined;
    if (!verb)
        rejectUnknownVerb(argv[0]);
    const words = verb ? argv.slice(1) : argv;
    // exec: the flags end at the first `--` (no flag value can be one), the command follows.
    const dash = verb === 'exec' ? words.indexOf('--') : -1;
    const flags = parseCommandLine(dash === -1 ? words : words.slice(0, dash), verb);
    // Every verb's JSON reader gets its failure as JSON too; exec prints nothing of its own.
    wants.jsonErrors = verb !== 'exec' && typeof flags.format === 'string' && flags.format.toLowerCase() === 'json';
    if (flags.help)
        return write(helpText());
    if (flags.version)
        return write(`${VERSION}\n`);
    actionOnlyWarnings(flags, deps.env, verb).forEach(say('warning'));
    if (verb === 'inspect') {
        warnSecretFlags(flags, say);
        return runInspect({ flags, env: deps.env, ...deps.io, warn: say('warning'), write });
    }
    const format = parseFormat(flags.format, verb === 'start-agent' ? 'env' : 'token');
    const debug = deps.env.RUNNER_DEBUG === '1' ? say('info') : () => { };
    const masking = logMasking(deps);
    const mask = (values) => runTimeSecretValues(values).forEach((value) => masking?.(value));
    const exchange = withAgentMappingHint(verb, deps.env, () => oneShot(flags, deps, say, debug, masking));
    const command = dash === -1 ? {} : { command: words.slice(dash + 1) };
    const context = {
        flags,
        format,
        env: deps.env,
        exchangeCredentials: exchange,
        say: say('info'),
        warn: say('warning'),
        debug,
        write,
        mask,
    };
    if (verb)
        return runVerb(verb, { ...context, ...command });
    const { settings, result } = await exchange();
    mask(result);
    return write(formatResult(format, result, settings.envName));
}
/**
 * A first word that is not a flag is meant as a verb. It is named only when it is close to one:
 * any other word may be half of an unquoted secret.
 */
function rejectUnknownVerb(word) {
    if (word === undefined || word.startsWith('-'))
        return;
    const suggestion = didYouMean(word, VERBS);
    const verbs = `${VERBS.slice(0, -1).join(', ')} or ${VERBS.at(-1)}`;
    throw new UsageError(suggestion ? 'usage/unknown-verb' : 'usage/unexpected-argument', suggestion
        ? `Unknown verb '${word}'. Did you mean '${suggestion}'? See checkmarx-auth --help.`
        : `Unexpected argument: the first word is a verb (${verbs}) or a --flag. See checkmarx-auth --help.`);
}
/**
 * Inside GitHub Actions or Azure Pipelines, registers a secret with the log's masking on stderr
 * (the runner reads workflow commands there too), once, before anything prints it.
 */
function logMasking(deps) {
    const line = ciWith(deps.env, 'maskLine');
    if (!line)
        return undefined;
    return oncePerValue((value) => deps.stderr(line(value)));
}
function warnSecretFlags(flags, say) {
    const flagged = SECRET_INPUTS.filter((name) => flags[name] !== undefined);
    if (flagged.length > 0) {
        const envs = flagged.map(variableOf).join(', ');
        say('warning')(`${flagged.map((n) => `--${n}`).join(', ')} on the command line can be seen in process lists; set ${envs} instead.`);
    }
}
function oneShot(flags, deps, say, debug, mask) {
    warnSecretFlags(flags, say);
    const values = inputsFromFlags(flags, deps.env);
    return exchangeCredentials(values, {
        ...(mask ? { mask } : {}),
        log: { info: say('info'), warning: say('warning'), debug },
        naming: CLI_NAMING,
        proxy: proxySettings(deps.env),
        ...deps.io,
    });
}

;// CONCATENATED MODULE: ./src/entries/cli.js
// The CLI (dist/cli/index.js, the package's `checkmarx-auth`): runs `run` with the process's
// arguments, environment and I/O, and exits with the code it returns.


// A reader that stops early (`| head -c1`) closes the pipe: that is its choice, not a failure to report.
process.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE')
        throw error;
});
const stdout = (text) => void process.stdout.write(text);
const stderr = (text) => void process.stderr.write(text);
void run(process.argv.slice(2), { env: process.env, io: SYSTEM_IO, stdout, stderr }).then((code) => {
    process.exitCode = code;
});

module.exports = __webpack_exports__;
/******/ })()
;