// `npm run bench`: wall time (spawn to exit) of the action and CLI bundles against the test token
// server, next to a minimal node:http script that does the same exchange; the dist/ sizes; and the
// time to a clear failure. `--write` also rewrites BENCHMARKS.md. See the intro written there.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { backoffMs } from '../src/grant.ts';
import { ACTION_ENTRY, CLI_ENTRY, REPO_ROOT, assertNoLeak, cleanEnv, inputVariables, parseFileCommands, parseMasks } from '../__tests__/support/run.ts';
import type { Env } from '../__tests__/support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer } from '../__tests__/support/token-server.ts';
import type { TokenServer } from '../__tests__/support/token-server.ts';

const MINIMAL_ENTRY = join(REPO_ROOT, 'scripts', 'bench', 'minimal.js');
const BENCHMARKS_FILE = join(REPO_ROOT, 'BENCHMARKS.md');
const TARGET_RATIO = 1.15;
const KILL_AFTER_MS = 30_000;
const WRONG_PASSWORD = 'not the password';

interface Options {
  runs: number;
  warmup: number;
  write: boolean;
  /** more action bundles to time next to dist/index.js, e.g. an old build */
  also: string[];
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '40' },
      warmup: { type: 'string', default: '2' },
      write: { type: 'boolean', default: false },
      also: { type: 'string', multiple: true, default: [] },
    },
  });
  const count = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got '${text}'`);
    return value;
  };
  return {
    runs: count('runs', values.runs, 1),
    warmup: count('warmup', values.warmup, 0),
    write: values.write,
    also: values.also.map((path) => resolve(path)),
  };
}

// ---- spawning and checking one run ----

interface Sample {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Spawns node on `entry`; the time runs from spawn to the child's exit. */
function timeNode(entry: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Sample> {
  const started = performance.now();
  const child = spawn(process.execPath, [entry, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'], timeout: KILL_AFTER_MS, killSignal: 'SIGKILL' });
  let ms = 0;
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.once('exit', () => (ms = performance.now() - started));
  return new Promise((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolvePromise({ code, stdout, stderr, ms }));
  });
}

/** The files the runner hands an action; emptied before every run. */
interface RunnerFiles {
  dir: string;
  env: Env;
  output: string;
}

function makeRunnerFiles(work: string): RunnerFiles {
  const dir = join(work, 'runner');
  mkdirSync(dir);
  const path = (name: string) => join(dir, name);
  const env = {
    GITHUB_ACTIONS: 'true',
    RUNNER_TEMP: dir,
    GITHUB_WORKSPACE: dir,
    GITHUB_OUTPUT: path('github_output'),
    GITHUB_ENV: path('github_env'),
    GITHUB_STATE: path('github_state'),
    GITHUB_STEP_SUMMARY: path('step_summary.md'),
    GITHUB_PATH: path('github_path'),
  };
  return { dir, env, output: env.GITHUB_OUTPUT };
}

function emptyRunnerFiles(files: RunnerFiles): void {
  for (const name of ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_STATE', 'GITHUB_STEP_SUMMARY', 'GITHUB_PATH']) {
    writeFileSync(files.env[name] as string, '');
  }
}

/**
 * Copies each program into a folder of its own (with an ESM package.json, as dist/ has), so that a
 * concurrent `npm run build`, which empties dist/, cannot break a run, and all start alike.
 */
function snapshot(work: string, sources: string[]): Map<string, string> {
  const copies = new Map<string, string>();
  sources.forEach((source, index) => {
    if (!existsSync(source)) throw new Error(`${relative(REPO_ROOT, source)} is missing: run 'npm run build' first.`);
    const dir = join(work, `program-${index}`);
    mkdirSync(dir);
    copyFileSync(source, join(dir, basename(source)));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    copies.set(source, join(dir, basename(source)));
  });
  return copies;
}

interface Program {
  name: string;
  run(): Promise<Sample>;
}

interface Context {
  server: TokenServer;
  files: RunnerFiles;
  /** source path -> the copy that runs */
  copies: Map<string, string>;
}

const copyOf = (context: Context, source: string) => context.copies.get(source) ?? source;

/** Started as the runner starts an action: INPUT_* with action.yml defaults, the runner's files. */
function runAsAction(context: Context, entry: string, inputs: Record<string, string>): Promise<Sample> {
  emptyRunnerFiles(context.files);
  const env = cleanEnv({ ...context.files.env, ...inputVariables(inputs) });
  return timeNode(copyOf(context, entry), [], env, context.files.dir);
}

function sastInputs(server: TokenServer, password: string = DEFAULT_SAST_USER.password): Record<string, string> {
  return { product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, password };
}

/** The run succeeded the way a user would check it: exit 0, a token issued by the server, masked, in GITHUB_OUTPUT. */
function assertActionSucceeded(name: string, context: Context, sample: Sample): void {
  assert.equal(sample.code, 0, `${name} failed:\n${sample.stdout}${sample.stderr}`);
  const token = parseFileCommands(readFileSync(context.files.output, 'utf8'))['access-token'];
  assert.ok(token && context.server.issuedAccessTokens.includes(token), `${name}: no issued token in GITHUB_OUTPUT`);
  assert.ok(parseMasks(sample.stdout).includes(token), `${name}: the token was not masked`);
  assertNoLeak(sample, [DEFAULT_SAST_USER.password]);
}

function actionProgram(context: Context, name: string, entry: string): Program {
  return {
    name,
    async run() {
      const sample = await runAsAction(context, entry, sastInputs(context.server));
      assertActionSucceeded(name, context, sample);
      return sample;
    },
  };
}

function cliProgram(context: Context): Program {
  const name = `CLI (${relative(REPO_ROOT, CLI_ENTRY)})`;
  const args = ['--product', 'sast', '--server-url', context.server.url, '--username', DEFAULT_SAST_USER.username];
  return {
    name,
    async run() {
      const sample = await timeNode(copyOf(context, CLI_ENTRY), args, cleanEnv({ CX_PASSWORD: DEFAULT_SAST_USER.password }), context.files.dir);
      assert.equal(sample.code, 0, `${name} failed:\n${sample.stderr}`);
      assert.ok(context.server.issuedAccessTokens.includes(sample.stdout.trim()), `${name}: stdout is not an issued token`);
      return sample;
    },
  };
}

function programs(context: Context, options: Options): Program[] {
  return [
    actionProgram(context, `action (${relative(REPO_ROOT, ACTION_ENTRY)})`, ACTION_ENTRY),
    cliProgram(context),
    actionProgram(context, `minimal (${relative(REPO_ROOT, MINIMAL_ENTRY)})`, MINIMAL_ENTRY),
    ...options.also.map((entry) => actionProgram(context, `also: ${entry}`, entry)),
  ];
}

// ---- statistics ----

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return (sorted[low] ?? NaN) + ((sorted[high] ?? NaN) - (sorted[low] ?? NaN)) * (rank - low);
}

const median = (values: number[]) => percentile(values, 50);
const ms = (value: number) => value.toFixed(1);

/**
 * Rounds of A, B, C, then B, C, A, then C, A, B, ...: drift of the machine hits every program
 * alike, and so does whatever the position in a round costs.
 */
async function interleave(list: Program[], options: Options): Promise<Map<Program, number[]>> {
  const times = new Map(list.map((program) => [program, [] as number[]]));
  for (let round = 0; round < options.warmup + options.runs; round++) {
    const start = round % list.length;
    for (const program of [...list.slice(start), ...list.slice(0, start)]) {
      const sample = await program.run();
      if (round >= options.warmup) times.get(program)?.push(sample.ms);
    }
  }
  return times;
}

interface Row {
  name: string;
  median: number;
  p90: number;
  ratio: number;
}

function rows(times: Map<Program, number[]>): Row[] {
  const stats = [...times].map(([program, values]) => ({ name: program.name, median: median(values), p90: percentile(values, 90) }));
  const floor = stats.find((row) => row.name.startsWith('minimal'))?.median ?? NaN;
  return stats.map((row) => ({ ...row, ratio: row.median / floor }));
}

// ---- failures ----

interface FailureSpec {
  name: string;
  /** what differs from the defaults, as shown in the table */
  label: string;
  inputs: Record<string, string>;
  expect: RegExp;
  attempts: number;
  /** per attempt; 0 when an attempt ends at once (an answer, a refused connection) */
  timeoutMs: number;
}

interface FailureCase extends FailureSpec {
  median: number;
  code: number | null;
  message: string;
}

/** What the action's ::error:: line says, unescaped as the runner shows it. */
function errorMessage(stdout: string): string {
  const line = stdout.split(/\r?\n/).find((text) => text.startsWith('::error::')) ?? '';
  return line.slice('::error::'.length).replace(/%0D/gi, '').replace(/%0A/gi, ' ').replace(/%25/g, '%');
}

/** Worst case: every attempt runs into its deadline, every backoff at its maximum (grant.ts's formula, random = 1). */
function boundMs(spec: FailureSpec): number {
  let backoff = 0;
  for (let attempt = 1; attempt < spec.attempts; attempt++) backoff += backoffMs(attempt, undefined, 1);
  return spec.attempts * spec.timeoutMs + backoff;
}

function boundText(spec: FailureSpec): string {
  if (spec.attempts === 1) return '1 round trip';
  const perAttempt = spec.timeoutMs === 0 ? '0 (refused)' : `${spec.timeoutMs}`;
  return `${spec.attempts} × ${perAttempt} + ≤ ${boundMs(spec) - spec.attempts * spec.timeoutMs} backoff = ${boundMs(spec)} ms + start-up`;
}

async function timeFailure(context: Context, spec: FailureSpec, repeats: number): Promise<FailureCase> {
  const samples: Sample[] = [];
  for (let i = 0; i < repeats; i++) {
    const sample = await runAsAction(context, ACTION_ENTRY, spec.inputs);
    assert.equal(sample.code, 1, `${spec.name}: expected exit 1:\n${sample.stdout}${sample.stderr}`);
    assert.match(errorMessage(sample.stdout), spec.expect, spec.name);
    const attempts = Number(/after (\d+) attempts/.exec(errorMessage(sample.stdout))?.[1] ?? 1);
    assert.equal(attempts, spec.attempts, `${spec.name}: attempts`);
    assertNoLeak(sample, [spec.inputs['password'] ?? '']);
    samples.push(sample);
  }
  const first = samples[0] as Sample;
  return { ...spec, median: median(samples.map((sample) => sample.ms)), code: first.code, message: errorMessage(first.stdout) };
}

async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((done, reject) => server.once('error', reject).listen(0, '127.0.0.1', done));
  return (server.address() as AddressInfo).port;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  const port = await listenOnLoopback(server);
  await new Promise((done) => server.close(done));
  return port;
}

/** Accepts connections and never answers. */
async function startBlackhole(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  const port = await listenOnLoopback(server);
  const close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((done) => server.close(done));
  };
  return { port, close };
}

function failureSpecs(server: TokenServer, refusedPort: number, blackholePort: number): FailureSpec[] {
  const at = (port: number) => `http://127.0.0.1:${port}`;
  return [
    {
      name: 'wrong password',
      label: 'defaults',
      inputs: sastInputs(server, WRONG_PASSWORD),
      expect: /HTTP 400 invalid_grant/,
      attempts: 1,
      timeoutMs: 0,
    },
    {
      name: 'unreachable (closed port)',
      label: '`max-attempts: 3` (default)',
      inputs: { ...sastInputs(server), 'server-url': at(refusedPort) },
      expect: /ECONNREFUSED/,
      attempts: 3,
      timeoutMs: 0,
    },
    {
      name: 'blackhole (accepts, never answers)',
      label: '`timeout-seconds: 1`, `max-attempts: 2`',
      inputs: { ...sastInputs(server), 'server-url': at(blackholePort), 'timeout-seconds': '1', 'max-attempts': '2' },
      expect: /within 1 s \(timeout-seconds\)/,
      attempts: 2,
      timeoutMs: 1000,
    },
  ];
}

