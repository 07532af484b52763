// What the task saves for its post-job step, as task variables (`task.settaskvariable`): only this
// task's later steps see them, as VSTS_TASKVARIABLE_<NAME> in upper case.

export const TASK_VARIABLE_PID = 'agent_pid';
export const TASK_VARIABLE_SOCK = 'agent_sock';
/** The folders the task made (command folder, socket folder), as a JSON array, for the post-job step to remove. */
export const TASK_VARIABLE_FOLDERS = 'agent_folders';

export function taskVariable(env: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  return env[`VSTS_TASKVARIABLE_${name.toUpperCase()}`];
}
