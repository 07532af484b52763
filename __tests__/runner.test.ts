import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { EOL, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CheckmarxAuthError, exitCodeOf } from '../src/core/errors.ts';
import { OUTPUTS, outputValues } from '../src/core/outputs.ts';
import { fileCommand, workflowCommands, type WorkflowCommands } from '../src/action/workflow-commands.ts';
import { cxoneResult } from './support/fixtures.ts';
import { parseFileCommands } from './support/run.ts';

describe('file commands', () => {
  it('a single-line value takes the name=value form', () => {
    assert.equal(fileCommand('access-token', 'abc=def'), `access-token=abc=def${EOL}`);
  });
  it('a multi-line value takes the heredoc form with a random delimiter, and reads back whole', () => {
    const text = fileCommand('scope', 'a\nb');
    assert.match(text, /^scope<<ghadelimiter_[0-9a-f-]{36}\r?\n/);
    assert.notEqual(text, fileCommand('scope', 'a\nb'));
    assert.deepEqual(parseFileCommands(text + fileCommand('x', 'y')), { scope: 'a\nb', x: 'y' });
  });
});

// The workflow commands with their deps: into temp GITHUB_* files when the env given names them,
// else as ::commands:: on the stdout given. They read and change nothing of this process.

const RUNNER_FILES = ['GITHUB_OUTPUT', 'GITHUB_ENV', 'GITHUB_PATH', 'GITHUB_STATE'] as const;

describe('workflow commands', () => {
  let dir: string;
  const savedExitCode = process.exitCode;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'checkmarx-auth-runner-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The commands for this env, and what they wrote to stdout. */
  const commandsFor = (env: Record<string, string>) => {
    const out = { text: '' };
    return { core: workflowCommands({ env, stdout: (text) => void (out.text += text) }), out };
  };
  const useFiles = (): Record<(typeof RUNNER_FILES)[number], string> => {
    const files = Object.fromEntries(RUNNER_FILES.map((name) => [name, join(dir, `${name}-${Math.random().toString(36).slice(2)}`)]));
    for (const path of Object.values(files)) writeFileSync(path, 'EARLIER=kept' + EOL);
    return files as Record<(typeof RUNNER_FILES)[number], string>;
  };
  const read = (path: string) => parseFileCommands(readFileSync(path, 'utf8'));

  it('with the runner files set, outputs, variables, state and PATH are appended to them, not printed', () => {
    const files = useFiles();
    const { core, out } = commandsFor(files);
    const envBefore = { ...process.env };
    core.setOutputs([
      ['access-token', 'tok=en'],
      ['scope', 'a\nb'],
    ]);
    core.exportVariables([['CX_TEST_EXPORTED', 'value 1']]);
    core.saveState('agent_pid', '1234');
    core.addPath('/opt/checkmarx auth/bin');
    assert.equal(out.text, '');
    assert.deepEqual(read(files.GITHUB_OUTPUT), { EARLIER: 'kept', 'access-token': 'tok=en', scope: 'a\nb' });
    assert.deepEqual(read(files.GITHUB_ENV), { EARLIER: 'kept', CX_TEST_EXPORTED: 'value 1' });
    assert.deepEqual({ ...process.env }, envBefore, "this process's environment is left alone");
    assert.deepEqual(read(files.GITHUB_STATE), { EARLIER: 'kept', agent_pid: '1234' });
    assert.equal(readFileSync(files.GITHUB_PATH, 'utf8'), `EARLIER=kept${EOL}/opt/checkmarx auth/bin${EOL}`);
  });

  it('without them, the same go to stdout as workflow commands', () => {
    const { core, out } = commandsFor({});
    core.setOutputs([['expires-in', '3600']]);
    core.exportVariables([['CX_TEST_EXPORTED', '50%']]);
    core.saveState('agent_sock', '/tmp/a#key');
    core.addPath('/opt/bin');
    assert.deepEqual(out.text.split(EOL), [
      '::set-output name=expires-in::3600',
      '::set-env name=CX_TEST_EXPORTED::50%25',
      '::save-state name=agent_sock::/tmp/a#key',
      '::add-path::/opt/bin',
      '',
    ]);
    assert.equal(process.env['CX_TEST_EXPORTED'], undefined);
  });

  it('a property value is escaped as the runner reads it: %, CR, LF, : and ,', () => {
    const { core, out } = commandsFor({});
    core.saveState('a:b,c%d\n', 'v');
    assert.equal(out.text, `::save-state name=a%3Ab%2Cc%25d%0A::v${EOL}`);
  });

  it("mask, info, debug, warning and error lines; server text cannot start a new command; the exit code is the entry's", () => {
    const { core, out } = commandsFor({});
    core.setSecret('s3cr3t');
    core.info('plain\n::error::forged');
    core.debug('details');
    core.warning('careful\r\nnow');
    core.error('it failed\n::add-mask::x');
    assert.deepEqual(out.text.split(EOL), [
      '::add-mask::s3cr3t',
      'plain ::error::forged',
      '::debug::details',
      '::warning::careful now',
      '::error::it failed ::add-mask::x',
      '',
    ]);
    assert.equal(process.exitCode, savedExitCode);
  });

  it('a runner file that cannot be written is a RunnerFileError naming the file, never the value', () => {
    const folder = mkdtempSync(join(dir, 'not-a-file-'));
    for (const [variable, write] of [
      ['GITHUB_OUTPUT', (core: WorkflowCommands) => core.setOutputs([['access-token', 'the-secret-token']])],
      ['GITHUB_ENV', (core: WorkflowCommands) => core.exportVariables([['CX_TEST_EXPORTED', 'the-secret-token']])],
      ['GITHUB_STATE', (core: WorkflowCommands) => core.saveState('agent_sock', 'the-secret-token')],
      ['GITHUB_PATH', (core: WorkflowCommands) => core.addPath('/the-secret-token')],
    ] as const) {
      const { core } = commandsFor({ [variable]: folder });
      assert.throws(
        () => write(core),
        (error: Error) => {
          assert.ok(error instanceof CheckmarxAuthError, String(error));
          assert.equal(exitCodeOf(error), 1);
          assert.match(
            error.message,
            new RegExp(
              `^Cannot write .+ to ${variable} \\(${folder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\): EISDIR\\. Check that the file exists and is writable\\.$`,
            ),
          );
          assert.doesNotMatch(error.message, /the-secret-token/);
          return true;
        },
        variable,
      );
    }
  });
});

describe("the action's outputs", () => {
  const result = cxoneResult({ accessToken: 'tok', refreshToken: 'never-an-output' });
  it('one per OUTPUTS entry that has a value, in table order; never the refresh token', () => {
    assert.deepEqual(outputValues(result), [
      ['access-token', 'tok'],
      ['token-type', 'Bearer'],
      ['expires-in', '1800'],
      ['expires-at', '2030-01-01T00:00:00.000Z'],
      ['api-url', 'https://ast.checkmarx.net/api'],
      ['tenant', 'acme'],
    ]);
    assert.equal(outputValues({ ...result, scope: 'sast_rest_api', apiKeyExpiresAt: '2030-02-01T00:00:00Z' }).length, OUTPUTS.length);
  });
});
