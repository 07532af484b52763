// Installs the official Node builds that the tests run the bundles on (scripts/exact-nodes: the
// action's Node 24 of runner 2.327.1, the CLI's 24.0.0, the Azure task's 20.9.0 and 24.10.0), from
// the npm registry, when `npm ci` or `npm install` runs in this repository (the root's `prepare`
// script, run from the root). Not on `npm pack` or `npm publish`, which run `prepare` too; a user's install of the
// published package runs no `prepare` at all. CommonJS, so that it runs on any Node.

const { execFileSync } = require('node:child_process');
const { resolve } = require('node:path');

const command = process.env.npm_command;
if (command === 'ci' || command === 'install') {
  const npm = process.env.npm_execpath;
  const args = [command, '--prefix', resolve('scripts', 'exact-nodes'), '--no-audit', '--no-fund', '--loglevel=error'];
  execFileSync(npm ? process.execPath : 'npm', npm ? [npm, ...args] : args, { stdio: 'inherit' });
}
