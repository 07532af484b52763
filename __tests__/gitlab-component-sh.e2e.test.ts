// The component's before_script and after_script as a GitLab runner runs them where the image has
// no bash (node:24-alpine, busybox): by `sh -e`, before_script and script in one shell,
// after_script in a new one, with the inputs as job variables. gitlab.e2e.test.ts runs the whole
// pipeline in gitlab-ci-local, which always uses bash; this one checks the POSIX sh side, and that
// the token in the script is one the token server issued.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { connect } from 'node:net';
import { startCheckmarxUpstream, type CheckmarxUpstream } from './support/checkmarx-upstream.ts';
import { acceptedLoot, loot } from './support/thief.ts';
import { DEFAULT_SAST_USER, IDENTITY_TOKEN_PATH, startTokenServer, type TokenServer } from './support/token-server.ts';
import { REPO_ROOT, assertNoLeak, cleanEnv, runProcess } from './support/run.ts';

const TEMPLATE = join(REPO_ROOT, 'templates', 'checkmarx-auth', 'template.yml');
const documents = parseAllDocuments(readFileSync(TEMPLATE, 'utf8')).map((document) => document.toJS() as Record<string, unknown>);
const inputs = (documents[0] as { spec: { inputs: Record<string, { default: string }> } }).spec.inputs;
// the hidden job's name is the job-name input: the key GitLab interpolates
const job = (documents[1] as Record<string, { variables: Record<string, string>; before_script: string[]; after_script: string[] }>)[
  '$[[ inputs.job-name ]]'
]!;
/** The agent polls for its socket every 2 s. */
const AGENT_GONE_WITHIN_MS = 10_000;

/** The job's variables for these inputs, as GitLab interpolates them (the rest take their defaults). */
function jobVariables(given: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(job.variables).map(([name, value]) => {
      const input = /^\$\[\[ inputs\.([\w-]+) \]\]$/.exec(value)![1]!;
      return [name, given[input] ?? inputs[input]!.default];
    }),
  );
}

