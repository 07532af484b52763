// Load: 50 CI jobs ask for a token at once from a server that admits only a few requests per
// second and answers the rest 429 with Retry-After. Every job must get its token, each must wait
// as told between attempts, and the total number of requests must stay within a bound that
// follows from the limiter's rules (worked out below).

import assert from 'node:assert/strict';
import * as http from 'node:http';
import { after, before, test } from 'node:test';
import { assertNoLeak, runCli } from './support/run.ts';
import { listenOnLoopback, startTokenServer, type TokenServer } from './support/token-server.ts';

const CLIENTS = 50;
/** Requests admitted per one-second window; the rest get 429. */
const RATE = 5;
const RETRY_AFTER_SECONDS = 1;
const MAX_ATTEMPTS = 10;

// The bound. A request is refused only when its window has already admitted RATE, so every window
// with a refusal admits exactly RATE; there are at most ceil(CLIENTS / RATE) such windows. Each
// client waits at least Retry-After (1 s) between attempts (asserted below), so it sends at most
// once per window. When the j-th window with refusals starts, at least RATE * (j - 1) clients are
// done; of the at most CLIENTS - RATE * (j - 1) that ask, RATE are admitted, so it refuses at most
// CLIENTS - RATE * j. Every client is admitted once. With 50 clients at 5 per second:
// 50 + (45 + 40 + ... + 5 + 0) = 275. The same argument limits one client to
// floor((CLIENTS - 1) / RATE) refusals: 9, so 10 attempts (MAX_ATTEMPTS) always suffice.
const REFUSAL_WINDOWS = Math.ceil(CLIENTS / RATE);
const MAX_REQUESTS =
  CLIENTS + Array.from({ length: REFUSAL_WINDOWS }, (_, i) => Math.max(0, CLIENTS - RATE * (i + 1))).reduce((a, b) => a + b, 0);
assert.equal(MAX_REQUESTS, 275);
assert.ok(Math.floor((CLIENTS - 1) / RATE) + 1 <= MAX_ATTEMPTS);

interface Arrival {
  user: string;
  atMs: number;
  window: number;
  admitted: boolean;
}

interface RateLimiter {
  url: string;
  arrivals: Arrival[];
  close(): Promise<void>;
}

/** Whether to admit a request: given its window and how many that window has admitted, and how many arrived before it. */
type Admission = (window: number, admittedInWindow: number, arrivedBefore: number) => boolean;

const fixedWindow: Admission = (_window, admittedInWindow) => admittedInWindow < RATE;
const everySecondRefused: Admission = (_window, _admitted, arrivedBefore) => arrivedBefore % 2 === 0;

/** A rate limiter in front of the token server, forwarding what it admits. */
async function startRateLimiter(upstream: TokenServer, admit: Admission): Promise<RateLimiter> {
  const started = performance.now();
  const arrivals: Arrival[] = [];
  const admittedPerWindow = new Map<number, number>();
  let arrived = 0;
  const server = http.createServer(async (req, res) => {
    const atMs = performance.now() - started;
    const window = Math.floor(atMs / 1000);
    const admitted = admit(window, admittedPerWindow.get(window) ?? 0, arrived++);
    if (admitted) admittedPerWindow.set(window, (admittedPerWindow.get(window) ?? 0) + 1);
    const body = await readAll(req);
    arrivals.push({ user: new URLSearchParams(body).get('username') ?? '', atMs, window, admitted });
    if (!admitted) {
      res.writeHead(429, { 'retry-after': String(RETRY_AFTER_SECONDS), 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'too_many_requests' }));
      return;
    }
    const forwarded = http.request(upstream.url + req.url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    forwarded.end(body);
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    arrivals,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function readAll(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const users = Array.from({ length: CLIENTS }, (_, i) => ({ username: `ci-job-${i}`, password: `Job ${i} p@ss&word=%` }));

let tokenServer: TokenServer;
let limiter: RateLimiter;
before(async () => {
  tokenServer = await startTokenServer({ sastUsers: Object.fromEntries(users.map((u) => [u.username, u.password])) });
});
after(async () => {
  await limiter?.close();
  await tokenServer.close();
});

test(
  `${CLIENTS} concurrent runs with the default max-attempts against a server refusing every second request`,
  { timeout: 300_000 },
  async (t) => {
    limiter = await startRateLimiter(tokenServer, everySecondRefused);
    try {
      const runs = await Promise.all(
        users.map((user) =>
          runCli(['--product', 'sast', '--server-url', limiter.url], { env: { CX_USERNAME: user.username, CX_PASSWORD: user.password } }),
        ),
      );
      runs.forEach((run, i) => {
        assert.equal(run.code, 0, `job ${i} failed: ${run.stderr}`);
        assertNoLeak(run, [users[i]!.password]);
      });
      const refused = limiter.arrivals.filter((a) => !a.admitted).length;
      t.diagnostic(`${limiter.arrivals.length} requests, ${refused} refused`);
      assert.ok(refused >= CLIENTS - 1, 'the limiter refused too little: the test proves nothing');
    } finally {
      await limiter.close();
      tokenServer.reset();
    }
  },
);

test(`${CLIENTS} concurrent CLI runs against a server admitting ${RATE} requests per second`, { timeout: 300_000 }, async (t) => {
  limiter = await startRateLimiter(tokenServer, fixedWindow);
  const runs = await Promise.all(
    users.map((user) =>
      runCli(['--product', 'sast', '--server-url', limiter.url, '--max-attempts', String(MAX_ATTEMPTS)], {
        env: { CX_USERNAME: user.username, CX_PASSWORD: user.password, RUNNER_DEBUG: '1' },
      }),
    ),
  );

  runs.forEach((run, i) => {
    assert.equal(run.code, 0, `job ${i} failed: ${run.stderr}`);
    assert.ok(tokenServer.issuedAccessTokens.includes(run.stdout.trim()), `job ${i} printed no token the server issued`);
    assertNoLeak(run, [users[i]!.password]);
  });

  const { arrivals } = limiter;
  const admitted = arrivals.filter((a) => a.admitted);
  t.diagnostic(
    `${arrivals.length} requests (${arrivals.length - admitted.length} refused) in ${new Set(arrivals.map((a) => a.window)).size} windows`,
  );
  assert.equal(admitted.length, CLIENTS, 'each job is admitted exactly once');
  assert.deepEqual(new Set(admitted.map((a) => a.user)), new Set(users.map((u) => u.username)));
  assert.ok(arrivals.length > CLIENTS, 'the limiter refused nothing: the test proves nothing');
  assert.ok(arrivals.length <= MAX_REQUESTS, `${arrivals.length} requests, more than the bound of ${MAX_REQUESTS}`);

  for (const user of users) {
    const times = arrivals.filter((a) => a.user === user.username).map((a) => a.atMs);
    assert.ok(times.length <= MAX_ATTEMPTS);
    for (let i = 1; i < times.length; i++) {
      const gap = times[i]! - times[i - 1]!;
      assert.ok(gap >= RETRY_AFTER_SECONDS * 1000, `${user.username} retried after ${Math.round(gap)} ms, before Retry-After`);
    }
  }
});
