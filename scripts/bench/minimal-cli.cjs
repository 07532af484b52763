// The CLI's floor for `npm run bench`: the same exchange as `checkmarx-auth --product sast
// --server-url URL --username NAME` with the password in CX_PASSWORD, the token printed on
// stdout, and nothing else the job does not need. CommonJS for the reason given in minimal.cjs.
'use strict';
const { request } = require('node:http');

const flag = (name) => process.argv[process.argv.indexOf(`--${name}`) + 1] || '';

const form = new URLSearchParams({
  grant_type: 'password',
  username: flag('username'),
  password: process.env.CX_PASSWORD || '',
  scope: 'sast_rest_api',
  client_id: 'resource_owner_client',
  client_secret: '014DF517-39D1-4453-B7B3-9930C563627C',
}).toString();

const url = new URL('/cxrestapi/auth/identity/connect/token', flag('server-url'));
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
      process.stderr.write(`error: token request failed: HTTP ${res.statusCode}\n`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`${token}\n`);
  });
});
req.on('error', (error) => {
  process.stderr.write(`error: ${error.message}\n`);
  process.exitCode = 1;
});
req.end(form);
