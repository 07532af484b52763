// Registering a secret with a CI's log masking once: the same value may come from an input, the
// settings and the token, and each registration is a line in the log.

/** `register`, called at most once for each distinct value. */
export function oncePerValue(register: (value: string) => void): (value: string) => void {
  const registered = new Set<string>();
  return (value) => {
    if (registered.has(value)) return;
    registered.add(value);
    register(value);
  };
}
