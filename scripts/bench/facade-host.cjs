// The sealed facade alone, for `npm run bench` (scripts/bench/facade.ts), started with the agent's
// V8 flags as the agent would run it. argv: the folder of src/ as JavaScript, and the API URL of
// the bench's loopback upstream. Prints {url, apiUrl, phantom} on one line; stops when stdin ends.
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

async function main() {
  const [folder, apiUrl] = process.argv.slice(2);
  const { startFacade } = await import(pathToFileURL(join(folder, 'agent', 'sealed', 'facade.js')).href);
  const real = {
    accessToken: 'bench-real-token',
    tokenType: 'Bearer',
    expiresIn: 3600,
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    apiUrl,
    tenant: 'bench',
  };
  const tokens = { token: async () => real, renew: async () => real };
  const upstream = { timeoutMs: 60_000, insecureSkipTlsVerify: false };
  const facade = await startFacade({ product: 'cxone', tenant: 'bench', tokens, upstream });
  const { accessToken } = await facade.phantom(60);
  process.stdout.write(`${JSON.stringify({ url: facade.url, apiUrl: facade.apiUrl, phantom: accessToken })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void facade.close().then(() => process.exit(0)));
}

main().catch((error) => {
  process.stderr.write(`facade-host: ${error.stack}\n`);
  process.exit(1);
});
