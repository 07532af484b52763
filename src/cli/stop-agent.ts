// `checkmarx-auth stop-agent`: stops the agent named by CX_AUTH_SOCK; exit 0 when there is none,
// so that an exit trap after a failed start-agent adds no second error.

import { askAgent, AgentNotRunning, STOP_DEADLINE_MS } from '../agent/client.ts';
import { AgentError } from '../agent/errors.ts';
import { parseSock } from '../agent/protocol.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import type { VerbContext } from './verb-context.ts';

export async function runStopAgent(context: VerbContext): Promise<number> {
  const sock = context.env[SOCK_VARIABLE];
  if (!sock) {
    context.say(`${SOCK_VARIABLE} is not set: there is no token agent to stop.`);
    return 0;
  }
  const { address, key } = parseSock(sock);
  try {
    const answer = await askAgent(address, { key, op: 'stop' }, STOP_DEADLINE_MS);
    if (!answer.ok) throw new AgentError(answer.code, answer.message);
    context.say('Stopped the token agent.');
  } catch (error) {
    if (!(error instanceof AgentNotRunning)) throw error;
    context.say('The token agent had already stopped.');
  }
  return 0;
}
