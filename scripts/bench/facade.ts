// `npm run bench`'s figures for the sealed facade (src/agent/sealed/facade.ts): a loopback upstream
// in the bench, the facade in a process of its own with a sealed agent's V8 flags (as the agent
// runs it), and the same requests made directly and through it: the latency a forwarded request
// adds, uploads and downloads of one large body each way, 200 requests at once, and the facade's
// resident memory during the transfers.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type Server } from 'node:http';
import { stripTypeScriptTypes } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AGENT_NODE_FLAGS } from '../../src/agent/launch.ts';
import { spread } from './spread.ts';

const SRC = join(import.meta.dirname, '..', '..', 'src');
const HOST = join(import.meta.dirname, 'facade-host.cjs');
const RELAY = join(import.meta.dirname, 'tcp-relay.cjs');
const REAL_TOKEN = 'bench-real-token';
const MIB = 1024 * 1024;
const CHUNK = Buffer.alloc(MIB, 0x5a);
const CONCURRENT = 200;
/** Issue 29's goals. */
const ADDED_MS_GOAL = 1;
const THROUGHPUT_GOAL = 0.8;
const MEMORY_GROWTH_GOAL_MB = 64;

export interface FacadeOptions {
  /** small requests, each made directly and through the facade */
  requests: number;
  /** rounds of one upload and one download each way */
  transfers: number;
  transferMib: number;
}

export const hasFacade = () => existsSync(join(SRC, 'agent', 'sealed', 'facade.ts'));

/** src/ as JavaScript in `folder` (types stripped, imports renamed): the agent's --lite-mode has no WebAssembly for Node's own stripping. */
function javascriptSources(folder: string): void {
  const files = readdirSync(SRC, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile() && entry.name.endsWith('.ts'));
  for (const entry of files) {
    const source = join(entry.parentPath, entry.name);
    const target = join(folder, relative(SRC, source)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    const code = stripTypeScriptTypes(readFileSync(source, 'utf8'), { mode: 'strip' });
    writeFileSync(target, code.replace(/(from\s+|import\()'(\.{1,2}\/[^']+)\.ts'/g, "$1'$2.js'"));
  }
  writeFileSync(join(folder, 'package.json'), '{ "type": "module" }\n');
}

/** The API: accepts only the real token; /api/small, an upload that counts, a download of ?mib= MiB. */
async function startUpstream(): Promise<{ server: Server; apiUrl: string }> {
  const server = createServer((req, res) => {
    if (req.headers.authorization !== `Bearer ${REAL_TOKEN}`) {
      req.resume();
      res.writeHead(401).end();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname === '/api/small') {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    } else if (url.pathname === '/api/upload') {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ bytes })));
    } else if (url.pathname === '/api/download') {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      void pipeline(chunks(Number(url.searchParams.get('mib'))), res).catch(() => res.destroy());
    } else {
      req.resume();
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, apiUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api` };
}

const chunks = (mib: number) =>
  Readable.from(
    (function* () {
      for (let i = 0; i < mib; i++) yield CHUNK;
    })(),
  );

interface Helper {
  /** its first line of output */
  line: string;
  pid: number;
  stop(): Promise<void>;
}

/** A helper script in its own process, with a sealed agent's flags; its stdin ending stops it. */
async function startHelper(name: string, script: string, args: string[]): Promise<Helper> {
  const child = spawn(process.execPath, [...AGENT_NODE_FLAGS.facade, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`the ${name} did not start within 30 s`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) {
        clearTimeout(timer);
        resolve(text.slice(0, text.indexOf('\n')));
      }
    });
    child.once('exit', (code) => reject(new Error(`the ${name} exited with code ${code}`)));
  });
  return {
    line,
    pid: child.pid!,
    async stop() {
      child.stdin.end();
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

interface Host extends Helper {
  apiUrl: string;
  phantom: string;
}

/** The facade in its own process. */
async function startHost(folder: string, upstreamApiUrl: string): Promise<Host> {
  const helper = await startHelper('facade', HOST, [folder, upstreamApiUrl]);
  const { apiUrl, phantom } = JSON.parse(helper.line) as { apiUrl: string; phantom: string };
  return { ...helper, apiUrl, phantom };
}

/** The bare TCP relay in its own process: the API's URL through it. */
async function startRelay(upstreamApiUrl: string): Promise<Helper & { apiUrl: string }> {
  const api = new URL(upstreamApiUrl);
  const helper = await startHelper('TCP relay', RELAY, [api.port]);
  return { ...helper, apiUrl: `http://127.0.0.1:${helper.line.trim()}${api.pathname}` };
}

interface Answer {
  status: number;
  body: string;
  bytes: number;
}

/** One request; the body (a Readable) streams, the answer is counted, and kept only when small. */
function call(url: string, agent: Agent, token: string, method = 'GET', body?: Readable): Promise<Answer> {
  const headers: OutgoingHttpHeaders = { Authorization: `Bearer ${token}` };
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers }, (res: IncomingMessage) => {
      let bytes = 0;
      let text = '';
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (text.length < 1024) text += chunk.toString('utf8');
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) void pipeline(body, req).catch(reject);
    else req.end();
  });
}