async function failures(context: Context, options: Options): Promise<FailureCase[]> {
  // One-round-trip failures are cheap to repeat; the retrying ones take seconds each.
  const repeats = (spec: FailureSpec) => (spec.attempts === 1 ? Math.max(3, Math.min(10, Math.ceil(options.runs / 4))) : options.runs >= 10 ? 3 : 1);
  const blackhole = await startBlackhole();
  try {
    const cases: FailureCase[] = [];
    for (const spec of failureSpecs(context.server, await closedPort(), blackhole.port)) {
      const before = context.server.requests.length;
      const result = await timeFailure(context, spec, repeats(spec));
      if (spec.attempts === 1) assert.equal(context.server.requests.length - before, repeats(spec), `${spec.name}: one request per run`);
      cases.push(result);
    }
    return cases;
  } finally {
    await blackhole.close();
  }
}

// ---- report ----

function header(options: Options): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on Node ${process.version}, ${process.platform}/${process.arch}; ` +
      `${cpu}, availableParallelism ${availableParallelism()}, ${cpus().length} cores; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at start.`,
    `${options.runs} runs per program after ${options.warmup} warm-up rounds, interleaved; wall time from spawn to exit.`,
  ].join('\n');
}

function timingTable(list: Row[]): string {
  const lines = ['| program | median ms | p90 ms | ratio to minimal |', '|---|---:|---:|---:|'];
  for (const row of list) lines.push(`| ${row.name} | ${ms(row.median)} | ${ms(row.p90)} | ${row.ratio.toFixed(2)} |`);
  return lines.join('\n');
}

function verdict(list: Row[]): string {
  const action = list[0] as Row;
  const met = action.ratio <= TARGET_RATIO;
  return `Target: action / minimal ≤ ${TARGET_RATIO}: ${met ? 'met' : 'NOT met'} (${action.ratio.toFixed(2)}).`;
}

function sizeTable(context: Context): string {
  const lines = ['| bundle | bytes | KiB |', '|---|---:|---:|'];
  for (const file of [ACTION_ENTRY, CLI_ENTRY, MINIMAL_ENTRY]) {
    const bytes = statSync(copyOf(context, file)).size;
    lines.push(`| ${relative(REPO_ROOT, file)} | ${bytes} | ${(bytes / 1024).toFixed(1)} |`);
  }
  return lines.join('\n');
}

function failureTable(cases: FailureCase[]): string {
  const lines = ['| case | inputs | median ms | attempts | bound | exit code |', '|---|---|---:|---:|---|---:|'];
  for (const c of cases) lines.push(`| ${c.name} | ${c.label} | ${ms(c.median)} | ${c.attempts} | ${boundText(c)} | ${c.code} |`);
  lines.push('', 'What the action says (the `::error::` line):', '');
  for (const c of cases) lines.push(`- ${c.name}: \`${c.message.replace(/`/g, "'")}\``);
  return lines.join('\n');
}

