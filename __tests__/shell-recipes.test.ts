// Shell recipes never hide a failure (SPEC, CLI): no recipe in the README, docs/, --help or the
// GitLab component evaluates a command substitution directly (`eval "$(...)"` returns 0 when the
// command failed); each assigns first, stops with `|| exit 1`, then evaluates. Jenkins recipes
// turn tracing off before a line that handles a token, since Jenkins runs `sh -xe`.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { CLI_ENTRY, REPO_ROOT, cleanEnv, runProcess } from './support/run.ts';

/** Every file under `dir` (relative to the repository root) whose name ends with one of `endings`. */
function filesUnder(dir: string, endings: string[]): string[] {
  const root = join(REPO_ROOT, dir);
  if (!existsSync(root)) return [];
  if (statSync(root).isFile()) return [dir];
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((file) => endings.some((ending) => file.endsWith(ending)))
    .map((file) => relative(REPO_ROOT, join(root, file)));
}

const checked: Array<[path: string, text: string]> = [
  'README.md',
  ...filesUnder('docs', ['.md']),
  ...filesUnder('src', ['.ts']),
  ...filesUnder('templates', ['.yml', '.yaml']),
  '.gitlab-ci.yml',
]
  .filter((path) => existsSync(join(REPO_ROOT, path)))
  .map((path) => [path, readFileSync(join(REPO_ROOT, path), 'utf8')]);

/** `eval` of a command substitution, except the literal `eval "$(...)"` that docs/cli.md names as the trap. */
const EVAL_OF_SUBSTITUTION = /\beval\s+["']?(?:\$\((?!\.\.\.\))|`)/;

/** `name="$(... checkmarx-auth ...)" rest`: the CLI's output assigned to a variable. */
const ASSIGNED_FROM_CLI = /^[\s-]*(\w+)="\$\([^\n]*checkmarx-auth[^\n]*?\)"(.*)$/gm;

function unguardedAssignments(text: string): string[] {
  return [...text.matchAll(ASSIGNED_FROM_CLI)]
    .filter(([, name, rest]) => text.includes(`eval "$${name}"`) && !/\|\|\s*exit 1\b/.test(rest!))
    .map(([line]) => line.trim());
}

/** The body of every `sh '''...'''` step in the groovy blocks of `text`. */
function jenkinsShellSteps(text: string): string[] {
  return [...text.matchAll(/^( *)```groovy\n([\s\S]*?)^\1```/gm)].flatMap((block) =>
    [...block[2]!.matchAll(/\bsh\s+'''([\s\S]*?)'''/g)].map((step) => step[1]!),
  );
}

/** The first line of a Jenkins `sh` step that handles a token, when no `set +x` comes before it. */
function tracedTokenLine(script: string): string | undefined {
  const lines = script.split('\n');
  const handles = lines.findIndex((line) => /\$\([^)]*checkmarx-auth|CX_ACCESS_TOKEN|CX_AUTH_SOCK|\beval\b/.test(line));
  if (handles === -1) return undefined;
  const untraced = lines.findIndex((line) => /^\s*set\s(?:[^#\n]*\s)?\+\w*x/.test(line));
  return untraced !== -1 && untraced < handles ? undefined : lines[handles]!.trim();
}

describe('shell recipes never hide a failure', () => {
  it('no page, source file or component evaluates a command substitution', () => {
    assert.ok(checked.length >= 20, `only ${checked.length} files checked`);
    for (const [path, text] of checked) {
      const line = text.split('\n').find((candidate) => EVAL_OF_SUBSTITUTION.test(candidate));
      assert.equal(line, undefined, `${path} evaluates a command substitution: ${line}`);
    }
  });
  it('the eval check can fail', () => {
    assert.match('eval "$(checkmarx-auth start-agent)"', EVAL_OF_SUBSTITUTION);
    assert.match('    - eval $(npx --yes checkmarx-auth@1 --format env)', EVAL_OF_SUBSTITUTION);
    assert.doesNotMatch('The shorter `eval "$(...)"` hides a failure', EVAL_OF_SUBSTITUTION);
  });

  it('every assignment from the CLI that is evaluated later stops with || exit 1', () => {
    let assignments = 0;
    for (const [path, text] of checked) {
      assignments += [...text.matchAll(ASSIGNED_FROM_CLI)].length;
      assert.deepEqual(unguardedAssignments(text), [], path);
    }
    assert.ok(assignments >= 5, `only ${assignments} assignments found`);
  });
  it('the assignment check can fail', () => {
    assert.deepEqual(unguardedAssignments('cx_env="$(checkmarx-auth start-agent)"\neval "$cx_env"\n'), [
      'cx_env="$(checkmarx-auth start-agent)"',
    ]);
  });

  it('every Jenkins sh step turns tracing off before a line that handles a token', () => {
    const steps = checked.flatMap(([, text]) => jenkinsShellSteps(text));
    assert.ok(steps.length >= 4, `only ${steps.length} Jenkins sh steps`);
    for (const step of steps) assert.equal(tracedTokenLine(step), undefined, step);
  });
  it('the Jenkins check can fail', () => {
    assert.equal(
      tracedTokenLine('\n  cx_env="$(checkmarx-auth start-agent)" || exit 1\n  set +x\n'),
      'cx_env="$(checkmarx-auth start-agent)" || exit 1',
    );
    assert.equal(tracedTokenLine('\n  set -eu +x\n  token="$(checkmarx-auth)"\n'), undefined);
  });
});

describe('the assign-then-eval idiom of docs/cli.md, run by sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cx-recipe-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  // `checkmarx-auth` on the PATH runs the committed CLI bundle on this Node.
  const command = join(dir, 'checkmarx-auth');
  writeFileSync(command, `#!/bin/sh\nexec '${process.execPath}' '${CLI_ENTRY}' "$@"\n`);
  chmodSync(command, 0o755);
  const env = cleanEnv({ PATH: `${dir}:${process.env['PATH']}` });

  const cli = readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');
  const idiom = /## Assign, then eval\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(cli)?.[1];
  const run = (script: string) => runProcess('sh', ['-c', script], { env, cwd: dir, timeoutMs: 30_000 });

  it('stops the script at that line with exit 1 when start-agent fails', async () => {
    assert.ok(idiom?.includes('start-agent'), 'no sh block under "## Assign, then eval"');
    const result = await run(`set -e\n${idiom}echo "ran on: CX_AUTH_SOCK=\${CX_AUTH_SOCK-unset}"\n`);
    assert.equal(result.code, 1, result.stderr);
    assert.doesNotMatch(result.stdout, /ran on/);
    assert.match(result.stderr, /product/); // the CLI's own message says what was missing
  });
  it('whereas eval "$(...)" runs on after the same failure (what the idiom prevents)', async () => {
    const result = await run('set -e\neval "$(checkmarx-auth start-agent)"\necho "ran on"\n');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /ran on/);
  });
});
