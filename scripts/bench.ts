// `npm run bench`: wall time, from spawn to exit, of the action and CLI bundles getting a token from
// the test token server, each next to its floor: a CommonJS script that does the same exchange and
// nothing else. The programs run interleaved and each pair's ratio is taken round by round. Then
// the agent's resident memory, exec's token endpoint and the sealed facade (scripts/bench/facade.ts).
// BENCHMARKS.md is written by hand from this output; it also says why the floors are CommonJS.

import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ACTION_ENTRY, CLI_ENTRY, REPO_ROOT, assertNoLeak, runAction, runCli } from '../__tests__/support/run.ts';
import { DEFAULT_REALM, DEFAULT_SAST_USER, startTokenServer } from '../__tests__/support/token-server.ts';
import { agentPidsUnder } from '../__tests__/support/processes.ts';
import { askAgent } from '../src/agent/client.ts';
import { parseSock } from '../src/agent/protocol.ts';
import type { TokenServer } from '../__tests__/support/token-server.ts';
import { facadeFigures } from './bench/facade.ts';
import { spread } from './bench/spread.ts';

const ACTION_FLOOR = join(REPO_ROOT, 'scripts', 'bench', 'minimal.cjs');
const CLI_FLOOR = join(REPO_ROOT, 'scripts', 'bench', 'minimal-cli.cjs');
const SOCKET_FLOOR = join(REPO_ROOT, 'scripts', 'bench', 'socket-floor.cjs');
const ENDPOINT_CLIENT = join(REPO_ROOT, 'scripts', 'bench', 'endpoint-client.cjs');
// Issue 29: 1.15 x the honest floors for the action and the CLI (goal 1.05).
const TARGET_RATIO = 1.15;
const AGENT_TARGET_RATIO = 1.3;
/** Issue 29: `exec -- true` within 1.25 x `token` (goal 1.10); issue 20: a cached token from exec's endpoint within 2 ms. */
const EXEC_TARGET_RATIO = 1.25;
const ENDPOINT_GOAL_MS = 2;
const ENDPOINT_REQUESTS = 100;

