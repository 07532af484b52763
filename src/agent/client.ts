// Asks the token agent named by CX_AUTH_SOCK: one request line out, one answer line back, bounded.

import { connect } from 'node:net';
import { encodeLine, MAX_LINE_BYTES, parseAnswer, type AgentAnswer, type AgentRequest } from './protocol.ts';
import { SOCK_VARIABLE } from '../core/names.ts';
import { AgentError } from './errors.ts';

/** Long enough for the agent's own exchange with its retries and deadlines. */
export const TOKEN_DEADLINE_MS = 10 * 60 * 1000;
export const STOP_DEADLINE_MS = 5_000;

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

export function askAgent(address: string, request: AgentRequest, deadlineMs: number): Promise<AgentAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    let received = '';
    let connected = false;
    const timer = setTimeout(
      () => fail(new AgentError(`The token agent at ${address} did not answer within ${deadlineMs / 1000} s.`)),
      deadlineMs,
    );
    function fail(error: Error): void {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    }
    socket.once('connect', () => {
      connected = true;
      socket.write(encodeLine(request));
    });
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      received += chunk;
      if (received.length > MAX_LINE_BYTES) fail(new AgentError('The token agent sent an answer that is too long.'));
    });
    socket.once('end', () => {
      clearTimeout(timer);
      const answer = parseAnswer(received.split('\n')[0] ?? '');
      if (answer) resolve(answer);
      else reject(new AgentError('The token agent sent an answer that is not its protocol.'));
    });
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
