// The three entry points in this process, as src/entries calls them: the action's main step
// and post step, and the CLI. What a user sees is asserted: the runner's files and workflow
// commands, the CLI's stdout, stderr and exit code; never a secret where it should not be.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { run as runAction, type ActionDeps } from '../src/action/main.ts';
import { run as runPost, type PostDeps } from '../src/action/post.ts';
import { run as runCli, type CliDeps } from '../src/cli/main.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { VERSION } from '../src/core/version.ts';
import { InputError, stackFrames } from '../src/core/errors.ts';
import { isAlive, killQuietly } from './support/processes.ts';
import { ACTION_ENTRY, parseFileCommands } from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

let server: TokenServer;
let work: string;
before(async () => {
  server = await startTokenServer();
  work = mkdtempSync(join(tmpdir(), 'checkmarx-auth-entries-'));
});
after(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});
const savedExitCode = process.exitCode;
afterEach(() => {
  process.exitCode = savedExitCode;
});

const SAST_INPUTS = {
  product: 'sast',
  'server-url': () => server.url,
  username: DEFAULT_SAST_USER.username,
  password: DEFAULT_SAST_USER.password,
};

function actionEnv(inputs: Record<string, string | (() => string)>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, value]) => [`INPUT_${name.toUpperCase()}`, typeof value === 'function' ? value() : value]),
  );
}

/** Runs the action with the runner's files in a fresh folder named in its env, and its stdout recorded. */
async function inRunner(env: Record<string, string>, io: ActionDeps['io']) {
  const dir = mkdtempSync(join(work, 'runner-'));
  const files = { GITHUB_OUTPUT: join(dir, 'output'), GITHUB_ENV: join(dir, 'env'), GITHUB_STATE: join(dir, 'state') };
  let stdout = '';
  const exitCode = await runAction({ env: { ...env, ...files }, io, stdout: (text) => void (stdout += text), scriptPath: ACTION_ENTRY });
  const read = (path: string) => (existsSync(path) ? parseFileCommands(readFileSync(path, 'utf8')) : {});
  return { stdout, outputs: read(files.GITHUB_OUTPUT), exported: read(files.GITHUB_ENV), exitCode };
}

describe('the action, in process', () => {
  it('exchanges, masks the password and the token, writes the outputs and exports the token', async () => {
    const step = await inRunner(actionEnv(SAST_INPUTS), SYSTEM_IO);
    const token = step.outputs['access-token'];
    assert.ok(token, 'an access-token output');
    assert.equal(step.exported.CX_ACCESS_TOKEN, token);
    assert.equal(step.outputs['token-type'], 'Bearer');
    assert.equal(step.outputs['api-url'], `${server.url}/cxrestapi`);
    assert.ok(step.stdout.includes(`::add-mask::${token}`), 'the token is masked');
    assert.ok(step.stdout.includes(`::add-mask::${DEFAULT_SAST_USER.password}\n`), 'the password is masked');
    const unmasked = step.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    for (const secret of [token, DEFAULT_SAST_USER.password]) assert.ok(!unmasked.join('\n').includes(secret), 'no secret in the log');
    assert.match(step.stdout, /Exported the token as CX_ACCESS_TOKEN for later steps\./);
    assert.equal(step.exitCode, 0, 'the step does not fail');
  });

  it('export-env false: outputs only', async () => {
    const step = await inRunner(actionEnv({ ...SAST_INPUTS, 'export-env': 'false' }), SYSTEM_IO);
    assert.ok(step.outputs['access-token']);
    assert.deepEqual(step.exported, {});
    assert.doesNotMatch(step.stdout, /Exported the token/);
  });

  it('a failure fails the step with an ::error:: that holds no secret, and never throws', async () => {
    const env = actionEnv({ ...SAST_INPUTS, password: 'wrong p@ss secret', 'max-attempts': '1' });
    const step = await inRunner(env, SYSTEM_IO);
    assert.equal(step.exitCode, 1);
    assert.match(step.stdout, /^::error::\[token-request\/invalid-grant\] .*HTTP 400/m);
    assert.deepEqual(step.outputs, {});
    const unmasked = step.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
    assert.ok(!unmasked.join('\n').includes('wrong p@ss secret'));
  });

  it('bad inputs fail the step before any request', async () => {
    const before = server.requests.length;
    const step = await inRunner(actionEnv({ ...SAST_INPUTS, product: 'sats' }), SYSTEM_IO);
    assert.equal(step.exitCode, 1);
    assert.match(step.stdout, /^::error::\[input\/invalid\] Input 'product'/m);
    assert.equal(server.requests.length, before);
  });
});

