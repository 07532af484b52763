// Reads `$env:NAME = '...'` lines the way PowerShell's tokenizer reads a single-quoted (verbatim)
// string: nothing inside is special except a single-quote character, which ends the string unless
// another one follows it. PowerShell counts ' and the typographic U+2018 to U+201B as single
// quotes. Where pwsh is installed, tests also run the real thing (pwshPath).

import { spawnSync } from 'node:child_process';

const SINGLE_QUOTES = new Set(["'", '\u2018', '\u2019', '\u201A', '\u201B']);

/** The variables a script of `$env:NAME = '...'` statements sets, or an error where it is not only that. */
export function evaluatePowershellAssignments(script: string): Record<string, string> {
  const values: Record<string, string> = {};
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`not a plain assignment at offset ${at}: ${why}`);
  };
  while (at < script.length) {
    const head = /^\$env:([A-Za-z_][A-Za-z0-9_]*) = /.exec(script.slice(at));
    if (!head) fail(JSON.stringify(script.slice(at, at + 40)));
    at += head![0].length;
    if (!SINGLE_QUOTES.has(script[at]!)) fail('the value is not single-quoted');
    at++;
    let value = '';
    for (;;) {
      if (at >= script.length) fail('unterminated string');
      const char = script[at]!;
      if (SINGLE_QUOTES.has(char)) {
        if (SINGLE_QUOTES.has(script[at + 1] ?? '')) {
          value += script[at + 1];
          at += 2;
          continue;
        }
        at++;
        break;
      }
      value += char;
      at++;
    }
    // One statement per line: after the string comes the line's end, nothing else.
    if (script[at] !== '\n') fail(`${JSON.stringify(script.slice(at, at + 20))} after the string`);
    at++;
    values[head![1]!] = value;
  }
  return values;
}

/** pwsh's path where PowerShell is installed, else undefined. */
export function pwshPath(): string | undefined {
  const found = spawnSync(process.platform === 'win32' ? 'where' : 'which', ['pwsh'], { encoding: 'utf8', timeout: 5000 });
  return found.status === 0 ? found.stdout.split(/\r?\n/)[0]?.trim() || undefined : undefined;
}
