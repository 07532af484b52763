// `checkmarx-auth --help`: three copy-paste examples first, then every verb with every format it
// prints, then every flag with its variables. Built from the tables (inputs, formats, verbs), so
// that a new input or format cannot be missing here; every line fits in 100 columns.

import { FORMATS, OTHER_VARIABLES } from './formats.ts';
import { DEFAULT_MIN_VALIDITY } from './token.ts';
import { VERB_FORMATS, type Verb } from './verbs.ts';
import { INPUTS } from '../core/inputs.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import { PRODUCT_NAMES } from '../core/products.ts';
import { VERSION } from '../core/version.ts';

export const HELP_WIDTH = 100;

/**
 * Shell recipes assign first and eval second: `eval "$(...)"` returns 0 when the
 * command failed, so a script would go on without a token.
 */
export const EXAMPLES: readonly string[] = [
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
const CLI_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'export-env': 'Action only: the CLI ignores it (with a warning); use --format env for export lines.',
  'env-name': 'Name of the token variable in the env, azure and powershell formats.',
  agent: 'Action only: the CLI ignores it (with a warning); run checkmarx-auth start-agent instead.',
  sealed:
    'start-agent and exec: seal the job. Its code gets phantom tokens and variables that Checkmarx rejects, and a facade of the product on 127.0.0.1 that swaps them for real tokens. See docs/sealed.md.',
  'read-only': 'With --sealed: the facade forwards only GET, HEAD and OPTIONS.',
};

const FORMAT_MEANINGS: Readonly<Record<(typeof FORMATS)[number], string>> = {
  token: 'token: the token and a newline.',
  json: 'json: every output as JSON, camelCase keys.',
  env: "env: export NAME='value' lines for eval or . (sh, bash, zsh).",
  azure: 'azure: ##vso[task.setvariable] commands for Azure Pipelines; only the token is secret.',
  powershell: "powershell: $env:NAME = 'value' lines for Invoke-Expression.",
};

const NO_BREAK = '\u00a0';

/** Words wrapped to HELP_WIDTH, each line after the first indented by `indent`; NO_BREAK joins words. */
export function wrap(text: string, indent: string, first = indent): string[] {
  const lines: string[] = [];
  let line = first;
  for (const word of text.split(/[ \n]+/).filter(Boolean)) {
    const candidate = line.trim() === '' ? `${line}${word}` : `${line} ${word}`;
    if (candidate.length > HELP_WIDTH && line.trim() !== '') {
      lines.push(line);
      line = `${indent}${word}`;
    } else {
      line = candidate;
    }
  }
  lines.push(line);
  return lines.map((wrapped) => wrapped.replaceAll(NO_BREAK, ' '));
}

const formatList = (formats: readonly string[]) => formats.join('|');

interface VerbHelp {
  /** The verb's flags besides --format and the input flags. */
  readonly flags: string;
  readonly what: string;
}

/** One entry per verb (the compiler sees to it): a new verb cannot be left out of --help. */
const VERB_HELP: Readonly<Record<Verb, VerbHelp>> = {
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

const verbs = () => Object.entries(VERB_HELP) as Array<[Verb, VerbHelp]>;

function usageSection(): string[] {
  // A bracketed option stays on one line.
  const usage = (first: string, words: string) =>
    wrap(
      words.replace(/\[[^\]]*\]/g, (option) => option.replaceAll(' ', NO_BREAK)),
      ' '.repeat(9),
      first,
    );
  return [
    ...usage('Usage:', `checkmarx-auth --product <${formatList(PRODUCT_NAMES)}> [--format ${formatList(FORMATS)}] [--flag value ...]`),
    ...verbs().flatMap(([verb, { flags }]) => {
      const formats = VERB_FORMATS[verb];
      return usage(
        ' '.repeat(7),
        `checkmarx-auth ${verb}${formats.length > 0 ? ` [--format ${formatList(formats)}]` : ''}${flags ? ` ${flags}` : ''}`,
      );
    }),
  ];
}

function verbSection(): string[] {
  return [
    'Verbs:',
    ...verbs().flatMap(([verb, { what }]) => {
      const formats = VERB_FORMATS[verb];
      const printed = formats.length > 0 ? ` Formats: ${formats.join(', ')} (default ${formats[0]}).` : '';
      return wrap(`${what}${printed}`, ' '.repeat(15), `  ${verb.padEnd(12)}`);
    }),
  ];
}

function flagRows(): string[] {
  return INPUTS.flatMap((spec) => {
    const fallback = spec.default === undefined ? '' : ` (default:${NO_BREAK}${spec.default})`;
    const description = CLI_DESCRIPTIONS[spec.name] ?? spec.description;
    const value = 'switch' in spec && spec.switch ? '' : ' <value>';
    return [`  --${spec.name}${value}`, ...wrap(`${description}${fallback}`, '      '), `      env: ${spec.env.join(', ')}`];
  });
}

export function helpText(): string {
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
    ...wrap(
      'Every flag may come from its environment variable instead; a flag wins. Give secrets (password, client-secret, api-key) by environment: process lists show flags.',
      '',
    ),
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
