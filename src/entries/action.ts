// The action's main step (dist/index.js): runs `run` with the process's own environment, I/O,
// stdout and path, and fails the step by the exit code it returns.

import { run } from '../action/main.ts';
import { SYSTEM_IO } from '../io/system.ts';

const stdout = (text: string): void => void process.stdout.write(text);
void run({ env: process.env, io: SYSTEM_IO, stdout, scriptPath: process.argv[1] ?? '' }).then((code) => {
  process.exitCode = code;
});
