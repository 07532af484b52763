// The CLI's diagnostics on stderr: `checkmarx-auth: warning: ...`, or, in a CI whose log shows
// issues (Azure Pipelines' task.logissue), warnings and errors as issues. An error has its stable
// code (core/error-codes.ts): `checkmarx-auth: error [input/missing]: ...`; as an issue
// `checkmarx-auth: [input/missing] ...` with the issue's own `code`.

import { printable } from '../core/printable.ts';
import { ciWith, type Env } from './systems.ts';

export type Level = 'info' | 'warning' | 'error';

export function diagnosticLine(level: Level, message: string, env: Env, code?: string): string {
  const text = printable(message);
  if (level === 'info') return `checkmarx-auth: ${text}\n`;
  const tag = code ? ` [${code}]` : '';
  const issueLine = ciWith(env, 'issueLine');
  if (issueLine) return issueLine(level, `checkmarx-auth:${tag} ${text}`, code);
  return `checkmarx-auth: ${level}${tag}: ${text}\n`;
}
