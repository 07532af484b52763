// The action's floor for `npm run bench`: the same exchange as the action (CxSAST password grant)
// with nothing the job does not need. One form POST, parse the JSON, mask the password and the
// token, append the output file. No validation, no retries, no hints, no node:crypto.
//
// CommonJS on purpose: on Node 24 an ES module's `import ... from 'node:http'` builds the ESM
// facade of node:http, which loads Node's internal undici (about +20 ms); the bundles require()
// their built-ins, and so does this floor (see BENCHMARKS.md).
'use strict';
const { appendFileSync } = require('node:fs');
const { request } = require('node:http');

const input = (name) => process.env[`INPUT_${name.toUpperCase()}`] || '';
const password = input('password');
process.stdout.write(`::add-mask::${password}\n`);

const form = new URLSearchParams({
  grant_type: 'password',
  username: input('username'),
  password,
  scope: 'sast_rest_api',
  client_id: 'resource_owner_client',
  client_secret: '014DF517-39D1-4453-B7B3-9930C563627C',
}).toString();

const url = new URL('/cxrestapi/auth/identity/connect/token', input('server-url'));
// agent: false: the global agent keeps the socket alive, which would delay the exit.
const req = request(url, {
  method: 'POST',
  agent: false,
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(form), accept: 'application/json' },
});
req.on('response', (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => (body += chunk));
  res.on('end', () => {
    const token = res.statusCode === 200 ? JSON.parse(body).access_token : undefined;
    if (typeof token !== 'string') {
      process.stdout.write(`::error::token request failed: HTTP ${res.statusCode}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`::add-mask::${token}\n`);
    appendFileSync(process.env.GITHUB_OUTPUT, `access-token=${token}\n`);
  });
});
req.on('error', (error) => {
  process.stdout.write(`::error::${error.message}\n`);
  process.exitCode = 1;
});
req.end(form);