function report(options: Options, list: Row[], cases: FailureCase[], context: Context): string {
  return [
    header(options),
    '',
    '### Start-up and one exchange',
    '',
    timingTable(list),
    '',
    verdict(list),
    '',
    '### Bundle sizes',
    '',
    sizeTable(context),
    '',
    '### Time to a clear failure (action)',
    '',
    failureTable(cases),
    '',
  ].join('\n');
}

const INTRO = `# Benchmarks

The action runs in every pipeline, so its start-up cost is paid on every run. The floor is
\`scripts/bench/minimal.js\`: a plain Node script that does the same exchange with \`node:http\`
(one form POST, parse the JSON, print the mask, append the output to \`GITHUB_OUTPUT\`) and nothing
else: no validation, no retries, no hints.

\`npm run bench\` starts the project's test token server on loopback (plain http) and measures the
wall time, from spawn to exit, of the action bundle \`dist/index.js\` started as the runner starts it
(\`INPUT_*\` variables with the action.yml defaults, \`GITHUB_OUTPUT\` / \`GITHUB_ENV\` files), the CLI
bundle \`dist/cli/index.js\`, and the minimal script. The programs run interleaved, the order rotating each round (A, B, C, then B, C, A,
then C, A, B, ...) so that drift of the machine hits them alike; every run is checked (exit 0, a token issued by
the server, masked, in the output). Target: the action's median is at most ${TARGET_RATIO} × the
minimal script's. It also times the action's failures: a wrong password, a closed port, a host that
accepts and never answers.

    npm run bench                      # print the tables
    npm run bench -- --write           # also rewrite this file
    npm run bench -- --runs 80 --warmup 3
    npm run bench -- --also /tmp/old/index.js   # time another action bundle next to dist/index.js

Numbers from a shared or busy machine are noisy: compare the ratios, and rerun when the machine is quiet.

## Results
`;

