// Detects text that a CI system would act on: the GitHub runner's `::command::` at a line's start
// (after blanks) and `##[command]` anywhere, the Azure agent's `##vso[` anywhere. Tests of the
// trust boundary assert that no line built from server text or inputs is one.

/** A line the GitHub runner or the Azure agent would act on, besides `allowed` at its start. */
export function isCommand(line: string, allowed?: RegExp): boolean {
  const prefix = (allowed && allowed.exec(line)?.[0]) ?? '';
  const rest = line.slice(prefix.length);
  return (!prefix && rest.trim().startsWith('::')) || /##(vso)?\[/i.test(rest);
}

/** The lines of text (split at any line break) that are commands, besides the ones the tool writes by design. */
export function commandLines(text: string, allowed: RegExp = /^::(add-mask|warning|error|debug)::/): string[] {
  return text.split(/\r?\n|\r/).filter((line) => isCommand(line, allowed));
}
