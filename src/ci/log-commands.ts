// The CI systems' log commands: the line syntax each reads from a step's output, and how each
// escapes a value exactly as its reader un-escapes it.

/** GitHub's command data escaping (as @actions/core writes it and the runner reads it). */
export function githubEscape(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** GitHub's command property escaping: the data's, and `:` and `,`, which end a property. */
function githubPropertyEscape(value: string): string {
  return githubEscape(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** A workflow command, `::name k=v,k=v::data`, as @actions/core writes it (without the line end). */
export function githubCommand(name: string, properties: Readonly<Record<string, string>>, data: string): string {
  const pairs = Object.entries(properties)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `${key}=${githubPropertyEscape(value)}`)
    .join(',');
  return `::${name}${pairs ? ` ${pairs}` : ''}::${githubEscape(data)}`;
}

/**
 * Azure Pipelines logging-command escaping of a value, as the agent's CommandStringConvertor reads
 * it back: `%` first (as %AZP25), so that the other escapes are read back as themselves.
 */
export function azureEscape(value: string): string {
  return value.replace(/%/g, '%AZP25').replace(/;/g, '%3B').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/]/g, '%5D');
}
