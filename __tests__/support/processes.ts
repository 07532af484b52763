// Waiting for processes and conditions, always with a bound: a test that waits fails with what it
// waited for instead of hanging the suite.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** Alive and not a zombie (an orphan's reaper may be slow); false for a PID that is gone. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc (macOS, Windows): signal 0 said alive
  }
}

/** Polls check() every 20 ms until it is true; fails the test, naming `what`, after withinMs. */
export async function waitFor(what: string, check: () => boolean, withinMs = 10_000): Promise<void> {
  for (const end = Date.now() + withinMs; !check();) {
    if (Date.now() > end) assert.fail(`waited ${withinMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Sends SIGTERM, ignoring a process that is already gone. */
export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
