// The CLI's output formats, read back by the rules of the shell each one is for.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatResult } from '../src/cli/formats.ts';
import { powershellQuote } from '../src/core/quoting.ts';
import type { TokenResult } from '../src/core/token-response.ts';
import { OUTPUTS } from '../src/core/outputs.ts';
import { evaluatePowershellAssignments, pwshPath } from './support/powershell.ts';
import { sastResult } from './support/fixtures.ts';

/** Everything PowerShell could misread: its quotes (typographic ones too), `$`, backticks, newlines, `;`, unicode. */
const HOSTILE = [
  "it's",
  "''",
  "'; Remove-Item -Recurse C:\\; '",
  '$env:PATH $(Get-Date) ${x} @(1) @{a=1}',
  "`n `$ `` `'",
  'two\nlines\r\nand a CR\r',
  'a;b | c & d > e < f # g',
  '\u2018smart\u2019 \u201Alow\u201B quotes',
  '"double" \u201Cdouble smart\u201D',
  'ünïcödé — 漢字 🔑 \u200B\uFEFF',
  '\t\v\f\u0085\u2028\u2029',
  '',
];

const result = (overrides: Partial<TokenResult> = {}): TokenResult => sastResult({ expiresAt: '2030-01-01T00:00:00Z', ...overrides });

const envNameOf = (name: string) => OUTPUTS.find((spec) => spec.name === name)!.envName!;

describe('--format powershell', () => {
  it('sets the same variables as env, with the token under env-name', () => {
    const full = result({ tenant: 'acme' });
    const exported = [...formatResult('env', full, 'MY_TOKEN').matchAll(/^export ([A-Z_]+)=/gm)].map((m) => m[1]);
    const set = Object.keys(evaluatePowershellAssignments(formatResult('powershell', full, 'MY_TOKEN')));
    assert.deepEqual(set, exported);
    assert.equal(set[0], 'MY_TOKEN');
    assert.ok(set.includes(envNameOf('tenant')));
  });

  it('prints one $env: assignment per line', () => {
    const text = formatResult('powershell', result(), 'CX_ACCESS_TOKEN');
    assert.equal(text.split('\n')[0], "$env:CX_ACCESS_TOKEN = 'eyJ.token'");
    assert.equal(text.split('\n')[1], "$env:CX_TOKEN_TYPE = 'Bearer'");
    assert.ok(text.endsWith("'\n"));
  });

  for (const value of HOSTILE) {
    it(`reads back ${JSON.stringify(value)} exactly`, () => {
      const text = formatResult('powershell', result({ accessToken: value, scope: value }), 'CX_ACCESS_TOKEN');
      const values = evaluatePowershellAssignments(text);
      assert.equal(values['CX_ACCESS_TOKEN'], value);
      assert.equal(values[envNameOf('scope')], value);
    });
  }

  it('reads back any string exactly (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        assert.equal(evaluatePowershellAssignments(`$env:X = ${powershellQuote(value)}\n`)['X'], value);
      }),
      { numRuns: 1000 },
    );
  });

  it('doubles every kind of single quote (so the check above can fail)', () => {
    assert.equal(powershellQuote("a'b\u2019c"), "'a''b\u2019\u2019c'");
    const naive = (value: string) => `'${value.replace(/'/g, "''")}'`;
    assert.throws(() => evaluatePowershellAssignments(`$env:X = ${naive('\u2018; calc; \u2019')}\n`), /after the string/);
  });

  const pwsh = pwshPath();
  it('round-trips through real PowerShell', { skip: pwsh ? false : 'pwsh is not installed here' }, () => {
    const text = formatResult('powershell', result({ accessToken: HOSTILE.join('|'), scope: HOSTILE[2]! }), 'CX_ACCESS_TOKEN');
    const script = `${text}[Console]::OutputEncoding = [Text.Encoding]::UTF8\n[Console]::Out.Write((@($env:CX_ACCESS_TOKEN, $env:CX_GRANTED_SCOPE) | ConvertTo-Json -Compress))`;
    const run = spawnSync(pwsh!, ['-NoProfile', '-NonInteractive', '-Command', '-'], { input: script, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), [HOSTILE.join('|'), HOSTILE[2]]);
  });
});
