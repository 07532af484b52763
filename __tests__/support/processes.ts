// Waiting for processes and conditions, always with a bound: a test that waits fails with what it
// waited for instead of hanging the suite.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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
export async function waitFor(what: string, check: () => boolean, withinMs = 30_000): Promise<void> {
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

/**
 * PIDs of live token agents listening on a socket below `prefix` (a test's own folder): found
 * through the socket's inode in /proc/net/unix (Linux), so that a test never touches an agent
 * another test started.
 */
export function agentPidsUnder(prefix: string): Set<number> {
  const inodes = new Set(
    readFileSync('/proc/net/unix', 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[7]?.startsWith(prefix))
      .map((fields) => fields[6]),
  );
  const pids = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || !isAlive(Number(name))) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      if (!argv.includes('__agent')) continue;
      const sockets = readdirSync(`/proc/${name}/fd`).map((fd) => /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${name}/fd/${fd}`))?.[1]);
      if (sockets.some((inode) => inode !== undefined && inodes.has(inode))) pids.add(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Kills, by PID, every agent listening below this test's folder. */
export function killAgentsUnder(prefix: string): void {
  for (const pid of agentPidsUnder(prefix)) killQuietly(pid, 'SIGKILL');
}

/** The names in a process's environment (Linux /proc). */
export function environmentNames(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .filter(Boolean)
    .map((entry) => entry.slice(0, entry.indexOf('=')));
}