// Measured once by hand (not by this script), with the commands given in the text.
const WHERE_THE_TIME_WENT = `
## Where the time went

Measured on 2026-11-22 on the machine above (2 cores, Node v24.21.0) while other jobs were running
(load average about 3), so read the differences, not the absolute numbers.

**The first action bundle imported \`@actions/core\`'s entry** (521 kB). That module also loads
core's OIDC client and, through it, \`@actions/http-client\` with its copy of undici, and
\`@actions/exec\` for its platform helpers: code this action never runs, compiled and evaluated on
every start. \`src/runner.ts\` now uses core's own \`command.js\` module
directly (the same escaping), and the action bundle is about 35 kB.

- Old bundle against the current one, this script with \`--also\` (40 interleaved runs each): old
  225.5 ms median, current 130.3 ms, minimal 97.8 ms.
- Throwaway ncc bundles (same flags as the build: \`--minify --target es2022\`), 40 interleaved
  spawns each, median over an empty bundle (58.5 ms): core's \`command.js\` + \`file-command.js\`
  (2.0 kB) +9.2 ms; \`@actions/http-client\`'s entry alone (463 kB) +115.9 ms; \`@actions/core\`'s
  entry (490 kB) +120.2 ms. All of the cost is http-client's undici.
- \`node --cpu-prof\` of the \`@actions/core\` bundle: 144 to 182 ms of profile against 38 ms for the
  empty bundle. Of the difference, 60 to 80 ms go to Node compiling the built-ins that undici and
  core's entry load (http, https, tls, http2, zlib, dns, worker_threads, dgram, child_process, ...),
  40 to 50 ms to compiling and running the bundle's own code, about 10 ms to garbage collection.

**A trap for the floor.** On Node 24, \`import { request } from 'node:http'\` in an ES module builds
the ESM facade of \`node:http\`, which touches its lazy exports and loads Node's internal undici:
+72 ms over an empty script, against +0.6 ms for \`process.getBuiltinModule('node:http')\`. The ncc
bundles \`require()\` their built-ins, so \`scripts/bench/minimal.js\` uses
\`process.getBuiltinModule\`: with a plain \`import\` the "floor" was slower than the action.

**Then the last 20 ms.** With core's entry gone the action still took 1.22 to 1.33 × the floor.
\`node --cpu-prof\` (12 runs each, inclusive time averaged) and \`process.moduleLoadList\` showed
three costs the floor does not pay, each now removed:

- \`node:tls\` and \`node:https\` were imported at start-up even for an \`http://\` URL; \`src/http.ts\`
  now loads them on first use (\`process.getBuiltinModule\`), and so does \`src/config.ts\` for
  \`node:crypto\`'s X509Certificate, needed only with \`ca-cert\`. A real \`https://\` endpoint
  still loads TLS, as it must. The CLI went from 1.20-1.29 to about 1.05.
- The per-attempt deadline used an AbortSignal on \`http.request\`; Node's abort-listener machinery
  cost about 5 ms on first use. The deadline is now a timer that destroys what the attempt opened
  (same behaviour, same tests).
- core's \`file-command.js\` imports \`node:crypto\` to make a heredoc delimiter for every output,
  about 10 ms of start-up. \`src/runner.ts\` now writes single-line values in the runner's
  \`name=value\` form, which needs no delimiter, and keeps the heredoc form (with a random
  delimiter, loading \`node:crypto\` then) for a value with a line break. Every value this action
  writes is a single line, so the fast path is the path users run.

The benchmark also rotates the order of the programs in each round: with a fixed order the first
program of a round was measured a few milliseconds slower.

To reproduce the comparison with the old bundle: \`git show 0f28914:dist/index.js > /tmp/old/index.js\`,
put \`{"type": "module"}\` in \`/tmp/old/package.json\`, and run \`npm run bench -- --also /tmp/old/index.js\`.
For a profile, run a bundle with \`node --cpu-prof\` and the same \`INPUT_*\` variables.
`;

// ---- main ----

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const work = mkdtempSync(join(tmpdir(), 'checkmarx-auth-bench-'));
  const server = await startTokenServer();
  try {
    const copies = snapshot(work, [ACTION_ENTRY, CLI_ENTRY, MINIMAL_ENTRY, ...options.also]);
    const context: Context = { server, files: makeRunnerFiles(work), copies };
    const list = rows(await interleave(programs(context, options), options));
    const cases = await failures(context, options);
    const text = report(options, list, cases, context);
    process.stdout.write(text);
    if (options.write) {
      writeFileSync(BENCHMARKS_FILE, `${INTRO}\n${text}${WHERE_THE_TIME_WENT}`);
      process.stdout.write(`\nWrote ${basename(BENCHMARKS_FILE)}.\n`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    await server.close();
  }
}

main().catch((error: unknown) => {
  // A failed check shows its details; anything else (dist/ missing, a bad flag) just says what is wrong.
  console.error(error instanceof assert.AssertionError ? error : `bench: ${(error as Error).message}`);
  process.exitCode = 1;
});