const timed = async <T>(work: () => Promise<T>): Promise<[number, T]> => {
  const start = performance.now();
  const result = await work();
  return [performance.now() - start, result];
};

/** Small GETs, directly and through the facade in turn (the order alternating): ms added per request. */
async function addedLatency(direct: string, facade: Host, requests: number): Promise<number[]> {
  const agents = [new Agent({ keepAlive: true, maxSockets: 1 }), new Agent({ keepAlive: true, maxSockets: 1 })];
  const added: number[] = [];
  try {
    for (let i = 0; i < requests + 10; i++) {
      const ways = [
        () => call(`${direct}/small`, agents[0]!, REAL_TOKEN),
        () => call(`${facade.apiUrl}/small`, agents[1]!, facade.phantom),
      ];
      const times: number[] = [];
      for (const way of i % 2 === 0 ? ways : ways.reverse()) {
        const [ms, answer] = await timed(way);
        assert.equal(answer.status, 200, `a small request: ${answer.status} ${answer.body}`);
        times.push(ms);
      }
      if (i >= 10) added.push(i % 2 === 0 ? times[1]! - times[0]! : times[0]! - times[1]!);
    }
  } finally {
    agents.forEach((agent) => agent.destroy());
  }
  return added;
}

/** MiB per second of one upload or download of `mib` MiB to `base` (the API directly, or the facade). */
async function transfer(kind: 'upload' | 'download', base: string, token: string, mib: number): Promise<number> {
  const agent = new Agent({ keepAlive: false });
  try {
    const [ms, answer] =
      kind === 'upload'
        ? await timed(() => call(`${base}/upload`, agent, token, 'PUT', chunks(mib)))
        : await timed(() => call(`${base}/download?mib=${mib}`, agent, token));
    assert.equal(answer.status, 200, `${kind}: ${answer.status} ${answer.body}`);
    if (kind === 'upload') assert.equal(JSON.parse(answer.body).bytes, mib * MIB, 'the upstream got every byte');
    else assert.equal(answer.bytes, mib * MIB, 'the client got every byte');
    return mib / (ms / 1000);
  } finally {
    agent.destroy();
  }
}

/** VmRSS in MB (Linux), sampled every 20 ms while `work` runs: the largest seen. */
async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<[number, T]> {
  const rss = () => Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  let peak = rss();
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 20);
  try {
    const result = await work();
    return [Math.max(peak, rss()), result];
  } finally {
    clearInterval(timer);
  }
}

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;

