// The real I/O's one piece of logic: files as Windows tools write them.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeText, SYSTEM_IO } from '../src/io/system.ts';

const TEXT = '-----BEGIN CERTIFICATE-----\r\nMIIB ünï\r\n-----END CERTIFICATE-----\r\n';

describe('decodeText', () => {
  it('reads UTF-8, with or without a byte-order mark', () => {
    assert.equal(decodeText(Buffer.from(TEXT, 'utf8')), TEXT);
    assert.equal(decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(TEXT, 'utf8')])), TEXT);
  });
  it("reads UTF-16 LE with a byte-order mark (Windows PowerShell 5.1's > and Out-File)", () => {
    assert.equal(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')])), TEXT);
  });
  it('reads UTF-16 BE with a byte-order mark', () => {
    const le = Buffer.from(TEXT, 'utf16le');
    assert.equal(decodeText(Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()])), TEXT);
  });
});

describe('SYSTEM_IO.readFile (ca-cert from a path)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkmarx-auth-system-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a small regular file, decoded as Windows tools write it', () => {
    const path = join(dir, 'ca.pem');
    writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(TEXT, 'utf16le')]));
    assert.equal(SYSTEM_IO.readFile(path, 1024), TEXT);
  });
  it('refuses a folder (ENOTREG), a file over the limit (EFBIG), and a missing file (ENOENT)', () => {
    const big = join(dir, 'big.pem');
    writeFileSync(big, 'x'.repeat(101));
    assert.throws(() => SYSTEM_IO.readFile(dir, 1024), { code: 'ENOTREG' });
    assert.throws(() => SYSTEM_IO.readFile(big, 100), { code: 'EFBIG' });
    assert.equal(SYSTEM_IO.readFile(big, 101).length, 101);
    assert.throws(() => SYSTEM_IO.readFile(join(dir, 'nope.pem'), 1024), { code: 'ENOENT' });
  });
  it("sends checkmarx-auth/<package.json's version> as its User-Agent", () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8')) as { version: string };
    assert.equal(SYSTEM_IO.userAgent, `checkmarx-auth/${version}`);
  });
});
