// Everything this tool prints passes through `printable`, so that text from outside (a token
// server's error_description, token_type or scope, a Location header, a page, a network error)
// can neither start a new line nor be read as a command by the CI system that reads the log:
// GitHub's `::name::` at the start of a line and its legacy `##[name]` anywhere, and Azure
// Pipelines' `##vso[` anywhere in a line.

/** C0 and C1 control characters, and Unicode's line and paragraph separators. */
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * Text that a CI system would run as a command once a later step prints it: Azure Pipelines'
 * `##vso[` and GitHub's legacy `##[` anywhere (the Azure agent reads `##vso[` in any case), and
 * GitHub's `::` at the start of a line, which a space-separated value (a scope) puts at the start
 * of any of its words.
 */
export function holdsCiCommand(text: string): boolean {
  return /##(vso)?\[/i.test(text) || /(^|[\s\u0085])::/.test(text);
}

export function printable(text: string): string {
  return text.replace(LINE_BREAKING, ' ').replace(/#(?=#)/g, '# ');
}

/**
 * Azure Pipelines logging-command escaping of a value, as the agent's CommandStringConvertor reads
 * it back: `%` first (as %AZP25), so that the other escapes are read back as themselves.
 */
export function azureEscape(value: string): string {
  return value.replace(/%/g, '%AZP25').replace(/;/g, '%3B').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/]/g, '%5D');
}

export type Level = 'info' | 'warning' | 'error';

/**
 * The CLI's diagnostics on stderr; in Azure Pipelines (TF_BUILD) warnings and errors are issues it
 * shows. An error has its stable code (error-codes.ts): `checkmarx-auth: error [input/missing]: ...`;
 * in Azure Pipelines `checkmarx-auth: [input/missing] ...` with the issue's `code` property.
 */
export function diagnosticLine(level: Level, message: string, azure: boolean, code?: string): string {
  const text = printable(message);
  if (level === 'info') return `checkmarx-auth: ${text}\n`;
  const tag = code ? ` [${code}]` : '';
  if (azure) {
    const properties = code ? `type=${level};code=${azureEscape(code)}` : `type=${level}`;
    return `##vso[task.logissue ${properties}]${azureEscape(`checkmarx-auth:${tag} ${text}`)}\n`;
  }
  return `checkmarx-auth: ${level}${tag}: ${text}\n`;
}
