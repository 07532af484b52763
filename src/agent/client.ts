// Asks the token agent named by CX_AUTH_SOCK: one request line out; an acknowledgement, then one
// answer line back; each bounded.

import { connect } from 'node:net';
import { encodeLine, isAck, MAX_LINE_BYTES, parseAnswer, type AgentAnswer, type AgentRequest } from './protocol.ts';
import { SOCK_VARIABLE } from '../core/names.ts';
import { AgentError } from './errors.ts';

/** Long enough for the agent's own exchange with its retries and deadlines. */
export const TOKEN_DEADLINE_MS = 10 * 60 * 1000;
export const STOP_DEADLINE_MS = 5_000;
/** A live agent acknowledges a request at once; SPEC: a silent peer is reported within 15 s. */
export const ACK_DEADLINE_MS = 10_000;

/** The agent is gone: its socket is missing or nobody listens on it. */
export class AgentNotRunning extends AgentError {
  constructor(address: string) {
    super(
      `No token agent is running at ${address} (from ${SOCK_VARIABLE}): it was stopped, or it belongs to another job. Start one with 'checkmarx-auth start-agent' or the action's agent input.`,
    );
    this.name = 'AgentNotRunning';
  }
}

const GONE = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'EPIPE', 'ECONNRESET']);

/**
 * Asks the agent: it acknowledges a request at once, then answers when it has the answer. A peer
 * that does not acknowledge within `ackMs` (a frozen agent, something else listening at the
 * address) is reported then; an acknowledged request gets `deadlineMs` for its answer (the
 * agent's own exchange, with its retries and deadlines).
 */
export function askAgent(
  address: string,
  request: AgentRequest,
  deadlineMs: number,
  ackMs = Math.min(ACK_DEADLINE_MS, deadlineMs),
): Promise<AgentAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    let received = '';
    let connected = false;
    let acknowledged = false;
    let timer = setTimeout(
      () =>
        fail(
          new AgentError(
            `The token agent at ${address} (from ${SOCK_VARIABLE}) did not acknowledge the request within ${ackMs / 1000} s: it is stopped or frozen, or what listens there is not a token agent.`,
          ),
        ),
      ackMs,
    );
    function fail(error: Error): void {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    }
    const notProtocol = () => fail(new AgentError('The token agent sent an answer that is not its protocol.'));
    socket.once('connect', () => {
      connected = true;
      socket.write(encodeLine(request));
    });
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
      for (let end = received.indexOf('\n'); end !== -1; end = received.indexOf('\n')) {
        const line = received.slice(0, end);
        received = received.slice(end + 1);
        if (!acknowledged) {
          if (!isAck(line)) return notProtocol();
          acknowledged = true;
          clearTimeout(timer);
          timer = setTimeout(
            () => fail(new AgentError(`The token agent at ${address} did not answer within ${deadlineMs / 1000} s.`)),
            deadlineMs,
          );
          continue;
        }
        const answer = parseAnswer(line);
        clearTimeout(timer);
        socket.destroy();
        if (answer) resolve(answer);
        else reject(new AgentError('The token agent sent an answer that is not its protocol.'));
        return;
      }
      if (received.length > MAX_LINE_BYTES) fail(new AgentError('The token agent sent an answer that is too long.'));
    });
    socket.once('end', notProtocol);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const gone = !connected && GONE.has(error.code ?? '');
      fail(
        gone
          ? new AgentNotRunning(address)
          : new AgentError(`Talking to the token agent at ${address} failed (${error.code ?? error.name}).`),
      );
    });
  });
}
