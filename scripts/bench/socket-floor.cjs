// The floor for `checkmarx-auth token` served from the agent's cache: a CommonJS script that only
// connects to the agent's Unix socket (the path part of CX_AUTH_SOCK) and prints a line.
'use strict';
const net = require('node:net');
const sock = process.env.CX_AUTH_SOCK || '';
const socket = net.connect(sock.slice(0, sock.lastIndexOf('#')), () => {
  process.stdout.write('connected\n');
  socket.end();
});
socket.on('error', (error) => {
  process.stderr.write(`${error.code}\n`);
  process.exitCode = 1;
});
