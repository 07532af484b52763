// Records what code in this process writes to process.stdout, for in-process tests of the action's
// workflow commands (which write there, as the runner reads them). Only strings are recorded: the
// test runner's own reporter writes through the same stream and its bytes pass through.

/** Runs fn with the strings written to process.stdout recorded instead of printed. */
export async function capturingStdout<T>(fn: () => Promise<T> | T): Promise<{ value: T; text: string }> {
  const original = process.stdout.write;
  let text = '';
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'string') return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    text += chunk;
    return true;
  } as typeof process.stdout.write;
  try {
    return { value: await fn(), text };
  } finally {
    process.stdout.write = original;
  }
}

/** The synchronous form, for code that writes and returns. */
export function stdoutOf(fn: () => void): string {
  const original = process.stdout.write;
  let text = '';
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk !== 'string') return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    text += chunk;
    return true;
  } as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = original;
  }
  return text;
}

/** Sets (or, for undefined, removes) process.env variables for the length of fn, then restores them. */
export async function withProcessEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const set = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  set(vars);
  try {
    return await fn();
  } finally {
    set(saved);
  }
}
