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
