// Asks the token agent named by CX_AUTH_SOCK: one request line out; an acknowledgement, then one
// answer line back, with the agent's heartbeats (spaces) in between while it works; each bounded.

import { connect } from 'node:net';
import {
  encodeLine,
  isAck,
  MAX_LINE_BYTES,
  parseAnswer,
  parseSock,
  type AgentAnswer,
  type AgentRequest,
  type AgentTokenAnswer,
} from './protocol.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import { AgentError } from './errors.ts';

/** Long enough for the agent's own exchange with its retries and deadlines. */
export const TOKEN_DEADLINE_MS = 10 * 60 * 1000;
export const STOP_DEADLINE_MS = 5_000;
/** A live agent acknowledges a request at once; SPEC: a silent peer is reported within 15 s. */
export const ACK_DEADLINE_MS = 10_000;
/**
 * A live agent working on an acknowledged request sends a heartbeat every HEARTBEAT_MS (2 s):
 * silence this long after the acknowledgement is a frozen agent (SPEC: reported within 15 s).
 */
export const SILENCE_DEADLINE_MS = 10_000;

/** The agent is gone: its socket is missing or nobody listens on it. */
export class AgentNotRunning extends AgentError {
  constructor(address: string) {
    super(
      'agent/not-running',
      `No token agent is running at ${address} (from ${SOCK_VARIABLE}): it was stopped, or it belongs to another job. Start one with 'checkmarx-auth start-agent' or the action's agent input.`,
    );
    this.name = 'AgentNotRunning';
  }
}

/** The bounds besides the whole deadline; tests shorten them. */
export interface AskBounds {
  /** For the acknowledgement (default ACK_DEADLINE_MS, never more than the whole deadline). */
  readonly ackMs?: number;
  /** For silence after the acknowledgement (default SILENCE_DEADLINE_MS; none when the whole deadline is shorter). */
  readonly silenceMs?: number;
  /** Hears that the agent acknowledged the request. */
  readonly onAcknowledged?: () => void;
}

const GONE = new Set(['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'EPIPE', 'ECONNRESET']);

/**
 * Asks the agent: it acknowledges a request at once, then answers when it has the answer, sending
 * heartbeats meanwhile. A peer that does not acknowledge within `ackMs` (a frozen agent, something
 * else listening at the address), or that falls silent for `silenceMs` after its acknowledgement
 * (an agent frozen mid exchange), is reported then; an acknowledged request that keeps hearing
 * from the agent gets `deadlineMs` for its answer (the agent's own exchange, with its retries and
 * deadlines).
 */
export function askAgent(address: string, request: AgentRequest, deadlineMs: number, bounds: AskBounds = {}): Promise<AgentAnswer> {
  const ackMs = Math.min(bounds.ackMs ?? ACK_DEADLINE_MS, deadlineMs);
  const silenceMs = bounds.silenceMs ?? SILENCE_DEADLINE_MS;
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    let received = '';
    let connected = false;
    let acknowledged = false;
    let deadline: NodeJS.Timeout | undefined;
    const silence = new SilenceWatch(() =>
      fail(
        new AgentError(
          'agent/no-answer',
          acknowledged
            ? `The token agent at ${address} (from ${SOCK_VARIABLE}) acknowledged the request, then said nothing for ${silenceMs / 1000} s: it is stopped or frozen.`
            : `The token agent at ${address} (from ${SOCK_VARIABLE}) did not acknowledge the request within ${ackMs / 1000} s: it is stopped or frozen, or what listens there is not a token agent.`,
        ),
      ),
    );
    silence.arm(ackMs);
    // Silence as long as the whole deadline is the deadline's to report.
    const watchSilence = () => (silenceMs < deadlineMs ? silence.arm(silenceMs) : silence.stop());
    function fail(error: Error): void {
      clearTimeout(deadline);
      silence.stop();
      socket.destroy();
      reject(error);
    }
    const notProtocol = () => fail(new AgentError('agent/bad-answer', 'The token agent sent an answer that is not its protocol.'));
    socket.once('connect', () => {
      connected = true;
      socket.write(encodeLine(request));
    });
    socket.setEncoding('utf8').on('data', (chunk: string) => {
      // Any byte is a sign of life: a heartbeat, or part of the answer.
      if (acknowledged) watchSilence();
      received += chunk;
      for (let end = received.indexOf('\n'); end !== -1; end = received.indexOf('\n')) {
        const line = received.slice(0, end);
        received = received.slice(end + 1);
        if (!acknowledged) {
          if (!isAck(line)) return notProtocol();
          acknowledged = true;
          bounds.onAcknowledged?.();
          watchSilence();
          deadline = setTimeout(
            () => fail(new AgentError('agent/no-answer', `The token agent at ${address} did not answer within ${deadlineMs / 1000} s.`)),
            deadlineMs,
          );
          continue;
        }
        const answer = parseAnswer(line);
        clearTimeout(deadline);
        silence.stop();
        socket.destroy();
        if (answer) resolve(answer);
        else reject(new AgentError('agent/bad-answer', 'The token agent sent an answer that is not its protocol.'));
        return;
      }
      if (received.length > MAX_LINE_BYTES) fail(new AgentError('agent/bad-answer', 'The token agent sent an answer that is too long.'));
    });
    socket.once('end', notProtocol);
    socket.once('error', (error: NodeJS.ErrnoException) => {
      const gone = !connected && GONE.has(error.code ?? '');
      fail(
        gone
          ? new AgentNotRunning(address)
          : new AgentError('agent/unreachable', `Talking to the token agent at ${address} failed (${error.code ?? error.name}).`, {
              cause: error,
            }),
      );
    });
  });
}

/**
 * A token from the agent that `sock` (CX_AUTH_SOCK's value) names, valid for `minValidity` seconds
 * more; the agent's refusal, or an answer without a token, is an AgentError.
 */
export async function askAgentForToken(sock: string, minValidity: number, bounds: AskBounds = {}): Promise<AgentTokenAnswer> {
  const { address, key } = parseSock(sock);
  const answer = await askAgent(address, { key, op: 'token', minValidity }, TOKEN_DEADLINE_MS, bounds);
  if (!answer.ok) throw new AgentError(answer.code, answer.message);
  if (!('result' in answer)) throw new AgentError('agent/bad-answer', 'The token agent sent no token.');
  return answer;
}

/**
 * Calls `onSilent` once no byte came for the armed time. When the timer fires, the verdict waits
 * one turn of the event loop (setImmediate runs after the poll for I/O): a client that was itself
 * held up (a loaded machine) reads what the agent sent meanwhile before it calls the agent silent.
 */
class SilenceWatch {
  private timer: NodeJS.Timeout | undefined;
  private verdict: NodeJS.Immediate | undefined;
  private readonly onSilent: () => void;

  constructor(onSilent: () => void) {
    this.onSilent = onSilent;
  }

  arm(ms: number): void {
    this.stop();
    this.timer = setTimeout(() => (this.verdict = setImmediate(this.onSilent)), ms);
  }

  stop(): void {
    clearTimeout(this.timer);
    clearImmediate(this.verdict);
  }
}
