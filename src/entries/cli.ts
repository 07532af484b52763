#!/usr/bin/env node
// The CLI (dist/cli/index.js, the package's `checkmarx-auth`): runs `run` with the process's
// arguments, environment and I/O, and exits with the code it returns.

import { run } from '../cli/main.ts';
import { SYSTEM_IO } from '../io/system.ts';

// A reader that stops early (`| head -c1`) closes the pipe: that is its choice, not a failure to report.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});
const stdout = (text: string): void => void process.stdout.write(text);
const stderr = (text: string): void => void process.stderr.write(text);
void run(process.argv.slice(2), { env: process.env, io: SYSTEM_IO, stdout, stderr }).then((code) => {
  process.exitCode = code;
});
