// What a front end that starts the token agent saves for its post step (the action's state, the
// Azure task's task variables), under the same names in both; each CI's `savedVariable` says in
// which variable the post step finds them.

export const SAVED_AGENT = {
  pid: 'agent_pid',
  sock: 'agent_sock',
  /** The folders made (the command folder, the socket folder), as a JSON array, for the post step to remove. */
  folders: 'agent_folders',
} as const;

/** The saved values, read back by the name each CI gives them (its `savedVariable`). */
export function readSavedAgent(read: (name: string) => string | undefined) {
  return { pid: read(SAVED_AGENT.pid), sock: read(SAVED_AGENT.sock), folders: read(SAVED_AGENT.folders) };
}
