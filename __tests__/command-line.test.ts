// The CLI's command-line parser: what it accepts, and messages that never repeat a stray word.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFlags, type FlagSpec } from '../src/cli/command-line.ts';

const SPECS: Record<string, FlagSpec> = {
  'server-url': { type: 'string' },
  password: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
};

describe('parseFlags', () => {
  it('takes --flag value, --flag=value (also empty or with = inside), switches and their short forms; the last one wins', () => {
    assert.deepEqual(parseFlags(['--server-url', 'https://a', '--password=x=y', '-h', '--version'], SPECS), {
      'server-url': 'https://a',
      password: 'x=y',
      help: true,
      version: true,
    });
    assert.deepEqual(parseFlags(['--password=', '--server-url', 'a', '--server-url', 'b'], SPECS), { password: '', 'server-url': 'b' });
    assert.deepEqual(parseFlags([], SPECS), {});
  });

  it('a value that starts with - must use the = form', () => {
    assert.deepEqual(parseFlags(['--password=-secret'], SPECS), { password: '-secret' });
    assert.throws(() => parseFlags(['--password', '-secret'], SPECS), {
      message: "Option '--password' needs a value; write --password=VALUE for one that starts with '-'.",
    });
  });

  it('refuses what it does not know, without echoing stray words', () => {
    const cases: Array<[string[], string]> = [
      [['--pasword', 'x'], "Unknown option '--pasword'. Did you mean '--password'?"],
      [['--pasword=s3cret'], "Unknown option '--pasword'. Did you mean '--password'?"],
      [['--server_url', 'x'], "Unknown option '--server_url'. Did you mean '--server-url'?"],
      [['--tenant', 'x'], "Unknown option '--tenant'."],
      [['-x'], "Unknown option '-x'."],
      [['--server-url'], "Option '--server-url <value>' argument missing."],
      [['--help=yes'], "Option '--help' does not take a value."],
      [['--constructor', 'x'], "Unknown option '--constructor'."],
      [['--verison'], "Unknown option '--verison'. Did you mean '--version'?"],
      [['--password', 'my', 'secret'], 'Unexpected argument: every value must follow its --flag (quote values that contain spaces).'],
      [['--', '--help'], 'Unexpected argument: every value must follow its --flag (quote values that contain spaces).'],
    ];
    for (const [argv, message] of cases) {
      assert.throws(() => parseFlags(argv, SPECS), { message }, argv.join(' '));
    }
  });
});
