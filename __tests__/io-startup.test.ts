// The I/O pieces that keep `exec` and `start-agent` from loading modules they need only rarely
// (BENCHMARKS.md): one-time keys from /dev/urandom, loopback servers bound without a lookup.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { newKey } from '../src/agent/protocol.ts';
import { listenOnLoopback } from '../src/io/loopback.ts';
import { randomBytes } from '../src/io/random.ts';

describe('randomBytes and newKey', () => {
  const dir = mkdtempSync(join(tmpdir(), 'checkmarx-auth-random-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a key is 32 random bytes in base64url, never the same twice', () => {
    const keys = Array.from({ length: 1000 }, () => newKey());
    for (const key of keys) assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(new Set(keys).size, keys.length);
    // 32,000 random bytes use every byte value; a constant or a counter would not.
    const bytes = new Set(keys.flatMap((key) => [...Buffer.from(key, 'base64url')]));
    assert.equal(bytes.size, 256);
  });

  it('without the device (Windows) the bytes come from node:crypto', () => {
    const missing = join(dir, 'no-such-device');
    const a = randomBytes(32, missing);
    const b = randomBytes(32, missing);
    assert.equal(a.length, 32);
    assert.notDeepEqual(a, b);
  });

  it('a device that ends early is an error, never a short key', () => {
    const short = join(dir, 'short');
    writeFileSync(short, Buffer.alloc(10, 1));
    assert.throws(() => randomBytes(32, short), { message: `${short} ended after 10 of 32 bytes` });
  });
});

describe('listenOnLoopback', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((server) => server.close()));

  const hello = () => {
    const server = createServer((_req, res) => res.end('hello'));
    servers.push(server);
    return server;
  };
  const fetchText = (port: number) =>
    new Promise<string>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/', timeout: 10_000 }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });

  it('binds a net.BoundSocket to 127.0.0.1 where Node has one (24.19 and later)', async () => {
    const bound: unknown[] = [];
    class RecordedBoundSocket extends net.BoundSocket {
      constructor(options: net.BoundSocketOptions) {
        super(options);
        bound.push(options);
      }
    }
    const server = hello();
    const port = await listenOnLoopback(server, { BoundSocket: RecordedBoundSocket });
    assert.deepEqual(bound, [{ host: '127.0.0.1', port: 0 }]);
    assert.deepEqual(server.address(), { address: '127.0.0.1', family: 'IPv4', port });
    assert.equal(await fetchText(port), 'hello');
  });

  it("listens on 127.0.0.1 the usual way where Node has no BoundSocket (the Azure task's Node 20)", async () => {
    const server = hello();
    const port = await listenOnLoopback(server, {});
    assert.deepEqual(server.address(), { address: '127.0.0.1', family: 'IPv4', port });
    assert.equal(await fetchText(port), 'hello');
  });

  it('a server that cannot listen rejects with the error', async () => {
    const server = hello();
    await listenOnLoopback(server, {});
    await assert.rejects(listenOnLoopback(server, {}), { code: 'ERR_SERVER_ALREADY_LISTEN' });
  });
});
