// Masking of run-time secrets: one declaration (core/run-time-secrets.ts), and the line that
// registers a value with GitHub's or Azure's log masking, escaped as each reader un-escapes it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ciWith } from '../src/ci/systems.ts';

const maskCommand = (env: Record<string, string>) => ciWith(env, 'maskLine');
import { OUTPUTS } from '../src/core/outputs.ts';
import { isSecretVariable, runTimeSecretValues } from '../src/core/run-time-secrets.ts';
import { formatResult } from '../src/cli/formats.ts';
import { parseStderrMasks } from './support/run.ts';

const TRICKY = ['plain', 'a%b', '%25%0A%3B%5D%AZP25', 'semi;colon]bracket', 'two\nlines\r\nand cr', '100%;]\r'];

describe('mask commands', () => {
  it('GitHub Actions: ::add-mask:: on one line, read back by the runner as the value itself', () => {
    const line = maskCommand({ GITHUB_ACTIONS: 'true', TF_BUILD: 'True' })!;
    for (const value of TRICKY) {
      const text = line(value);
      assert.match(text, /^::add-mask::[^\r\n]*\n$/);
      assert.deepEqual(parseStderrMasks(text), [value]);
    }
  });

  it('Azure Pipelines: ##vso[task.setsecret] with the agent escaping (%AZP25, %3B, %0D, %0A, %5D)', () => {
    const line = maskCommand({ TF_BUILD: 'True' })!;
    assert.equal(line('a%;\r\n]b'), '##vso[task.setsecret]a%AZP25%3B%0D%0A%5Db\n');
    for (const value of TRICKY) {
      const text = line(value);
      assert.match(text, /^##vso\[task\.setsecret\][^\r\n;\]]*\n$/);
      assert.deepEqual(parseStderrMasks(text), [value]);
    }
  });

  it('elsewhere nothing masks, so nothing is registered', () => {
    assert.equal(maskCommand({}), undefined);
    assert.equal(maskCommand({ GITHUB_ACTIONS: 'false' }), undefined);
  });
});

describe('run-time secrets, declared once', () => {
  const result = {
    accessToken: 'tok',
    refreshToken: 'ref',
    tokenType: 'Bearer',
    expiresIn: 60,
    expiresAt: '2030-01-01T00:00:00Z',
    apiUrl: 'https://x/api',
  };

  it('picks the access token, the refresh token, the agent key and CX_AUTH_SOCK, and nothing else', () => {
    assert.deepEqual(runTimeSecretValues(result), ['tok', 'ref']);
    assert.deepEqual(runTimeSecretValues({ ...result, agentKey: 'key', authSock: '/s#key' }), ['tok', 'ref', 'key', '/s#key']);
    assert.deepEqual(runTimeSecretValues({ accessToken: '' }), []);
  });

  it('the token is the only secret output, and the only secret variable of --format azure besides CX_AUTH_SOCK', () => {
    assert.deepEqual(
      OUTPUTS.filter((spec) => spec.secret).map((spec) => spec.name),
      ['access-token'],
    );
    assert.equal(isSecretVariable('CX_AUTH_SOCK'), true);
    assert.equal(isSecretVariable('CX_API_URL'), false);
    const lines = formatResult('azure', result, 'MY_TOKEN').trim().split('\n');
    assert.deepEqual(
      lines.filter((l) => l.includes('issecret=true')),
      ['##vso[task.setvariable variable=MY_TOKEN;issecret=true]tok'],
    );
    assert.equal(lines.filter((l) => l.includes('issecret=false')).length, lines.length - 1);
  });
});
