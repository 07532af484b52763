// The action's post step: stops the token agent that the main step started, if it did. Without
// the state it saved, there is nothing to do and it returns at once.

import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { askAgent, STOP_DEADLINE_MS } from '../agent/client.ts';
import { parseSock, STATE_PID, STATE_SOCK } from '../agent/protocol.ts';
import * as workflow from './workflow-commands.ts';

const EXIT_WAIT_MS = 3_000;

async function run(): Promise<void> {
  const pid = Number(process.env[`STATE_${STATE_PID}`]);
  const sock = process.env[`STATE_${STATE_SOCK}`];
  if (!sock || !Number.isInteger(pid) || pid <= 0) return;
  const { address, key } = parseSock(sock);
  await askAgent(address, { key, op: 'stop' }, STOP_DEADLINE_MS).catch(() => undefined);
  if (!(await exited(pid, EXIT_WAIT_MS))) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
  // The agent removes its socket folder itself; this covers an agent that was killed.
  if (basename(dirname(address)).startsWith('cxauth-')) rmSync(dirname(address), { recursive: true, force: true });
  workflow.info('Stopped the token agent.');
}

async function exited(pid: number, withinMs: number): Promise<boolean> {
  for (const end = Date.now() + withinMs; Date.now() < end;) {
    if (!isAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

run().catch((error: unknown) =>
  workflow.warning(`Stopping the token agent failed: ${error instanceof Error ? error.message : String(error)}`),
);