interface Options {
  runs: number;
  warmup: number;
  /** more action programs to time against the action's floor, run where they are (e.g. an old build) */
  also: string[];
  /** the size of each upload and download through the sealed facade */
  transferMib: number;
  /** after how many requests the agent's memory is read (the last two give the growth) */
  memoryRequests: number[];
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      runs: { type: 'string', default: '100' },
      warmup: { type: 'string', default: '3' },
      also: { type: 'string', multiple: true, default: [] },
      'transfer-mib': { type: 'string', default: '256' },
      'memory-requests': { type: 'string', default: '10,1000,10000' },
    },
  });
  const count = (name: string, text: string, min: number) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be an integer >= ${min}, got '${text}'`);
    return value;
  };
  const readCounts = (text: string) => {
    const counts = text.split(',').map((part) => count('memory-requests', part, 1));
    if (counts.length < 2 || counts.some((value, index) => index > 0 && value <= counts[index - 1]!)) {
      throw new Error(`--memory-requests must be two or more rising counts, got '${text}'`);
    }
    return counts;
  };
  return {
    runs: count('runs', values.runs, 1),
    warmup: count('warmup', values.warmup, 0),
    also: values.also.map((path) => resolve(path)),
    transferMib: count('transfer-mib', values['transfer-mib'], 1),
    memoryRequests: readCounts(values['memory-requests']),
  };
}

// ---- programs and pairs ----

/** One program to time. `run` starts it once, checks what a user would check, and returns the wall time. */
interface Program {
  name: string;
  /** the file measured (shown with its size) */
  source: string;
  /** the file that runs: a copy of `source`, made before the first round */
  entry: string;
  run(): Promise<number>;
}

/** A program and the floor it is compared with, round by round. */
interface Pair {
  name: string;
  subject: Program;
  floor: Program;
  /** the goal for the median ratio */
  target: number;
}

const label = (file: string) => (file.startsWith(REPO_ROOT) ? relative(REPO_ROOT, file) : file);

/** Started as the runner starts an action (INPUT_* with action.yml's defaults, the runner's files). */
function actionProgram(server: TokenServer, name: string, source: string, entry: string): Program {
  const inputs = { product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, password: DEFAULT_SAST_USER.password };
  return {
    name: `${name} (${label(source)})`,
    source,
    entry,
    async run() {
      const run = await runAction({ entry, inputs });
      assert.equal(run.code, 0, `${name} failed:\n${run.stdout}${run.stderr}`);
      const token = run.outputs['access-token'] ?? '';
      assert.ok(server.issuedAccessTokens.includes(token), `${name}: no issued token in GITHUB_OUTPUT`);
      assert.ok(run.masks.includes(token), `${name}: the token was not masked`);
      assertNoLeak(run, [DEFAULT_SAST_USER.password]);
      return run.durationMs;
    },
  };
}

/** Started as another CI would: flags, the password in CX_PASSWORD, the token on stdout. */
function cliProgram(server: TokenServer, name: string, source: string, entry: string): Program {
  const args = ['--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username];
  return {
    name: `${name} (${label(source)})`,
    source,
    entry,
    async run() {
      const run = await runCli(args, { entry, env: { CX_PASSWORD: DEFAULT_SAST_USER.password } });
      assert.equal(run.code, 0, `${name} failed:\n${run.stderr}`);
      assert.ok(server.issuedAccessTokens.includes(run.stdout.trim()), `${name}: stdout is not an issued token`);
      assertNoLeak(run, [DEFAULT_SAST_USER.password]);
      return run.durationMs;
    },
  };
}

/** `checkmarx-auth token` with CX_AUTH_SOCK set, or the socket floor: served by a running agent, no exchange. */
function agentProgram(server: TokenServer, name: string, source: string, entry: string, sock: string, cached: string): Program {
  return {
    name: `${name} (${label(source)})`,
    source,
    entry,
    async run() {
      const issued = server.issuedAccessTokens.length;
      const run = await runCli(source === CLI_ENTRY ? ['token'] : [], { entry, env: { CX_AUTH_SOCK: sock } });
      assert.equal(run.code, 0, `${name} failed:\n${run.stderr}`);
      if (source === CLI_ENTRY) assert.equal(run.stdout.trim(), cached, `${name}: not the agent's cached token`);
      assert.equal(server.issuedAccessTokens.length, issued, `${name}: the agent exchanged again`);
      return run.durationMs;
    },
  };
}

/** `checkmarx-auth exec -- true` with a Checkmarx One agent: the endpoint starts and closes, the child does nothing. */
function execProgram(server: TokenServer, name: string, entry: string, sock: string): Program {
  return {
    name: `${name} (${label(CLI_ENTRY)})`,
    source: CLI_ENTRY,
    entry,
    async run() {
      const issued = server.issuedAccessTokens.length;
      const run = await runCli(['exec', '--', 'true'], { entry, env: { CX_AUTH_SOCK: sock } });
      assert.equal(run.code, 0, `${name} failed:\n${run.stderr}`);
      assert.equal(server.issuedAccessTokens.length, issued, `${name}: the agent exchanged again`);
      return run.durationMs;
    },
  };
}

/** The inputs of a Checkmarx One OAuth client on the bench's token server. */
const cxoneEnv = (server: TokenServer) => ({
  CX_PRODUCT: 'cxone',
  CX_BASE_AUTH_URI: server.url,
  CX_TENANT: DEFAULT_REALM.name,
  CX_CLIENT_ID: DEFAULT_REALM.clientId,
  CX_CLIENT_SECRET: DEFAULT_REALM.clientSecret,
});

const SAST_ENV = (server: TokenServer) => ({
  CX_PRODUCT: 'sast',
  CX_SERVER_URL: server.url,
  CX_USERNAME: DEFAULT_SAST_USER.username,
  CX_PASSWORD: DEFAULT_SAST_USER.password,
});

