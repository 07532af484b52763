// The `checkmarx-auth` command that a front end puts on later steps' PATH once it started the
// agent: sh and cmd wrappers that run the bundled CLI on the CI's own Node, so later steps need
// no install.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../core/quoting.ts';
import { COMMAND_FOLDER_PREFIX } from './protocol.ts';

/** The sh and cmd wrappers that run `cli` with `node`. */
export function commandScripts(node: string, cli: string): { sh: string; cmd: string } {
  return {
    sh: `#!/bin/sh\nexec ${shellQuote(node)} ${shellQuote(cli)} "$@"\n`,
    cmd: `@"${node}" "${cli}" %*\r\n`,
  };
}

/** A new folder under `base` holding `checkmarx-auth` and `checkmarx-auth.cmd`; returns its path, or leaves nothing. */
export function writeCommandFolder(base: string, node: string, cli: string): string {
  const folder = mkdtempSync(join(base, COMMAND_FOLDER_PREFIX));
  try {
    const scripts = commandScripts(node, cli);
    writeFileSync(join(folder, 'checkmarx-auth'), scripts.sh, { mode: 0o755 });
    writeFileSync(join(folder, 'checkmarx-auth.cmd'), scripts.cmd);
    return folder;
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}
