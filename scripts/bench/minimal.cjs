// The floor for `npm run bench`: the same exchange as the action (CxSAST password grant) with
// nothing but node:http. One form POST, parse the JSON, mask the token, write the output file.
// No validation, no retries, no hints: only what every token step must do.

// Built-ins come from process.getBuiltinModule: on Node 24 an ESM `import ... from 'node:http'`
// builds the module's ESM facade, whose lazy exports load undici, http2, zlib and more (~50 ms).
// The ncc bundles require() their built-ins, so this keeps the comparison fair.
const { appendFileSync } = process.getBuiltinModule('node:fs');
const { request } = process.getBuiltinModule('node:http');
const { randomUUID } = process.getBuiltinModule('node:crypto');
const { EOL } = process.getBuiltinModule('node:os');

const input = (name) => process.env[`INPUT_${name.toUpperCase()}`] ?? '';

const url = new URL('/cxrestapi/auth/identity/connect/token', input('server-url'));
const form = new URLSearchParams({
  grant_type: 'password',
  username: input('username'),
  password: input('password'),
  scope: 'sast_rest_api',
  client_id: 'resource_owner_client',
  client_secret: '014DF517-39D1-4453-B7B3-9930C563627C',
}).toString();

// agent: false: the default global agent keeps the socket alive, which can delay exit.
const req = request(url, {
  method: 'POST',
  agent: false,
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    'content-length': Buffer.byteLength(form),
    accept: 'application/json',
  },
});
req.on('response', (res) => {
  let body = '';
  res.setEncoding('utf8');
  res.on('data', (chunk) => (body += chunk));
  res.on('end', () => {
    const token = JSON.parse(body).access_token;
    if (res.statusCode !== 200 || typeof token !== 'string') {
      process.stdout.write(`::error::token request failed: HTTP ${res.statusCode}${EOL}`);
      process.exitCode = 1;
      return;
    }
    process.stdout.write(`::add-mask::${token}${EOL}`);
    const delimiter = `ghadelimiter_${randomUUID()}`;
    appendFileSync(process.env.GITHUB_OUTPUT, `access-token<<${delimiter}${EOL}${token}${EOL}${delimiter}${EOL}`);
  });
});
req.on('error', (error) => {
  process.stdout.write(`::error::${error.message}${EOL}`);
  process.exitCode = 1;
});
req.end(form);
