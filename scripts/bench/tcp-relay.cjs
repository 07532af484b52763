// A bare TCP relay for `npm run bench` (scripts/bench/facade.ts): every connection to it is piped
// to the upstream's port and back, with no HTTP parsing and no token swap. Its throughput is the
// most any relay process gets on this machine, the yardstick for the facade's. argv: the upstream's
// port. Prints its own port on one line; stops when stdin ends.
'use strict';
const { connect, createServer } = require('node:net');

const upstreamPort = Number(process.argv[2]);
const server = createServer((client) => {
  const upstream = connect(upstreamPort, '127.0.0.1');
  client.pipe(upstream).on('error', () => client.destroy());
  upstream.pipe(client).on('error', () => upstream.destroy());
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
