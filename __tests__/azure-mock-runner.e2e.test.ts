// End to end: the Azure DevOps task's committed bundle run the way Azure task authors test theirs,
// through azure-pipelines-task-lib's own MockTestRunner: a mock-run file sets the inputs with
// TaskMockRunner.setInput and the service connection as the agent's ENDPOINT_* variables, and
// `runAsync(20)` and `runAsync(24)` run it on the Node that task-lib maps them to (20.13.1 and
// 24.10.0). runAsync would download those from nodejs.org, which CI cannot reach: its download
// cache (under $HOME) is seeded here from the official builds that npm ci installed
// (support/nodes.ts), and a download it would still attempt fails the test.
//
// runAsync runs the task with spawnSync, which blocks this process: the token server runs in a
// process of its own (scripts/token-server.ts), killed by PID in `after`.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentView, assertNoAzureLeak, endpointVariables, taskDefaults, TASK_DIR, TASK_ENTRY } from './support/azure.ts';
import { exactNode, EXACT_NODES } from './support/nodes.ts';
import { killQuietly, waitFor } from './support/processes.ts';
import { parseFileCommands, REPO_ROOT, type Env } from './support/run.ts';

/** What task-lib's MockTestRunner reports after runAsync (azure-pipelines-task-lib/mock-test). */
interface MockTestRunner {
  runAsync(nodeVersion?: number): Promise<void>;
  downloadNode(version: string, destination: string): Promise<string>;
  readonly succeeded: boolean;
  readonly errorIssues: string[];
  readonly warningIssues: string[];
  readonly stdout: string;
  readonly stderr: string;
}
type MockTestRunnerClass = new (testPath: string, taskJsonPath: string) => MockTestRunner;

// runAsync(major) runs on these builds (mock-test.js, getNodePath's table).
const MOCK_RUNNER_NODES = [
  { major: 20, version: EXACT_NODES.mockRunnerNode20 },
  { major: 24, version: EXACT_NODES.azureNode24 },
];
const CONNECTION_ID = '0b7d3c1e-55aa-4f0e-9c2d-6a1b2c3d4e5f';

let home: string;
let temp: string;
let server: ChildProcess | undefined;
let fixtures: Record<string, string>;
let MockTestRunner: MockTestRunnerClass;
const savedHome = process.env['HOME'];

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'checkmarx-auth-mock-home-'));
  temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-mock-'));
  // task-lib reads $HOME for its download folder once, when mock-test is loaded: set it first.
  process.env['HOME'] = home;
  for (const { major, version } of MOCK_RUNNER_NODES) seedDownloadCache(major, version);
  MockTestRunner = (createRequire(import.meta.url)('azure-pipelines-task-lib/mock-test') as { MockTestRunner: MockTestRunnerClass })
    .MockTestRunner;

  const envFile = join(temp, 'token-server.env');
  server = spawn(process.execPath, [join(REPO_ROOT, 'scripts', 'token-server.ts'), '--write-env', envFile], { stdio: 'ignore' });
  await waitFor(
    'the token server to write its URL',
    () => existsSync(envFile) && readFileSync(envFile, 'utf8').includes('TOKEN_SERVER_URL='),
  );
  fixtures = parseFileCommands(readFileSync(envFile, 'utf8'));
});

after(() => {
  killQuietly(server?.pid);
  if (savedHome === undefined) delete process.env['HOME'];
  else process.env['HOME'] = savedHome;
  rmSync(home, { recursive: true, force: true });
  rmSync(temp, { recursive: true, force: true });
});

