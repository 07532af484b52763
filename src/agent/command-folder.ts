// The `checkmarx-auth` command that a front end puts on later steps' PATH once it started the
// agent: sh and cmd wrappers that run the bundled CLI on the CI's own Node, so later steps need
// no install.

import * as nodePath from 'node:path';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { shellQuote } from '../core/quoting.ts';
import { COMMAND_FOLDER_PREFIX } from './protocol.ts';

type PathApi = Pick<typeof nodePath, 'relative' | 'isAbsolute' | 'sep'>;

/**
 * The sh and cmd wrappers, written in `folder`, that run `cli` with `node`. `paths` is the
 * platform's path module (path.win32 to see what a Windows runner gets).
 */
export function commandScripts(node: string, cli: string, folder: string, paths: PathApi = nodePath): { sh: string; cmd: string } {
  return {
    sh: `#!/bin/sh\nexec ${shellQuote(node)} ${shellQuote(cli)} "$@"\n`,
    cmd: `@"${cmdPath(node, folder, paths)}" "${cmdPath(cli, folder, paths)}" %*\r\n`,
  };
}

const isAscii = (text: string) => /^[\x20-\x7e]*$/.test(text);

/**
 * A path as a batch file may spell it. cmd reads a batch file in the console's OEM code page, so
 * the file must be pure ASCII: `C:\a\Jürgen` written in UTF-8 would reach node as `C:\a\J├╝rgen`.
 * So the path is given relative to the script's own folder, `%~dp0`, which cmd expands in Unicode:
 * the non-ASCII part the two paths share drops out. Where that is not ASCII either (another drive
 * and a non-ASCII name), the absolute path. A `%` is doubled (a batch file reads `%x%` as a
 * variable); `&`, `^`, spaces and parentheses are literal inside the double quotes.
 */
function cmdPath(target: string, folder: string, paths: PathApi): string {
  const relative = paths.relative(folder, target).split(paths.sep).join('\\');
  const escaped = (text: string) => text.replace(/%/g, '%%');
  return !paths.isAbsolute(relative) && isAscii(relative) ? `%~dp0${escaped(relative)}` : escaped(target);
}

/**
 * A new folder under `base` holding `checkmarx-auth` and `checkmarx-auth.cmd`; returns its path, or leaves nothing.
 * `warn` hears when the cmd wrapper had to name a non-ASCII path, which cmd will misread.
 */
export function writeCommandFolder(base: string, node: string, cli: string, warn?: (message: string) => void): string {
  const folder = mkdtempSync(nodePath.join(base, COMMAND_FOLDER_PREFIX));
  try {
    const scripts = commandScripts(node, cli, folder);
    if (process.platform === 'win32' && !isAscii(scripts.cmd.trimEnd())) {
      warn?.(
        `checkmarx-auth.cmd names a path with non-ASCII letters that it cannot give relative to its own folder (another drive, or not shared with ${base}); cmd may misread it. From cmd, run node and ${cli} directly.`,
      );
    }
    writeFileSync(nodePath.join(folder, 'checkmarx-auth'), scripts.sh, { mode: 0o755 });
    writeFileSync(nodePath.join(folder, 'checkmarx-auth.cmd'), scripts.cmd);
    return folder;
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}