/** The facade's table, or why there is none. */
export async function facadeFigures(work: string, options: FacadeOptions): Promise<string> {
  if (!hasFacade()) return 'The sealed facade (src/agent/sealed/facade.ts) is not in this tree: no facade figures.';
  const folder = join(work, 'src-js');
  javascriptSources(folder);
  const upstream = await startUpstream();
  const host = await startHost(folder, upstream.apiUrl);
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  try {
    relay = await startRelay(upstream.apiUrl);
    const relayUrl = relay.apiUrl;
    const linux = existsSync(`/proc/${host.pid}/status`);
    const rssAtStart = linux ? (await peakRss(host.pid, async () => undefined))[0] : NaN;
    const added = spread(await addedLatency(upstream.apiUrl, host, options.requests));

    const rates = {
      upload: { direct: [] as number[], facade: [] as number[], relay: [] as number[] },
      download: { direct: [] as number[], facade: [] as number[], relay: [] as number[] },
    };
    const moveAll = async () => {
      for (let round = 0; round < options.transfers; round++) {
        for (const kind of ['upload', 'download'] as const) {
          const ways = [
            async () => rates[kind].direct.push(await transfer(kind, upstream.apiUrl, REAL_TOKEN, options.transferMib)),
            async () => rates[kind].facade.push(await transfer(kind, host.apiUrl, host.phantom, options.transferMib)),
            async () => rates[kind].relay.push(await transfer(kind, relayUrl, REAL_TOKEN, options.transferMib)),
          ];
          // The order rotates each round, so that no way always follows another.
          for (let i = 0; i < ways.length; i++) await ways[(round + i) % ways.length]!();
        }
      }
    };
    const [rssPeak] = linux ? await peakRss(host.pid, moveAll) : [NaN, await moveAll()];

    const crowd = new Agent({ keepAlive: false, maxSockets: Infinity });
    const answers = await Promise.all(
      Array.from({ length: CONCURRENT }, () => call(`${host.apiUrl}/small`, crowd, host.phantom).catch(() => undefined)),
    );
    crowd.destroy();
    const answered = answers.filter((answer) => answer?.status === 200).length;

    const rateRow = (kind: 'upload' | 'download') => {
      const direct = spread(rates[kind].direct).median;
      const facade = spread(rates[kind].facade).median;
      const ratio = facade / direct;
      return row([
        `${kind} of ${options.transferMib} MiB, MiB/s (median of ${options.transfers})`,
        direct.toFixed(0),
        facade.toFixed(0),
        `${ratio.toFixed(2)} of direct`,
        `≥ ${THROUGHPUT_GOAL.toFixed(2)} ${verdict(Number(ratio.toFixed(2)) >= THROUGHPUT_GOAL)}`,
      ]);
    };
    // The same transfer through a bare TCP relay: what any relay process reaches on this machine.
    const relayRow = (kind: 'upload' | 'download') => {
      const direct = spread(rates[kind].direct).median;
      const through = spread(rates[kind].relay).median;
      const facade = spread(rates[kind].facade).median;
      return row([
        `${kind} through a bare TCP relay (node:net, no HTTP), MiB/s`,
        direct.toFixed(0),
        through.toFixed(0),
        `${(through / direct).toFixed(2)} of direct; the facade ${(facade / through).toFixed(2)} of it`,
        'yardstick',
      ]);
    };
    const growth = rssPeak - rssAtStart;
    return [
      `Sealed facade (a process of its own with the agent's flags: ${AGENT_NODE_FLAGS.facade.join(' ')}), loopback upstream:`,
      '',
      '| facade | direct | through the facade | figure | goal |',
      '|---|---:|---:|---|---|',
      row([
        `added ms per small request (${options.requests}, min/median/max)`,
        '',
        '',
        `${added.min.toFixed(2)} / ${added.median.toFixed(2)} / ${added.max.toFixed(2)}`,
        `≤ ${ADDED_MS_GOAL} ms ${verdict(Number(added.median.toFixed(2)) <= ADDED_MS_GOAL)}`,
      ]),
      rateRow('upload'),
      rateRow('download'),
      relayRow('upload'),
      relayRow('download'),
      row([
        `${CONCURRENT} requests at once`,
        '',
        `${answered} answered`,
        `${answered}/${CONCURRENT}`,
        `all ${verdict(answered === CONCURRENT)}`,
      ]),
      row([
        'resident memory (VmRSS), MB: at start, peak during the transfers',
        '',
        `${rssAtStart.toFixed(1)}, ${rssPeak.toFixed(1)}`,
        `+${growth.toFixed(1)}`,
        `< ${MEMORY_GROWTH_GOAL_MB} MB ${verdict(growth < MEMORY_GROWTH_GOAL_MB)}`,
      ]),
    ].join('\n');
  } finally {
    await host.stop();
    await relay?.stop();
    upstream.server.closeAllConnections();
    await new Promise<void>((resolve) => upstream.server.close(() => resolve()));
  }
}
