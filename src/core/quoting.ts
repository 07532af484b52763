// Quoting a value so that a shell reads it back exactly: for the formats and the agent's command.

/** Single quotes keep everything literal in sh, bash and zsh; a quote itself is closed, escaped, reopened. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * A PowerShell single-quoted string keeps everything literal (`$`, backticks, newlines, `;`) except
 * the single quote, which is doubled. PowerShell also reads the typographic quotes U+2018 to U+201B
 * as single quotes, so they are doubled too (as PowerShell's own CodeGeneration does).
 */
export function powershellQuote(value: string): string {
  return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, '$&$&')}'`;
}
