// The Azure DevOps task's execution step (azure-devops/CheckmarxAuth/dist/main/index.js). The
// agent runs it on Node 20 or 24 (task.json's Node20_1 and Node24 handlers), so nothing in it may
// need more than Node 20.

import { run } from '../azure/main.ts';
import { SYSTEM_IO } from '../io/system.ts';

const stdout = (text: string): void => void process.stdout.write(text);
void run({ env: process.env, io: SYSTEM_IO, stdout, scriptPath: process.argv[1] ?? '' }).then((code) => {
  process.exitCode = code;
});
