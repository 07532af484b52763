// One bundle holds every verb, but a run compiles only what it needs: V8 compiles a function when
// it is first called, so code a run never calls costs it a parse and nothing more (BENCHMARKS.md
// measured that splitting the bundle into files costs more than it saves). V8's own log of
// function events shows which modules of the committed bundles a run compiled or ran: a bare
// exchange nothing of exec, inspect, help, start-agent or the agent's server; the action's plain
// exchange nothing of the agent. A table built by a call at a module's top level would show here.

import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ACTION_ENTRY, CLI_ENTRY, runAction, runCli } from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

/** `./src/…` modules of `bundle` with a function compiled on its first call or run, by V8's events in `log`. */
function executedModules(log: string, bundle: string): Set<string> {
  const source = readFileSync(bundle, 'utf8');
  const starts = [...source.matchAll(/^;\/\/ CONCATENATED MODULE: (\.\/src\/\S+)$/gm)].map((match) => ({
    at: match.index,
    name: match[1]!,
  }));
  const moduleAt = (position: number) => starts.findLast((start) => start.at <= position)?.name;
  const events = readFileSync(log, 'utf8')
    .split('\n')
    .map((line) => line.split(','));
  // script-details,<id>,<path>,…  and  function,<event>,<script id>,<start>,<end>,…
  const script = events.find((fields) => fields[0] === 'script-details' && fields[2] === bundle)?.[1];
  assert.ok(script, `V8's log names ${bundle}`);
  const executed = events
    .filter((fields) => fields[0] === 'function' && ['parse-function', 'first-execution'].includes(fields[1]!) && fields[2] === script)
    .map((fields) => moduleAt(Number(fields[3])));
  return new Set(executed.filter((name): name is string => name !== undefined));
}

describe('a run executes only the modules it needs', () => {
  let server: TokenServer;
  let work: string;
  let node: string;
  let log: string;
  before(async () => {
    server = await startTokenServer();
    work = mkdtempSync(join(tmpdir(), 'checkmarx-auth-lazy-'));
    log = join(work, 'v8.log');
    // The runners take another node to run: this one, logging every function's first run. A node
    // script, not sh: sh drops the runner's INPUT_SERVER-URL, whose name it cannot hold.
    node = join(work, 'node-logging-functions');
    const flags = ['--log-function-events', `--logfile=${log}`, '--no-logfile-per-isolate'];
    writeFileSync(
      node,
      `#!${process.execPath}\nconst { status } = require('node:child_process').spawnSync(process.execPath, [...${JSON.stringify(flags)}, ...process.argv.slice(2)], { stdio: 'inherit' });\nprocess.exitCode = status ?? 1;\n`,
    );
    chmodSync(node, 0o755);
  });
  after(async () => {
    rmSync(work, { recursive: true, force: true });
    await server.close();
  });

  const notInAnExchange = [
    './src/cli/exec.js',
    './src/cli/exec-sources.js',
    './src/cli/start-child.js',
    './src/cli/inspect.js',
    './src/cli/help.js',
    './src/cli/start-agent.js',
    './src/agent/launch.js',
    './src/agent/server.js',
    './src/agent/token-endpoint.js',
    './src/agent/token-form.js',
    './src/agent/cache.js',
    './src/agent/sealed/facade.js',
    './src/agent/sealed/forwarder.js',
    './src/agent/sealed/phantom.js',
    './src/ci/agent-environment.js',
    './src/io/upstream.js',
    './src/io/loopback.js',
  ];

  it('the CLI: a bare exchange runs the settings and HTTP, and nothing of the other verbs or the agent', async () => {
    const run = await runCli(['--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username], {
      env: { CX_PASSWORD: DEFAULT_SAST_USER.password },
      node,
    });
    assert.equal(run.code, 0, run.stderr);
    const executed = executedModules(log, CLI_ENTRY);
    for (const needed of ['./src/cli/main.js', './src/core/settings.js', './src/io/http.js']) assert.ok(executed.has(needed), needed);
    assert.deepEqual(
      notInAnExchange.filter((name) => executed.has(name)),
      [],
    );
  });

  it("the action: a plain exchange runs nothing of the agent's start", async () => {
    const run = await runAction({
      inputs: { product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, password: DEFAULT_SAST_USER.password },
      node,
    });
    assert.equal(run.code, 0, run.stdout);
    const executed = executedModules(log, ACTION_ENTRY);
    for (const needed of ['./src/action/main.js', './src/core/settings.js', './src/io/http.js']) assert.ok(executed.has(needed), needed);
    const agentStart = [
      './src/action/start-agent.js',
      './src/agent/launch.js',
      './src/agent/job-agent.js',
      './src/agent/command-folder.js',
      './src/ci/agent-environment.js',
    ];
    assert.deepEqual(
      agentStart.filter((name) => executed.has(name)),
      [],
    );
  });
});
