// What each CI system defines, one row per system: how to tell that a process runs in it, its log
// commands (the masking line, the warning and error line), its temporary folder and the rule for
// that folder inside a job container, its process-tracking variables, and how it names a step's
// inputs and the values a step saves for its post step. The front ends read this table; the core
// and the agent know nothing of it (the agent gets a temp base and the variables to keep).

import { azureEscape, githubEscape } from './log-commands.ts';

export type Env = Readonly<Record<string, string | undefined>>;
export type IssueLevel = 'warning' | 'error';

export interface CiSystem {
  readonly title: string;
  /** Whether `env` is a step of this CI system. */
  readonly detect: (env: Env) => boolean;
  /** The log line that registers a secret with the CI's masking; absent where logs have no masking. */
  readonly maskLine?: (value: string) => string;
  /** A warning or error as an issue the CI shows on the run's summary; absent: a plain line. */
  readonly issueLine?: (level: IssueLevel, text: string, code?: string) => string;
  /** The variable naming the job's temporary folder, emptied after every job. */
  readonly tempVariable?: string;
  /**
   * Whether a temp folder is the host's, mounted into a job container: a socket there is left in
   * the host's folder (and Kubernetes container hooks, which copy the work folder for every
   * container step, fail on it), so the container's own temp folder is used instead.
   */
  readonly isContainerTemp: (folder: string) => boolean;
  /** Variables by which the CI's end-of-job cleanup finds every process the job started. */
  readonly trackingVariables: readonly string[];
  /** The variable that holds a step's input `name`. */
  readonly inputVariable?: (name: string) => string;
  /** The variable in which the post step reads a value the step saved as `name`. */
  readonly savedVariable?: (name: string) => string;
}

/** GitHub's runner and the Azure Pipelines agent mount the host's work folder at /__w in a job container. */
const underWorkMount = (folder: string): boolean => /^\/__w(\/|$)/.test(folder);
const never = (_folder: string): boolean => false;

export const GITHUB_ACTIONS = {
  title: 'GitHub Actions',
  detect: (env) => env.GITHUB_ACTIONS === 'true',
  // The runner reads workflow commands on stdout and stderr.
  maskLine: (value) => `::add-mask::${githubEscape(value)}\n`,
  tempVariable: 'RUNNER_TEMP',
  isContainerTemp: underWorkMount,
  trackingVariables: ['RUNNER_TRACKING_ID'],
  // INPUT_<NAME>: upper case, spaces as _, hyphens kept.
  inputVariable: (name) => `INPUT_${name.replace(/ /g, '_').toUpperCase()}`,
  savedVariable: (name) => `STATE_${name}`,
} satisfies CiSystem;

export const AZURE_PIPELINES = {
  title: 'Azure Pipelines',
  detect: (env) => Boolean(env.TF_BUILD),
  maskLine: (value) => `##vso[task.setsecret]${azureEscape(value)}\n`,
  issueLine: (level, text, code) => `##vso[task.logissue type=${level}${code ? `;code=${azureEscape(code)}` : ''}]${azureEscape(text)}\n`,
  tempVariable: 'AGENT_TEMPDIRECTORY',
  isContainerTemp: underWorkMount,
  trackingVariables: ['VSTS_PROCESS_LOOKUP_ID'],
  // INPUT_<NAME>: upper case, `.` and space as _.
  inputVariable: (name) => `INPUT_${name.replace(/[. ]/g, '_').toUpperCase()}`,
  // A task variable (`task.settaskvariable`) reaches the task's later steps as VSTS_TASKVARIABLE_<NAME>.
  savedVariable: (name) => `VSTS_TASKVARIABLE_${name.toUpperCase()}`,
} satisfies CiSystem;

export const JENKINS = {
  title: 'Jenkins',
  detect: (env) => Boolean(env.JENKINS_URL),
  isContainerTemp: never,
  // ProcessTreeKiller: BUILD_ID, and JENKINS_NODE_COOKIE in pipelines.
  trackingVariables: ['BUILD_ID', 'JENKINS_NODE_COOKIE'],
} satisfies CiSystem;

export const GITLAB = {
  title: 'GitLab CI/CD',
  detect: (env) => env.GITLAB_CI === 'true',
  isContainerTemp: never,
  trackingVariables: [],
} satisfies CiSystem;

export const NO_CI = {
  title: 'no CI system',
  detect: () => true,
  isContainerTemp: never,
  trackingVariables: [],
} satisfies CiSystem;

/** In the order they are tried: the first that detects itself is the one a process runs in. */
export const CI_SYSTEMS: readonly CiSystem[] = [GITHUB_ACTIONS, AZURE_PIPELINES, JENKINS, GITLAB, NO_CI];

/** The first CI system `env` describes that defines `feature` (GitHub's masking before Azure's). */
export function ciWith<Feature extends keyof CiSystem>(env: Env, feature: Feature): CiSystem[Feature] | undefined {
  return CI_SYSTEMS.find((system) => system[feature] !== undefined && system.detect(env))?.[feature];
}
