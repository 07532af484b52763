// The shell recipes pass shellcheck (SPEC, Distribution): every sh, bash or shell code block of
// the README and docs/, and the examples of `checkmarx-auth --help`, each checked by Debian's
// shellcheck as the dialect its block names. Where shellcheck is not installed the check is
// skipped, saying so (.ci/run installs it on Debian and Ubuntu).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXAMPLES } from '../src/cli/help.ts';
import { REPO_ROOT } from './support/run.ts';

interface Recipe {
  /** where it is: a file and the line its code starts on */
  where: string;
  shell: 'sh' | 'bash';
  code: string;
}

const FENCED_SHELL = /^( *)```(sh|bash|shell)\n([\s\S]*?)^\1```/gm;

/** Every sh, bash or shell block of a Markdown page, dedented by its fence's indent. */
function recipesOf(path: string, text: string): Recipe[] {
  return [...text.matchAll(FENCED_SHELL)].map((block) => {
    const [, indent, language, body] = block as unknown as [string, string, string, string];
    const line = text.slice(0, block.index).split('\n').length + 1;
    const code = body
      .split('\n')
      .map((codeLine) => (codeLine.startsWith(indent) ? codeLine.slice(indent.length) : codeLine))
      .join('\n');
    return { where: `${path}:${line}`, shell: language === 'bash' ? 'bash' : 'sh', code };
  });
}

const pages = [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const recipes: Recipe[] = [
  ...pages.flatMap((path) => recipesOf(path, readFileSync(join(REPO_ROOT, path), 'utf8'))),
  // --help says its examples are bash
  { where: 'checkmarx-auth --help (src/cli/help.ts)', shell: 'bash', code: `${EXAMPLES.map((line) => line.slice(2)).join('\n')}\n` },
];

/** shellcheck's findings on `code`, or '' when it has none. */
function shellcheck(recipe: Pick<Recipe, 'shell' | 'code'>): string {
  const run = spawnSync('shellcheck', ['--shell', recipe.shell, '--format', 'gcc', '-'], {
    input: recipe.code,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (run.error) throw run.error;
  return run.status === 0 ? '' : `${run.stdout}${run.stderr}` || `shellcheck exited with ${run.status}`;
}

const version = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
const skip =
  version.status === 0 ? false : 'shellcheck is not installed (Debian and Ubuntu: apt-get install shellcheck; .ci/run installs it)';

describe('shell recipes: the blocks to check', () => {
  it('are found in the README, docs/ and --help', () => {
    assert.ok(recipes.length >= 15, `only ${recipes.length} shell blocks found`);
    for (const path of ['README.md', 'docs/cli.md', 'docs/exec.md']) {
      assert.ok(
        recipes.some((recipe) => recipe.where.startsWith(`${path}:`)),
        `no shell block in ${path}`,
      );
    }
  });
  it('are taken from indented fences too, dedented, in the dialect the fence names', () => {
    const [recipe] = recipesOf('page.md', 'text\n\n  ```bash\n  a=1\n  echo "$a"\n  ```\n');
    assert.deepEqual(recipe, { where: 'page.md:4', shell: 'bash', code: 'a=1\necho "$a"\n' });
  });
});

describe('shell recipes pass shellcheck', { skip }, () => {
  it('the check can fail: an unguarded cd and an unquoted variable are findings', () => {
    const findings = shellcheck({ shell: 'sh', code: 'cd checkmarx-auth\nrm -rf $dir/build\n' });
    assert.match(findings, /SC2164/);
    assert.match(findings, /SC2086/);
  });
  for (const recipe of recipes) {
    it(recipe.where, () => {
      assert.equal(shellcheck(recipe), '', `${recipe.where} (${recipe.shell}):\n${recipe.code}`);
    });
  }
});