describe('the post step, in process', () => {
  /** A clock that moves only when the post step sleeps, so its wait for the agent's exit takes no time. */
  function postDeps(env: Record<string, string>): PostDeps & { sleeps: number[] } {
    let now = 0;
    const sleeps: number[] = [];
    return {
      env,
      stdout: () => {},
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
        await new Promise((resolve) => setImmediate(resolve));
      },
      sleeps,
    };
  }

  /** Runs the post step, with what it writes to stdout recorded. */
  async function postOutput(deps: PostDeps): Promise<{ text: string }> {
    let text = '';
    await runPost({ ...deps, stdout: (chunk) => void (text += chunk) });
    return { text };
  }

  it('without the saved state it does nothing and says nothing', async () => {
    const { text } = await postOutput(postDeps({}));
    assert.equal(text, '');
  });

  it('an agent that answers the stop with its PID but does not exit is terminated by PID after 3 s; its folders are removed', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const folder = join(work, 'cxauth-post');
    const bin = join(work, 'checkmarx-auth-bin-post');
    mkdirSync(folder);
    mkdirSync(bin);
    // It speaks the protocol for the child: acknowledges, then says it stops, with the child's PID.
    const agent = createServer((socket) =>
      socket.once('data', () => socket.end(`{"ok":true,"ack":true}\n{"ok":true,"stopped":true,"pid":${child.pid}}\n`)),
    );
    await new Promise<void>((resolve) => agent.listen(join(folder, 'agent.sock'), resolve));
    try {
      const deps = postDeps({
        STATE_agent_pid: String(child.pid),
        STATE_agent_sock: `${join(folder, 'agent.sock')}#${'k'.repeat(43)}`,
        STATE_agent_folders: JSON.stringify([bin, folder]),
      });
      const { text } = await postOutput(deps);
      assert.equal(await exited, 'SIGTERM', 'the agent process got SIGTERM');
      assert.ok(!existsSync(folder), 'the socket folder is gone');
      assert.ok(!existsSync(bin), 'the command folder is gone');
      assert.match(text, /Stopped the token agent\./);
      assert.equal(
        deps.sleeps.reduce((a, b) => a + b, 0),
        3_000,
        'it waited its 3 s, on the injected clock',
      );
    } finally {
      agent.close();
      killQuietly(child.pid, 'SIGKILL');
    }
  });

  it('a PID whose agent is gone is not signalled (it may be reused): the folders are removed', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const folder = join(work, 'cxauth-gone');
      mkdirSync(folder);
      const deps = postDeps({ STATE_agent_pid: String(child.pid), STATE_agent_sock: `${join(folder, 'agent.sock')}#${'k'.repeat(43)}` });
      const { text } = await postOutput(deps);
      assert.deepEqual(deps.sleeps, []);
      assert.ok(isAlive(child.pid!), 'the process with that PID was not signalled');
      assert.ok(!existsSync(folder), 'the socket folder is gone');
      assert.match(text, /The token agent had already stopped\./);
    } finally {
      killQuietly(child.pid, 'SIGKILL');
    }
  });

  it('a saved socket it cannot read is a warning, not a failure', async () => {
    const { text } = await postOutput(postDeps({ STATE_agent_pid: '12345', STATE_agent_sock: 'garbage' }));
    assert.match(text, /^::warning::Stopping the token agent failed: CX_AUTH_SOCK is not/m);
    assert.equal(process.exitCode, savedExitCode);
  });
});

