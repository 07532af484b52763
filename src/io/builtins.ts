// Node's built-in modules that only some runs need, loaded at their first use rather than at
// start-up (every job pays the start-up: see BENCHMARKS.md). `createRequire` works on every Node
// the bundles run on (the Azure task's Node 20.9.0 has no `process.getBuiltinModule`, which came in
// 20.16), in the CommonJS bundles and in the ESM sources under test alike. Nothing is cached here:
// Node's own module cache makes a second load cheap.

import { createRequire } from 'node:module';
import type * as ChildProcess from 'node:child_process';
import type * as Crypto from 'node:crypto';
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import type * as Os from 'node:os';
import type * as Tls from 'node:tls';

/** The built-ins that src/ loads late, by name. */
export interface LateBuiltins {
  'node:child_process': typeof ChildProcess;
  'node:crypto': typeof Crypto;
  'node:http': typeof Http;
  'node:https': typeof Https;
  'node:os': typeof Os;
  'node:tls': typeof Tls;
}

// A require for built-ins only: they resolve without reading any file, so any absolute path does.
const requireBuiltin = createRequire('/');

/** The built-in module `name`, loaded now if nothing has loaded it yet. */
export function builtin<Name extends keyof LateBuiltins>(name: Name): LateBuiltins[Name] {
  return requireBuiltin(name) as LateBuiltins[Name];
}
