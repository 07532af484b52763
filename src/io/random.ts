// Random bytes for one-time keys, from the operating system's generator. /dev/urandom where there
// is one: node:fs is loaded anyway, while loading node:crypto costs `exec` and `start-agent` about
// 4 ms of every start (BENCHMARKS.md). Where there is none (Windows), node:crypto's randomBytes.

import { closeSync, openSync, readSync } from 'node:fs';
import { builtin } from './builtins.ts';

const DEVICE = '/dev/urandom';

export function randomBytes(size: number, device = DEVICE): Buffer {
  let fd: number;
  try {
    fd = openSync(device, 'r');
  } catch {
    return builtin('node:crypto').randomBytes(size);
  }
  try {
    const bytes = Buffer.alloc(size);
    for (let filled = 0; filled < size;) {
      const read = readSync(fd, bytes, filled, size - filled, null);
      if (read === 0) throw new Error(`${device} ended after ${filled} of ${size} bytes`);
      filled += read;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}