/** Where mock-test.js looks before it downloads Node `version`, on Linux: the build, then a marker. */
function seedDownloadCache(major: number, version: string): void {
  const destination = join(home, 'azure-pipelines-task-lib', '_download', `node${major}`);
  const bin = join(destination, `node-v${version}-linux-x64`, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(exactNode(version), join(bin, 'node'));
  writeFileSync(`${destination}.completed`, '');
}

/** A mock-run file, as a task author writes one: inputs through TaskMockRunner, then run(). */
function mockRunFile(name: string, inputs: Record<string, string>, env: Env): string {
  const file = join(temp, `${name}.cjs`);
  const lines = [
    // runAsync waits with spawnSync, which no test timeout can interrupt: the run bounds itself.
    'setTimeout(() => { console.log("mock-run: no end after 60 s"); process.exit(124); }, 60_000).unref();',
    `const { TaskMockRunner } = require(${JSON.stringify(join(REPO_ROOT, 'node_modules', 'azure-pipelines-task-lib', 'mock-run'))});`,
    `Object.assign(process.env, ${JSON.stringify(env)});`,
    `const runner = new TaskMockRunner(${JSON.stringify(TASK_ENTRY)});`,
    ...Object.entries({ ...taskDefaults(), ...inputs }).map(
      ([input, value]) => `runner.setInput(${JSON.stringify(input)}, ${JSON.stringify(value)});`,
    ),
    // true: the task does not use task-lib, so there is no task-lib to mock.
    'runner.run(true);',
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function runMocked(major: number, file: string): Promise<MockTestRunner> {
  const runner = new MockTestRunner(file, join(TASK_DIR, 'task.json'));
  runner.downloadNode = (version) =>
    assert.fail(`MockTestRunner would download Node ${version} from nodejs.org: seed its cache with the build from scripts/exact-nodes`);
  await runner.runAsync(major);
  return runner;
}

const agentEnv = (): Env => ({ TF_BUILD: 'True', AGENT_TEMPDIRECTORY: temp, SYSTEM_HOSTTYPE: 'build', AGENT_OS: 'Linux' });

for (const { major, version } of MOCK_RUNNER_NODES) {
  describe(`MockTestRunner runAsync(${major}) (Node ${version})`, () => {
    test('sast through a user-and-password connection: succeeded, the output variables, CX_ACCESS_TOKEN secret', async () => {
      const password = fixtures['TOKEN_SERVER_SAST_PASSWORD'] ?? '';
      const connection = {
        id: CONNECTION_ID,
        url: fixtures['TOKEN_SERVER_URL'] ?? '',
        scheme: 'UsernamePassword',
        parameters: { username: fixtures['TOKEN_SERVER_SAST_USERNAME'] ?? '', password },
      };
      const file = mockRunFile(
        `sast-${major}`,
        { product: 'sast', connection: CONNECTION_ID, maxAttempts: '1', timeoutSeconds: '10' },
        {
          ...agentEnv(),
          ...endpointVariables(connection),
        },
      );
      const runner = await runMocked(major, file);
      assert.ok(runner.succeeded, runner.stdout + runner.stderr);
      assert.deepEqual(runner.errorIssues, []);
      const { variables, secrets } = agentView(runner.stdout);
      const token = variables['accessToken']?.value ?? '';
      assert.match(token, /^ey/);
      assert.deepEqual(variables['accessToken'], { value: token, secret: true, output: true });
      assert.deepEqual(variables['CX_ACCESS_TOKEN'], { value: token, secret: true, output: false });
      assert.deepEqual(variables['tokenType'], { value: 'Bearer', secret: false, output: true });
      assert.deepEqual(variables['apiUrl'], { value: `${connection.url}/cxrestapi`, secret: false, output: true });
      assert.ok(secrets.includes(password) && secrets.includes(token));
      assertNoAzureLeak(runner, [password, token]);
    });

    test('a rejected client secret: failed, one error issue naming the product, the endpoint and the answer, no secret in sight', async () => {
      const wrong = 'wr0ng;secret]%';
      const file = mockRunFile(
        `rejected-${major}`,
        {
          product: 'cxone',
          iamUrl: fixtures['TOKEN_SERVER_URL'] ?? '',
          tenant: fixtures['TOKEN_SERVER_CXONE_TENANT'] ?? '',
          clientId: fixtures['TOKEN_SERVER_CXONE_CLIENT_ID'] ?? '',
          clientSecret: wrong,
          maxAttempts: '1',
          timeoutSeconds: '10',
        },
        agentEnv(),
      );
      const runner = await runMocked(major, file);
      assert.equal(runner.succeeded, false, 'task.complete result=Failed');
      // The task writes task.logissue, the agent's name for it; MockTestRunner's errorIssues
      // collects only task.issue (task-lib's tl.error), so the issue is read as the agent reads it.
      const view = agentView(runner.stdout);
      const errors = view.issues.filter((issue) => issue.type === 'error');
      assert.equal(errors.length, 1, runner.stdout);
      assert.match(errors[0]?.message ?? '', /Checkmarx One token request to .*\/auth\/realms\/acme\/.* failed/);
      assert.match(errors[0]?.message ?? '', /401|unauthorized_client|invalid_client/);
      assert.deepEqual(view.variables, {});
      assertNoAzureLeak(runner, [wrong]);
    });
  });
}
