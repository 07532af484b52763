// End-to-end runners for the committed bundles: dist/index.js the way the GitHub runner starts it,
// and dist/cli/index.js as any CI would. Both get a clean environment so nothing on this machine
// (CX_* variables, proxies) changes what a test sees.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
export const ACTION_ENTRY = join(REPO_ROOT, 'dist', 'index.js');
export const CLI_ENTRY = join(REPO_ROOT, 'dist', 'cli', 'index.js');
export const POST_ENTRY = join(REPO_ROOT, 'dist', 'post', 'index.js');
const KILL_AFTER_MS = 60_000;

export type Env = Record<string, string | undefined>;

// A safety net preloaded into every process under test that asks for it: only loopback names
// resolve, so a bug that bypasses the proxy fails with ENOTFOUND instead of reaching real hosts.
const LOOPBACK_ONLY_DNS = `
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
const lookup = dns.lookup;
dns.lookup = function (host, options, callback) {
  if (['localhost', '127.0.0.1', '::1'].includes(host)) return lookup.apply(this, arguments);
  const done = typeof options === 'function' ? options : callback;
  const error = Object.assign(new Error('getaddrinfo ENOTFOUND ' + host), { code: 'ENOTFOUND', hostname: host, syscall: 'getaddrinfo' });
  process.nextTick(done, error);
};
syncBuiltinESMExports();
`;
/** The environment that preloads the loopback-only DNS guard. */
export const LOOPBACK_ONLY_DNS_ENV: Env = { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(LOOPBACK_ONLY_DNS)}` };

export interface ProcessRun {
  /** null when killed by a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface ActionRun extends ProcessRun {
  outputs: Record<string, string>;
  exported: Record<string, string>;
  /** values of ::add-mask:: lines, unescaped */
  masks: string[];
  state: Record<string, string>;
  summary: string;
  /** the runner's files, for later steps when `keep` was given */
  files: RunnerFiles;
}

export type CliRun = ProcessRun;

export interface ActionRunOptions {
  /** kebab-case input names; undefined drops an action.yml default */
  inputs: Record<string, string | number | boolean | undefined>;
  /** added last, so it can also override anything set here; undefined removes */
  env?: Env;
  cwd?: string;
  /** a folder for the runner's files that the caller removes, so later steps can use them */
  keep?: string;
  /** another action program to run instead of dist/index.js (a copy, a floor for the benchmark) */
  entry?: string;
  /** the Node that runs it (support/nodes.ts), else this one */
  node?: string;
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const temp = options.keep ?? mkdtempSync(join(tmpdir(), 'checkmarx-auth-action-'));
  try {
    const files = runnerFiles(temp);
    const env = cleanEnv({
      GITHUB_ACTIONS: 'true',
      RUNNER_TEMP: files.runnerTemp,
      GITHUB_WORKSPACE: files.workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_ENV: files.env,
      GITHUB_STATE: files.state,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_PATH: files.path,
      ...inputVariables(options.inputs),
      ...options.env,
    });
    const run = await runNode(options.entry ?? ACTION_ENTRY, [], { env, cwd: options.cwd ?? files.workspace }, options.node);
    return {
      ...run,
      outputs: parseFileCommands(readFileSync(files.output, 'utf8')),
      exported: parseFileCommands(readFileSync(files.env, 'utf8')),
      state: parseFileCommands(readFileSync(files.state, 'utf8')),
      summary: readFileSync(files.summary, 'utf8'),
      masks: parseMasks(run.stdout),
      files,
    };
  } finally {
    if (!options.keep) rmSync(temp, { recursive: true, force: true });
  }
}

/** The action's post step, as the runner starts it. */
export function runPost(env: Env, node?: string): Promise<ProcessRun> {
  return runNode(POST_ENTRY, [], { env: cleanEnv({ GITHUB_ACTIONS: 'true', ...env }), cwd: tmpdir() }, node);
}

export interface CliRunOptions {
  env?: Env;
  /** written to stdin, then stdin is closed (it is always closed) */
  input?: string;
  cwd?: string;
  /** another CLI program to run instead of dist/cli/index.js */
  entry?: string;
  /** the Node that runs it (support/nodes.ts), else this one */
  node?: string;
}

export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  return runNode(
    options.entry ?? CLI_ENTRY,
    args,
    {
      env: cleanEnv(options.env ?? {}),
      cwd: options.cwd ?? tmpdir(),
      input: options.input,
    },
    options.node,
  );
}

export type RunnerFiles = ReturnType<typeof runnerFiles>;

function runnerFiles(temp: string) {
  const files = {
    runnerTemp: join(temp, 'runner-temp'),
    workspace: join(temp, 'workspace'),
    output: join(temp, 'github_output'),
    env: join(temp, 'github_env'),
    state: join(temp, 'github_state'),
    summary: join(temp, 'step_summary.md'),
    path: join(temp, 'github_path'),
  };
  mkdirSync(files.runnerTemp);
  mkdirSync(files.workspace);
  for (const file of [files.output, files.env, files.state, files.summary, files.path]) writeFileSync(file, '');
  return files;
}

/** PATH and HOME only, plus `extra`; an undefined value removes the variable. */
export function cleanEnv(extra: Env): NodeJS.ProcessEnv {
  const env: Env = { PATH: process.env['PATH'], HOME: process.env['HOME'], ...extra };
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** INPUT_<NAME> for every action.yml default, then the given inputs, as the runner does. */
export function inputVariables(inputs: ActionRunOptions['inputs']): Env {
  const variables: Env = {};
  for (const [name, value] of Object.entries({ ...actionDefaults(), ...inputs })) {
    variables[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value === undefined ? undefined : String(value);
  }
  return variables;
}

export function actionDefaults(): Record<string, string> {
  const action = parseYaml(readFileSync(join(REPO_ROOT, 'action.yml'), 'utf8')) as {
    inputs?: Record<string, { default?: string | number | boolean | null } | null>;
  };
  const defaults: Record<string, string> = {};
  for (const [name, input] of Object.entries(action.inputs ?? {})) {
    if (input?.default !== undefined && input.default !== null) defaults[name] = String(input.default);
  }
  return defaults;
}

interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  input?: string | undefined;
}

function runNode(entry: string, args: string[], options: SpawnOptions, node = process.execPath): Promise<ProcessRun> {
  return runProcess(node, [entry, ...args], options);
}

/** Runs a command to its end (killed after a bound), stdin closed after `input`, output collected. */
export function runProcess(command: string, args: string[], options: SpawnOptions & { timeoutMs?: number }): Promise<ProcessRun> {
  const started = performance.now();
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    timeout: options.timeoutMs ?? KILL_AFTER_MS,
    killSignal: 'SIGKILL',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdin.on('error', () => {}); // the child may exit before reading stdin
  child.stdin.end(options.input ?? '');
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr, durationMs: performance.now() - started }));
  });
}

/** The runner's file-command format: `name<<delimiter` ... `delimiter` blocks, or `name=value` lines. */
export function parseFileCommands(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const heredoc = /^([^=]+?)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2] ?? '', index + 1);
      if (end === -1) throw new Error(`file command ${heredoc[1]}: delimiter never closed`);
      result[heredoc[1] ?? ''] = lines.slice(index + 1, end).join('\n');
      index = end;
    } else if (line.includes('=')) {
      const equals = line.indexOf('=');
      result[line.slice(0, equals)] = line.slice(equals + 1);
    }
  }
  return result;
}

export function parseMasks(stdout: string): string[] {
  return stdout
    .split(/\r?\n/)
    .filter((line) => line.startsWith('::add-mask::'))
    .map((line) => unescapeCommandData(line.slice('::add-mask::'.length)));
}

// @actions/core escapes % CR LF in command data.
export function unescapeCommandData(value: string): string {
  return value.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

/**
 * What the Azure Pipelines agent makes of a logging command's value (CommandStringConvertor.Unescape,
 * percent decoding on): its four escapes first, then %AZP25.
 */
export function unescapeAzure(value: string): string {
  return value
    .replace(/%3B/g, ';')
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%5D/g, ']')
    .replace(/%AZP25/g, '%');
}

/** The values a CLI registered for masking on stderr: ::add-mask:: or ##vso[task.setsecret] lines, unescaped. */
export function parseStderrMasks(stderr: string): string[] {
  return stderr.split('\n').flatMap((line) => {
    if (line.startsWith('::add-mask::')) return [unescapeCommandData(line.slice('::add-mask::'.length))];
    if (line.startsWith('##vso[task.setsecret]')) return [unescapeAzure(line.slice('##vso[task.setsecret]'.length))];
    return [];
  });
}

/**
 * Fails when a secret, or its URL-encoded, form-encoded or JSON-escaped spelling, shows up in
 * stdout or stderr outside the lines that register it for masking (::add-mask::,
 * ##vso[task.setsecret], which the runner and the agent consume and never show). The message names the secret's index, never it.
 */
export function assertNoLeak(run: { stdout: string; stderr: string }, secrets: string[]): void {
  const places = { stdout: withoutMaskLines(run.stdout), stderr: withoutMaskLines(run.stderr) };
  secrets.forEach((secret, index) => {
    if (secret === '') return;
    for (const [form, spelled] of Object.entries(spellings(secret))) {
      for (const [where, text] of Object.entries(places)) {
        const at = text.indexOf(spelled);
        if (at !== -1) assert.fail(`secret #${index} (${form}) leaked in ${where} at line ${lineOf(text, at)}`);
      }
    }
  });
}

function spellings(secret: string): Record<string, string> {
  return {
    raw: secret,
    encodeURIComponent: encodeURIComponent(secret),
    'form-encoded': new URLSearchParams({ s: secret }).toString().slice(2),
    'JSON-escaped': JSON.stringify(secret).slice(1, -1),
  };
}

function withoutMaskLines(stdout: string): string {
  return stdout
    .split('\n')
    .map((line) => (line.startsWith('::add-mask::') || line.startsWith('##vso[task.setsecret]') ? '' : line))
    .join('\n');
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}
