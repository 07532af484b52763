// What a front end that starts the token agent saves for its post step (the action's state, the
// Azure task's task variables), under the same names in both; each CI's `savedVariable` says in
// which variable the post step finds them.

export const SAVED_AGENT = {
  pid: 'agent_pid',
  sock: 'agent_sock',
  /** The folders made (the command folder, the socket folder), as a JSON array, for the post step to remove. */
  folders: 'agent_folders',
} as const;