/** Starts an agent as a user would (`start-agent`), for the token pair; `defer` stops it. */
async function startAgent(
  server: TokenServer,
  defer: Setup['defer'],
  env: Record<string, string> = SAST_ENV(server),
): Promise<{ sock: string; token: string }> {
  const run = await runCli(['start-agent', '--format', 'json'], { env });
  assert.equal(run.code, 0, `start-agent failed:\n${run.stderr}`);
  const { authSock, accessToken } = JSON.parse(run.stdout) as { authSock: string; accessToken: string };
  defer(async () => void (await runCli(['stop-agent'], { env: { CX_AUTH_SOCK: authSock } })));
  return { sock: authSock, token: accessToken };
}

/**
 * Copies `source` alone into a folder of its own: a concurrent `npm run build`, which empties
 * dist/, cannot break a run, and every program starts alike, with no package.json above it.
 */
function copyAlone(work: string, source: string): string {
  if (!existsSync(source)) throw new Error(`${label(source)} is missing: run 'npm run build' first.`);
  const dir = mkdtempSync(join(work, 'program-'));
  copyFileSync(source, join(dir, basename(source)));
  return join(dir, basename(source));
}

/** What a pair may need: a scratch folder, and `defer` for what it starts (an agent, say) to be stopped at the end. */
interface Setup {
  server: TokenServer;
  work: string;
  defer(stop: () => Promise<void> | void): void;
}

/**
 * The pairs measured. One more is one more line here (and a program function above, if new); a
 * pair that needs something running first starts it here and hands its stop to `defer`.
 */
async function pairs({ server, work, defer }: Setup, options: Options): Promise<Pair[]> {
  const copy = (source: string) => copyAlone(work, source);
  const actionFloor = actionProgram(server, 'action floor', ACTION_FLOOR, copy(ACTION_FLOOR));
  const agent = await startAgent(server, defer);
  const agentProgramOf = (name: string, source: string) => agentProgram(server, name, source, copy(source), agent.sock, agent.token);
  const cxone = await startAgent(server, defer, cxoneEnv(server));
  const target = TARGET_RATIO;
  return [
    { name: 'action', subject: actionProgram(server, 'action', ACTION_ENTRY, copy(ACTION_ENTRY)), floor: actionFloor, target },
    {
      name: 'CLI',
      subject: cliProgram(server, 'CLI', CLI_ENTRY, copy(CLI_ENTRY)),
      floor: cliProgram(server, 'CLI floor', CLI_FLOOR, copy(CLI_FLOOR)),
      target,
    },
    {
      name: 'token from the agent',
      subject: agentProgramOf('CLI token', CLI_ENTRY),
      floor: agentProgramOf('socket floor', SOCKET_FLOOR),
      target: AGENT_TARGET_RATIO,
    },
    {
      name: 'exec -- true vs token',
      subject: execProgram(server, 'CLI exec -- true, cxone agent', copy(CLI_ENTRY), cxone.sock),
      floor: agentProgram(server, 'CLI token, cxone agent', CLI_ENTRY, copy(CLI_ENTRY), cxone.sock, cxone.token),
      target: EXEC_TARGET_RATIO,
    },
    ...options.also.map((file) => ({
      name: `also ${file}`,
      subject: actionProgram(server, 'also', file, file),
      floor: actionFloor,
      target,
    })),
  ];
}

// ---- measuring ----

/**
 * Rounds of A, B, C, D, then B, C, D, A, ...: drift of the machine hits every program alike, and
 * so does whatever the position in a round costs. Returns each program's times, one per round.
 */
async function interleave(programs: Program[], options: Options): Promise<Map<Program, number[]>> {
  const times = new Map(programs.map((program) => [program, [] as number[]]));
  for (let round = 0; round < options.warmup + options.runs; round++) {
    const start = round % programs.length;
    for (const program of [...programs.slice(start), ...programs.slice(0, start)]) {
      const ms = await program.run();
      if (round >= options.warmup) times.get(program)?.push(ms);
    }
  }
  return times;
}

/** subject / floor in each round, the two measured in the same round. */
function ratios(pair: Pair, times: Map<Program, number[]>): number[] {
  const floor = times.get(pair.floor) ?? [];
  return (times.get(pair.subject) ?? []).map((ms, round) => ms / (floor[round] ?? NaN));
}

// ---- report ----

const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