describe('the CLI, in process', () => {
  async function cli(argv: string[], env: Record<string, string | undefined> = {}) {
    let stdout = '';
    let stderr = '';
    const deps: CliDeps = { env, io: SYSTEM_IO, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text) };
    const code = await runCli(argv, deps);
    return { code, stdout, stderr };
  }
  const sastFlags = () => ['--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username];
  const sastEnv = { CX_PASSWORD: DEFAULT_SAST_USER.password };

  it('--version and --help print to stdout and exit 0', async () => {
    assert.deepEqual(await cli(['--version']), { code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const help = await cli(['-h']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^checkmarx-auth .*: exchange Checkmarx credentials/);
    assert.match(help.stdout, /--format <token\|json\|env\|azure\|powershell>/);
  });

  it('prints the token and a newline; the log goes to stderr without the password', async () => {
    const run = await cli(sastFlags(), sastEnv);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^[\w.-]+\n$/);
    assert.match(run.stderr, /Requesting a CxSAST REST API token/);
    assert.ok(!run.stderr.includes(DEFAULT_SAST_USER.password));
    assert.ok(!run.stderr.includes(run.stdout.trim()), 'the token is not in the log');
  });

  it('--format json and the token verb without an agent', async () => {
    const json = await cli([...sastFlags(), '--format', 'JSON'], sastEnv);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).tokenType, 'Bearer');
    const token = await cli(['token', ...sastFlags()], sastEnv);
    assert.equal(token.code, 0, token.stderr);
    assert.match(token.stdout, /^[\w.-]+\n$/);
  });

  it('a secret given as a flag works, with a warning that process lists show it', async () => {
    const run = await cli([...sastFlags(), '--password', DEFAULT_SAST_USER.password]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /--password on the command line can be seen in process lists; set CX_PASSWORD instead\./);
  });

  it('bad usage exits 2 with one message on stderr and nothing on stdout', async () => {
    for (const argv of [['--nope'], ['--format', 'yaml', ...sastFlags()]]) {
      const run = await cli(argv, sastEnv);
      assert.equal(run.code, 2, argv.join(' '));
      assert.equal(run.stdout, '');
      assert.match(run.stderr, argv[0] === '--nope' ? /--nope.*See checkmarx-auth --help\./ : /--format 'yaml' is not one of/);
    }
  });

  it('a refused exchange exits 1; under TF_BUILD the error is an Azure logging command', async () => {
    const run = await cli([...sastFlags(), '--max-attempts', '1'], { CX_PASSWORD: 'wrong secret', TF_BUILD: 'True' });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      /^##vso\[task\.logissue type=error;code=token-request\/invalid-grant\]checkmarx-auth: \[token-request\/invalid-grant%5D .*HTTP 400/m,
    );
    // Registered with the agent's masking, and nowhere else.
    assert.match(run.stderr, /^##vso\[task\.setsecret\]wrong secret$/m);
    assert.ok(!run.stderr.replace(/^##vso\[task\.setsecret\].*$/gm, '').includes('wrong secret'));
  });

  it('RUNNER_DEBUG=1 adds debug lines', async () => {
    const quiet = await cli(sastFlags(), sastEnv);
    const debug = await cli(sastFlags(), { ...sastEnv, RUNNER_DEBUG: '1' });
    assert.equal(debug.code, 0, debug.stderr);
    assert.ok(debug.stderr.split('\n').length > quiet.stderr.split('\n').length, 'more lines under RUNNER_DEBUG');
  });
});

describe('an unexpected error under RUNNER_DEBUG=1', () => {
  const SECRET = 'sekrit-in-a-bug-message';
  /** I/O whose HTTP throws what no code of ours throws: a bug, with a secret in its message. */
  const buggyIo = {
    ...SYSTEM_IO,
    postForm: async () => {
      throw new TypeError(`cannot read ${SECRET}\n    at a line that looks like a frame ${SECRET}`);
    },
  };
  const framesOf = (lines: string[]) => lines.filter((line) => /\bat \S+ \(?(file:|node:)/.test(line));

  it('the action: its stack frames as ::debug:: lines after the error, never its message', async () => {
    const quiet = await inRunner(actionEnv(SAST_INPUTS), buggyIo);
    assert.equal(quiet.exitCode, 1);
    assert.match(quiet.stdout, /^::error::\[internal\/unexpected\] Unexpected failure \(TypeError\)\. Please report it\.$/m);
    assert.deepEqual(framesOf(quiet.stdout.split('\n')), [], 'no frames without RUNNER_DEBUG');
    const debug = await inRunner({ ...actionEnv(SAST_INPUTS), RUNNER_DEBUG: '1' }, buggyIo);
    const lines = debug.stdout.split('\n');
    const frames = framesOf(lines);
    assert.ok(frames.length > 0, 'frames are printed');
    assert.ok(frames.every((line) => line.startsWith('::debug::at ')));
    assert.ok(
      frames.some((line) => line.includes('entries.test.ts')),
      'the frames name where it was thrown',
    );
    assert.ok(lines.indexOf(frames[0]!) > lines.findIndex((line) => line.startsWith('::error::')));
    assert.ok(!debug.stdout.includes(SECRET), 'the message is never printed');
  });

  it('the CLI: its stack frames on stderr, never its message; exit 1', async () => {
    const run = async (env: Record<string, string>) => {
      let stderr = '';
      const deps: CliDeps = { env, io: buggyIo, stdout: () => {}, stderr: (text) => void (stderr += text) };
      return { code: await runCli(['--product', 'sast', '--server-url', server.url, '--username', 'u'], deps), stderr };
    };
    const quiet = await run({ CX_PASSWORD: 'p' });
    assert.equal(quiet.code, 1);
    assert.match(quiet.stderr, /^checkmarx-auth: error \[internal\/unexpected\]: Unexpected failure \(TypeError\)\. Please report it\.$/m);
    assert.deepEqual(framesOf(quiet.stderr.split('\n')), []);
    const debug = await run({ CX_PASSWORD: 'p', RUNNER_DEBUG: '1' });
    const frames = framesOf(debug.stderr.split('\n'));
    assert.ok(frames.length > 0 && frames.every((line) => line.startsWith('checkmarx-auth: at ')));
    assert.ok(!debug.stderr.includes(SECRET));
  });
});

describe('stackFrames', () => {
  it('gives nothing for our own errors, non-errors, and a stack that does not start with the message', () => {
    assert.deepEqual(stackFrames(new InputError('product', 'bad')), []);
    assert.deepEqual(stackFrames('a string'), []);
    const forged = new Error('secret');
    forged.stack = 'Error: other\n    at secret (file:///x.js:1:1)';
    assert.deepEqual(stackFrames(forged), []);
    const bare = new RangeError();
    assert.ok(stackFrames(bare).length > 0 && stackFrames(bare).every((frame) => frame.startsWith('at ')));
  });
});
