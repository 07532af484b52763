// What the token agent needs of its CI's environment, which the front ends work out and pass to
// the agent as arguments: the folder its socket goes under, and the variables it keeps.

import { CI_SYSTEMS, type CiSystem, type Env } from './systems.ts';

/** Not secrets, and read by Node or Windows at start-up, so they must be in the environment itself. */
const SYSTEM_VARIABLES = ['NODE_EXTRA_CA_CERTS', 'SYSTEMROOT', 'SystemRoot', 'WINDIR', 'windir'];
/**
 * Every CI's process-tracking variables: its end-of-job cleanup stops every process whose
 * environment holds the job's value, so the agent keeps them whichever CI this is.
 */
const trackingVariables = () => CI_SYSTEMS.flatMap((system) => system.trackingVariables);

/** The variables the agent's clean environment keeps, with their values in `env`. */
export function keptVariables(env: Env): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of [...SYSTEM_VARIABLES, ...trackingVariables()]) {
    const value = env[name];
    if (value) kept[name] = value;
  }
  return kept;
}

/**
 * The CI's temporary folder for the agent's folders, when `system` names one that is set and not
 * the host's folder mounted into a job container; else undefined (the system's own temp folder).
 */
export function ciTempFolder(system: CiSystem, env: Env): string | undefined {
  const folder = system.tempVariable ? env[system.tempVariable] : undefined;
  return folder && !system.isContainerTemp(folder) ? folder : undefined;
}

/** For a process that does not know its CI (the CLI): the first CI temp folder that is set. */
export function anyCiTempFolder(env: Env): string | undefined {
  return CI_SYSTEMS.map((system) => ciTempFolder(system, env)).find(Boolean);
}
