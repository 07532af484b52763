// The real I/O's one piece of logic: files as Windows tools write them.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeText } from '../src/system.ts';

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
