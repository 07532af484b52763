// The `checkmarx-auth` command that a front end puts on later steps' PATH once it started the
// agent: sh and cmd wrappers that run the bundled CLI on the CI's own Node, so later steps need
// no install.

import * as nodePath from 'node:path';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { shellQuote } from '../core/quoting.ts';
import { AgentError } from './errors.ts';
import { COMMAND_FOLDER_PREFIX } from './protocol.ts';

type PathApi = Pick<typeof nodePath, 'relative' | 'isAbsolute' | 'sep'>;

/** The variable that names node for checkmarx-auth.cmd where no ASCII path reaches it. */
export const NODE_VARIABLE = 'CX_AUTH_NODE';
/** The copy of the CLI bundle in the command folder, where no ASCII path reaches the original. */
export const CLI_COPY = 'checkmarx-auth.cjs';

export interface CommandScripts {
  readonly sh: string;
  /** Pure ASCII, always. */
  readonly cmd: string;
  /** The CLI bundle is copied into the folder as CLI_COPY, for the cmd wrapper. */
  readonly copyCli: boolean;
  /** Variables later steps need for the cmd wrapper (NODE_VARIABLE), set by the front end. */
  readonly variables: Readonly<Record<string, string>>;
}

/**
 * The sh and cmd wrappers, written in `folder`, that run `cli` with `node`. `paths` is the
 * platform's path module (path.win32 to see what a Windows runner gets).
 *
 * cmd reads a batch file in the console's OEM code page, so the cmd wrapper is pure ASCII:
 * `C:\a\Jürgen` written in UTF-8 would reach node as `C:\a\J├╝rgen`. Each path is given, in this
 * order of preference: relative to the script's own folder, `%~dp0`, which cmd expands in Unicode
 * (the non-ASCII part the two paths share drops out); absolute, if that is ASCII; else through
 * what cmd also reads in Unicode: node through the variable CX_AUTH_NODE, which the front end sets
 * for later steps, and the CLI through a copy of its bundle beside the wrapper (another drive, a
 * ref or a workspace folder with non-ASCII letters that the CI's temp folder does not share).
 */
export function commandScripts(node: string, cli: string, folder: string, paths: PathApi = nodePath): CommandScripts {
  const nodeWord = cmdPath(node, folder, paths);
  const cliWord = cmdPath(cli, folder, paths);
  return {
    sh: `#!/bin/sh\nexec ${shellQuote(node)} ${shellQuote(cli)} "$@"\n`,
    cmd: `@"${nodeWord ?? `%${NODE_VARIABLE}%`}" "${cliWord ?? `%~dp0${CLI_COPY}`}" %*\r\n`,
    copyCli: cliWord === undefined,
    variables: nodeWord === undefined ? { [NODE_VARIABLE]: node } : {},
  };
}

const isAscii = (text: string) => /^[\x20-\x7e]*$/.test(text);

/**
 * A path as a batch file may spell it in ASCII, or undefined. A `%` is doubled (a batch file reads
 * `%x%` as a variable); `&`, `^`, spaces and parentheses are literal inside the double quotes.
 */
function cmdPath(target: string, folder: string, paths: PathApi): string | undefined {
  const relative = paths.relative(folder, target).split(paths.sep).join('\\');
  const escaped = (text: string) => text.replace(/%/g, '%%');
  if (!paths.isAbsolute(relative) && isAscii(relative)) return `%~dp0${escaped(relative)}`;
  return isAscii(target) ? escaped(target) : undefined;
}

/**
 * A new folder under `base` holding `checkmarx-auth` and `checkmarx-auth.cmd` (and a copy of the
 * CLI bundle where the cmd wrapper needs one); returns its path and the variables later steps
 * need, or leaves nothing.
 */
export function writeCommandFolder(
  base: string,
  node: string,
  cli: string,
): { folder: string; variables: Readonly<Record<string, string>> } {
  let folder: string;
  try {
    folder = mkdtempSync(nodePath.join(base, COMMAND_FOLDER_PREFIX));
  } catch (error) {
    throw new AgentError(
      'agent/start-failed',
      `The token agent did not start: cannot make its command folder under ${base} (${(error as NodeJS.ErrnoException).code}).`,
      { cause: error },
    );
  }
  try {
    const scripts = commandScripts(node, cli, folder);
    writeFileSync(nodePath.join(folder, 'checkmarx-auth'), scripts.sh, { mode: 0o755 });
    writeFileSync(nodePath.join(folder, 'checkmarx-auth.cmd'), scripts.cmd);
    if (scripts.copyCli) copyFileSync(cli, nodePath.join(folder, CLI_COPY));
    return { folder, variables: scripts.variables };
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}
