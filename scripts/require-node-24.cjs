// Runs before `npm run demo`, on whatever Node is first on PATH: scripts/demo.ts is TypeScript,
// which Node 20 cannot even load (ERR_UNKNOWN_FILE_EXTENSION), and that says nothing about the
// version. Plain CommonJS, with nothing newer than the oldest Node a newcomer may have.
'use strict';

var REQUIRED = 24;
var major = Number(process.versions.node.split('.')[0]);

if (major < REQUIRED) {
  process.stderr.write(
    [
      'checkmarx-auth needs Node.js ' + REQUIRED + ' or later; this is Node.js ' + process.version + ' (' + process.execPath + ').',
      'Install Node.js ' + REQUIRED + ' with one of these, then run `npm ci && npm run demo` again:',
      '  nvm install ' + REQUIRED + ' && nvm use ' + REQUIRED + '     (https://github.com/nvm-sh/nvm; `nvm use` alone reads .nvmrc)',
      '  fnm install ' + REQUIRED + ' && fnm use ' + REQUIRED + '     (https://github.com/Schniz/fnm)',
      '  volta install node@' + REQUIRED + '            (https://volta.sh)',
      '  or the installer from https://nodejs.org/en/download',
      '',
    ].join('\n'),
  );
  process.exitCode = 1;
}
