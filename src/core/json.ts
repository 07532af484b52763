// The one JSON reader for text from outside (a token response, a JWT payload, an agent line):
// only a plain object is an answer; anything else, or text that does not parse, is none.

export type JsonObject = Readonly<Record<string, unknown>>;

export function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}
