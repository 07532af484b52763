// Listening on 127.0.0.1 on a port the system picks, for the loopback servers (exec's token
// endpoint). Through net.BoundSocket where Node has it (24.19 and later): bound at once with no
// lookup, where listen(0, '127.0.0.1') loads node:dns and compiles Node's IPv6 pattern, about 4 ms
// of every `exec` (BENCHMARKS.md). Older Node (the Azure task's Node 20) listens the usual way.

import type { Server } from 'node:net';
import * as net from 'node:net';

export const LOOPBACK = '127.0.0.1';

type BoundSocketModule = Partial<Pick<typeof net, 'BoundSocket'>>;

/** Resolves once `server` listens on 127.0.0.1, to its port; rejects with the listen error. */
export function listenOnLoopback(server: Server, module: BoundSocketModule = net): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    };
    if (module.BoundSocket) server.listen(new module.BoundSocket({ host: LOOPBACK, port: 0 }), listening);
    else server.listen(0, LOOPBACK, listening);
  });
}