/** PIDs of the processes whose command line names `folder` (the agent runs the CLI installed there). */
function processesOf(folder: string): number[] {
  if (!existsSync('/proc')) return [];
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(folder);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('GitLab component in POSIX sh', () => {
  let server: TokenServer;
  let root: string;
  let tarball: string;
  before(async () => {
    server = await startTokenServer();
    root = mkdtempSync(join(tmpdir(), 'cx-gitlab-sh-'));
    mkdirSync(join(root, 'tmp'));
    mkdirSync(join(root, 'home'));
    // The CLI from this checkout, as a tarball: installing it needs no registry.
    const pack = await runProcess('npm', ['pack', '--silent', '--pack-destination', root], {
      cwd: REPO_ROOT,
      env: cleanEnv({ PATH: [dirname(process.execPath), process.env['PATH']].join(delimiter), HOME: join(root, 'home') }),
      timeoutMs: 60_000,
    });
    assert.equal(pack.code, 0, pack.stderr);
    tarball = join(root, pack.stdout.trim().split('\n').at(-1)!);
  });
  after(async () => {
    for (const pid of processesOf(root)) process.kill(pid, 'SIGKILL');
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  const run = (script: string, variables: Record<string, string>) =>
    runProcess('sh', ['-e', '-c', script], {
      cwd: root,
      env: cleanEnv({
        PATH: [dirname(process.execPath), process.env['PATH']].join(delimiter),
        HOME: join(root, 'home'),
        TMPDIR: join(root, 'tmp'),
        CI_JOB_ID: '4242',
        npm_config_offline: 'true',
        npm_config_update_notifier: 'false',
        ...variables,
      }),
      timeoutMs: 120_000,
    });
  const given = () => ({ product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, 'install-from': tarball });

  it('gives the script a token the server issued and a fresh one from the agent; after_script stops the agent', async () => {
    server.reset();
    const variables = { ...jobVariables(given()), CX_PASSWORD: DEFAULT_SAST_USER.password };
    const script = [...job.before_script, 'printf "first=%s\\n" "$CX_ACCESS_TOKEN"', 'printf "fresh=%s\\n" "$(checkmarx-auth token)"'];
    const main = await run(script.join('\n'), variables);
    assert.equal(main.code, 0, main.stderr);
    const first = /^first=(.+)$/m.exec(main.stdout)?.[1];
    const fresh = /^fresh=(.+)$/m.exec(main.stdout)?.[1];
    assert.ok(first && server.issuedAccessTokens.includes(first), 'CX_ACCESS_TOKEN is not a token the server issued');
    assert.equal(fresh, first, 'the agent should hand out its still-valid token');
    assertNoLeak({ stdout: '', stderr: main.stderr }, [DEFAULT_SAST_USER.password, first]);

    const folder = join(root, 'tmp', 'cxauth-job-4242');
    assert.ok(processesOf(folder).length > 0 || !existsSync('/proc'), 'no agent runs after before_script');
    const cleanup = await run(job.after_script.join('\n'), variables);
    assert.equal(cleanup.code, 0, cleanup.stderr);
    assert.equal(existsSync(folder), false);
    const deadline = performance.now() + AGENT_GONE_WITHIN_MS;
    while (processesOf(folder).length > 0 && performance.now() < deadline) await sleep(200);
    assert.deepEqual(processesOf(folder), [], 'the agent outlived after_script');
  });

  it("sealed: 'true' gives the script only values that fail at the real Checkmarx and a facade that works; after_script closes it", async () => {
    const upstream: CheckmarxUpstream = await startCheckmarxUpstream();
    try {
      const sealedInputs = {
        ...given(),
        'server-url': upstream.api.url,
        'token-url': upstream.iam.url + IDENTITY_TOKEN_PATH,
        sealed: 'true',
      };
      const variables = { ...jobVariables(sealedInputs), CX_PASSWORD: DEFAULT_SAST_USER.password };
      // The job's script as a thief writes it: everything it can read, and a login at the facade.
      const thief = [
        'env',
        'for format in token json env azure powershell; do checkmarx-auth token --format "$format"; done',
        'printf "grant_type=password&username=%s&password=%s&scope=sast_rest_api&client_id=resource_owner_client" "$CX_SEALED_USERNAME" "$CX_SEALED_PASSWORD" > "$TMPDIR/login-form"',
        'printf "facade=%s\\n" "$CX_SEALED_SERVER_URL"',
      ];
      const main = await run([...job.before_script, ...thief].join('\n'), variables);
      assert.equal(main.code, 0, main.stderr);
      const facade = /^facade=(http:\/\/127\.0\.0\.1:(\d+))$/m.exec(main.stdout);
      assert.ok(facade, main.stdout);
      const login = await fetch(`${facade[1]}${IDENTITY_TOKEN_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: readFileSync(join(root, 'tmp', 'login-form'), 'utf8'),
        signal: AbortSignal.timeout(30_000),
      });
      const answer = await login.text();
      assert.equal(login.status, 200, answer);
      const projects = await fetch(`${facade[1]}/cxrestapi/projects`, {
        headers: { Authorization: `Bearer ${(JSON.parse(answer) as { access_token: string }).access_token}` },
        signal: AbortSignal.timeout(30_000),
      });
      assert.equal(projects.status, 200, 'the facade forwards the job to the real API');
      const texts = [main.stdout, answer];
      for (const real of upstream.iam.issuedAccessTokens) assert.ok(!texts.join('\n').includes(real), 'the script can read a real token');
      assert.deepEqual(
        [...(await acceptedLoot(upstream, loot(texts))).keys()].map((value) => value.slice(0, 10)),
        [],
      );
      assertNoLeak({ stdout: main.stdout, stderr: main.stderr }, [DEFAULT_SAST_USER.password]);

      const cleanup = await run(job.after_script.join('\n'), variables);
      assert.equal(cleanup.code, 0, cleanup.stderr);
      const folder = join(root, 'tmp', 'cxauth-job-4242');
      const deadline = performance.now() + AGENT_GONE_WITHIN_MS;
      while (processesOf(folder).length > 0 && performance.now() < deadline) await sleep(200);
      assert.deepEqual(processesOf(folder), [], 'the sealed agent outlived after_script');
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port: Number(facade[2]) });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
      });
      assert.ok(refused, 'the facade accepts connections after after_script');
    } finally {
      await upstream.close();
    }
  });

  it('stops on the start-agent line with exit 1 when the exchange fails', async () => {
    server.reset();
    const variables = { ...jobVariables(given()), CX_PASSWORD: 'not the password' };
    const main = await run([...job.before_script, 'echo "script ran"'].join('\n'), variables);
    assert.equal(main.code, 1, main.stderr);
    assert.doesNotMatch(main.stdout, /script ran/);
    assert.match(main.stderr, /checkmarx-auth: error \[token-request\/invalid-grant\]: /);
    assert.deepEqual(server.issuedAccessTokens, []);
    assertNoLeak({ stdout: main.stdout, stderr: main.stderr }, ['not the password']);
    await run(job.after_script.join('\n'), variables);
  });

  it('stops before any request when the installed CLI is not the pinned version', async () => {
    server.reset();
    const variables = { ...jobVariables({ ...given(), version: '0.0.1' }), CX_PASSWORD: 'x' };
    const main = await run([...job.before_script, 'echo "script ran"'].join('\n'), variables);
    assert.equal(main.code, 1, main.stderr);
    assert.match(main.stderr, /the component pins 0\.0\.1/);
    assert.equal(server.requests.length, 0);
    await run(job.after_script.join('\n'), variables);
  });
});
