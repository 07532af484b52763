// The action's `agent: true`: start the token agent, hand later steps CX_AUTH_SOCK and a
// `checkmarx-auth` command that runs the bundled CLI on the runner's own Node, and tell the post
// step what to stop.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { startAgent } from '../agent/launch.ts';
import { formatSock, newKey, STATE_PID, STATE_SOCK } from '../agent/protocol.ts';
import { SOCK_VARIABLE } from '../core/names.ts';
import { runTimeSecretValues } from '../core/run-time-secrets.ts';
import type { Settings } from '../core/settings.ts';
import { shellQuote } from '../core/quoting.ts';
import type { TokenResult } from '../core/token-response.ts';
import * as workflow from './workflow-commands.ts';

/** The sh and cmd wrappers that run `cli` with `node`. */
export function commandScripts(node: string, cli: string): { sh: string; cmd: string } {
  return {
    sh: `#!/bin/sh\nexec ${shellQuote(node)} ${shellQuote(cli)} "$@"\n`,
    cmd: `@"${node}" "${cli}" %*\r\n`,
  };
}

export async function startActionAgent(settings: Settings, first: TokenResult, arrivedAt: number): Promise<void> {
  const key = newKey();
  runTimeSecretValues({ agentKey: key }).forEach(workflow.setSecret);
  // dist/index.js → dist/cli/index.js, by text: ncc would copy a path it can work out as an asset.
  const entry = resolve(process.argv[1] ?? '').replace(/index\.js$/, ['cli', 'index.js'].join(sep));
  const { address, pid } = await startAgent({ entry, settings, first, arrivedAt, key, env: process.env });
  const sock = formatSock(address, key);
  runTimeSecretValues({ authSock: sock }).forEach(workflow.setSecret);
  workflow.saveState(STATE_PID, String(pid));
  workflow.saveState(STATE_SOCK, sock);
  workflow.exportVariable(SOCK_VARIABLE, sock);
  const folder = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'checkmarx-auth-bin-'));
  const scripts = commandScripts(process.execPath, entry);
  writeFileSync(join(folder, 'checkmarx-auth'), scripts.sh, { mode: 0o755 });
  writeFileSync(join(folder, 'checkmarx-auth.cmd'), scripts.cmd);
  workflow.addPath(folder);
  workflow.info(`Started the token agent: later steps run 'checkmarx-auth token' for a fresh token (${SOCK_VARIABLE} names the agent).`);
}
