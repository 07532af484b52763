import assert from 'node:assert/strict';
import { EOL } from 'node:os';
import { describe, it } from 'node:test';
import { fileCommand } from '../src/runner.ts';
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
