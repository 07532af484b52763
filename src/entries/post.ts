// The action's post step (dist/post/index.js): stops the token agent the main step started.

import { run } from '../action/post.ts';

const stdout = (text: string): void => void process.stdout.write(text);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
void run({ env: process.env, stdout, now: Date.now, sleep });