function header(options: Options, loadAtStart: string): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return [
    `Node ${process.version}, ${process.platform}/${process.arch}; ${cpu}, availableParallelism ${availableParallelism()}, ${cpus().length} cores.`,
    `Load average ${loadAtStart} at start, ${load()} at the end.`,
    `${options.runs} rounds after ${options.warmup} warm-up rounds, the programs interleaved; wall time from spawn to exit.`,
  ].join('\n');
}

function programTable(programs: Program[], times: Map<Program, number[]>): string {
  const lines = ['| program | min ms | median ms | max ms | bytes |', '|---|---:|---:|---:|---:|'];
  for (const program of programs) {
    const { min, median, max } = spread(times.get(program) ?? []);
    lines.push(`| ${program.name} | ${min.toFixed(1)} | ${median.toFixed(1)} | ${max.toFixed(1)} | ${statSync(program.entry).size} |`);
  }
  return lines.join('\n');
}

function pairTable(list: Pair[], times: Map<Program, number[]>): string {
  const lines = ['| pair (ratio per round) | min | median | max | target | ratio of the medians |', '|---|---:|---:|---:|---|---:|'];
  const medianOf = (program: Program) => spread(times.get(program) ?? []).median;
  for (const pair of list) {
    const { min, median, max } = spread(ratios(pair, times));
    // Judged on the figure shown, so that the table never says 1.20 NOT met beside a median of 1.20.
    const verdict = `≤ ${pair.target.toFixed(2)} ${Number(median.toFixed(2)) <= pair.target ? 'met' : 'NOT met'}`;
    const ofMedians = medianOf(pair.subject) / medianOf(pair.floor);
    lines.push(
      `| ${pair.name} / its floor | ${min.toFixed(2)} | ${median.toFixed(2)} | ${max.toFixed(2)} | ${verdict} | ${ofMedians.toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}

// ---- the agent's resident memory ----

const MEMORY_GOAL_MB = 64;
const MEMORY_GROWTH_GOAL = 0.1;

/**
 * The resident memory (VmRSS, Linux) of an agent that start-agent started, after 10, 1,000 and
 * 10,000 requests (--memory-requests; 10 callers at a time, each a new connection, as `checkmarx-auth token` makes),
 * every one served from its cache. Issue 29: at most 64 MB after 10,000, and no more than 10%
 * above what it holds after 1,000. Undefined where /proc is missing.
 */
async function agentMemory(server: TokenServer, work: string, options: Options): Promise<string | undefined> {
  if (!existsSync('/proc/self/status')) return undefined;
  const folder = mkdtempSync(join(work, 'memory-'));
  const env = {
    CX_PRODUCT: 'sast',
    CX_SERVER_URL: server.url,
    CX_USERNAME: DEFAULT_SAST_USER.username,
    CX_PASSWORD: DEFAULT_SAST_USER.password,
    TMPDIR: folder,
  };
  const run = await runCli(['start-agent', '--format', 'json'], { env });
  assert.equal(run.code, 0, `start-agent failed:\n${run.stderr}`);
  const { authSock } = JSON.parse(run.stdout) as { authSock: string };
  const { address, key } = parseSock(authSock);
  try {
    const [pid] = [...agentPidsUnder(folder)];
    assert.ok(pid, 'the agent that start-agent started is found by its socket');
    const rssMb = () => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
    const issued = server.issuedAccessTokens.length;
    let done = 0;
    const caller = async (until: number) => {
      while (done < until) {
        done++;
        const answer = await askAgent(address, { key, op: 'token', minValidity: 60 }, 60_000);
        assert.ok(answer.ok && 'result' in answer, 'the agent served a token');
      }
    };
    const rows: string[] = [];
    for (const requests of options.memoryRequests) {
      await Promise.all(Array.from({ length: 10 }, () => caller(requests)));
      rows.push(`| after ${requests.toLocaleString('en')} requests | ${rssMb().toFixed(1)} |`);
    }
    assert.equal(server.issuedAccessTokens.length, issued, 'every request was served from the cache');
    const [settled, last] = rows.slice(-2).map((row) => Number(/\| ([\d.]+) \|$/.exec(row)?.[1]));
    const growth = last! / settled! - 1;
    const met = growth <= MEMORY_GROWTH_GOAL && last! <= MEMORY_GOAL_MB;
    return [
      '| agent resident memory (VmRSS) | MB |',
      '|---|---:|',
      ...rows,
      `| growth from ${options.memoryRequests.at(-2)?.toLocaleString('en')} to ${options.memoryRequests.at(-1)?.toLocaleString('en')} | ${(growth * 100).toFixed(0)}% (goal ≤ ${MEMORY_GROWTH_GOAL * 100}% and ≤ ${MEMORY_GOAL_MB} MB: ${met ? 'met' : 'NOT met'}) |`,
    ].join('\n');
  } finally {
    await askAgent(address, { key, op: 'stop' }, 5_000).catch(() => undefined);
  }
}

// ---- exec's token endpoint ----

/**
 * Milliseconds per login at exec's endpoint, as the child sees them (one kept-alive connection,
 * ENDPOINT_REQUESTS logins after 5 warm-ups), every one a cached token: from exec's own cache
 * (one exchange at start) and from the agent (each login asks it).
 */
async function endpointLatency(server: TokenServer, agentSock: string): Promise<string> {
  const child = ['exec', '--', process.execPath, ENDPOINT_CLIENT, String(ENDPOINT_REQUESTS)];
  const rows: string[] = [];
  for (const [name, env] of [
    ["from exec's own cache", cxoneEnv(server)],
    ['from the agent', { CX_AUTH_SOCK: agentSock }],
  ] as const) {
    const issued = server.issuedAccessTokens.length;
    const run = await runCli(child, { env });
    assert.equal(run.code, 0, `exec with the endpoint client failed:\n${run.stderr}`);
    const times = JSON.parse(run.stdout) as number[];
    assert.equal(times.length, ENDPOINT_REQUESTS);
    assert.ok(server.issuedAccessTokens.length <= issued + 1, `${name}: the logins were not served from a cache`);
    const { min, median, max } = spread(times);
    const met = Number(median.toFixed(2)) <= ENDPOINT_GOAL_MS ? 'met' : 'NOT met';
    rows.push(`| ${name} | ${min.toFixed(2)} | ${median.toFixed(2)} | ${max.toFixed(2)} | ≤ ${ENDPOINT_GOAL_MS} ms ${met} |`);
  }
  return [
    `| exec's token endpoint, a cached token (${ENDPOINT_REQUESTS} logins) | min ms | median ms | max ms | goal |`,
    '|---|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}

// ---- main ----

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadAtStart = load();
  const work = mkdtempSync(join(tmpdir(), 'checkmarx-auth-bench-'));
  const server = await startTokenServer();
  const stops: (() => Promise<void> | void)[] = [];
  try {
    const list = await pairs({ server, work, defer: (stop) => stops.push(stop) }, options);
    const programs = [...new Set(list.flatMap((pair) => [pair.subject, pair.floor]))];
    const times = await interleave(programs, options);
    const memory = await agentMemory(server, work, options);
    const endpoint = await endpointLatency(
      server,
      await startAgent(server, (stop) => stops.push(stop), cxoneEnv(server)).then((a) => a.sock),
    );
    // 10 small requests per round, and 3 rounds of transfers from 10 rounds on.
    const facade = await facadeFigures(work, {
      requests: 10 * options.runs,
      transfers: options.runs >= 10 ? 3 : 1,
      transferMib: options.transferMib,
    });
    const text = [
      header(options, loadAtStart),
      '',
      programTable(programs, times),
      '',
      pairTable(list, times),
      '',
      ...(memory ? [memory, ''] : []),
      endpoint,
      '',
      facade,
      '',
    ];
    process.stdout.write(text.join('\n'));
  } finally {
    for (const stop of stops.reverse()) await stop();
    rmSync(work, { recursive: true, force: true });
    await server.close();
  }
}

main().catch((error: unknown) => {
  // A failed check shows its details; anything else (dist/ missing, a bad flag) just says what is wrong.
  console.error(error instanceof assert.AssertionError ? error : `bench: ${(error as Error).message}`);
  process.exitCode = 1;
});
