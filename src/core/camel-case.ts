// How the Azure task and the CLI's JSON spell an input's or output's name: `api-key` → `apiKey`.

export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
