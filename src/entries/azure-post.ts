// The Azure DevOps task's post-job step (azure-devops/CheckmarxAuth/dist/post/index.js).

import { run } from '../azure/post.ts';

const stdout = (text: string): void => void process.stdout.write(text);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
void run({ env: process.env, stdout, now: Date.now, sleep });
