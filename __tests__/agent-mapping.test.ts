// A later Azure Pipelines step that runs `checkmarx-auth token` or `exec` without mapping the
// token agent's CX_AUTH_SOCK: the CLI, in process, says how to map it before what a one-shot
// exchange lacks; elsewhere, with the variable mapped, or for another failure, it says what it
// always said. (azure.e2e.test.ts runs the same through the task's CLI bundle on the agents' Nodes.)

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { run } from '../src/cli/main.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { agentView } from './support/azure.ts';
import { assertNoLeak } from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

const MAPPING = '`env: CX_AUTH_SOCK: $(CX_AUTH_SOCK)`';

async function cli(argv: string[], env: Record<string, string | undefined>) {
  let stdout = '';
  let stderr = '';
  const code = await run(argv, {
    env,
    io: SYSTEM_IO,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

const errorsOf = (stderr: string) =>
  agentView(stderr)
    .issues.filter((issue) => issue.type === 'error')
    .map((issue) => `${issue.code ?? '(no code)'} ${issue.message}`);

let server: TokenServer;
before(async () => {
  server = await startTokenServer();
});
after(() => server.close());

describe('a later step without CX_AUTH_SOCK', () => {
  for (const argv of [['token'], ['exec', '--', 'true']]) {
    test(`${argv[0]} in Azure Pipelines (TF_BUILD): how to map it, then what the exchange lacks; exit 2`, async () => {
      const result = await cli(argv, { TF_BUILD: 'True' });
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      const errors = errorsOf(result.stderr);
      assert.equal(errors.length, 1, result.stderr);
      const message = errors[0] ?? '';
      assert.match(message, /^agent\/not-mapped checkmarx-auth: \[agent\/not-mapped\] CX_AUTH_SOCK is not set in this step\./);
      assert.ok(message.includes(MAPPING), message);
      const missing = message.indexOf('--product / CX_PRODUCT');
      assert.ok(missing > message.indexOf(MAPPING), 'the missing input follows the mapping');
    });
  }

  test('outside Azure Pipelines the missing input is the message, as before', async () => {
    const result = await cli(['token'], {});
    assert.equal(result.code, 2);
    assert.ok(!result.stderr.includes('CX_AUTH_SOCK'), result.stderr);
    assert.match(result.stderr, /--product \/ CX_PRODUCT/);
  });

  test('the bare command and start-agent are not about the agent a step maps: no hint', async () => {
    for (const argv of [[], ['start-agent']]) {
      const result = await cli(argv, { TF_BUILD: 'True' });
      assert.equal(result.code, 2);
      assert.ok(!result.stderr.includes(MAPPING), result.stderr);
    }
  });

  test('a failure that is not about inputs is told as it is, without the hint', async () => {
    const password = 'not-the-password;]%';
    const result = await cli(['token'], {
      TF_BUILD: 'True',
      CX_PRODUCT: 'sast',
      CX_SERVER_URL: server.url,
      CX_USERNAME: DEFAULT_SAST_USER.username,
      CX_PASSWORD: password,
      CX_MAX_ATTEMPTS: '1',
    });
    assert.equal(result.code, 1);
    const errors = errorsOf(result.stderr);
    assert.equal(errors.length, 1, result.stderr);
    assert.ok(!errors[0]?.includes('CX_AUTH_SOCK'), errors[0]);
    assert.match(errors[0] ?? '', /CxSAST/);
    assertNoLeak(result, [password]);
  });
});
