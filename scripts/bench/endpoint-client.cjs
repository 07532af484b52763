// Run by `npm run bench` as exec's child: logs in at exec's token endpoint the way ast-cli does (a
// form POST with the client and key from its environment) N times in a row on one kept-alive
// connection, after a few warm-up logins, and prints each login's milliseconds as a JSON array.
'use strict';
const http = require('node:http');
const { performance } = require('node:perf_hooks');

const count = Number(process.argv[2] || '100');
const warmup = 5;
const url = new URL(
  `${process.env.CX_BASE_AUTH_URI}/auth/realms/${String(process.env.CX_TENANT).toLowerCase()}/protocol/openid-connect/token`,
);
const body = `grant_type=client_credentials&client_id=${encodeURIComponent(process.env.CX_CLIENT_ID)}&client_secret=${encodeURIComponent(process.env.CX_CLIENT_SECRET)}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function login() {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          if (res.statusCode !== 200 || !JSON.parse(text).access_token) reject(new Error(`HTTP ${res.statusCode}`));
          else resolve(performance.now() - started);
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

(async () => {
  const times = [];
  for (let n = 0; n < warmup + count; n++) {
    const ms = await login();
    if (n >= warmup) times.push(ms);
  }
  agent.destroy();
  process.stdout.write(`${JSON.stringify(times)}\n`);
})().catch((error) => {
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
});
