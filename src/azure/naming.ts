// How the task names an input in a message: as task.json and the YAML do, in camelCase
// (`Input 'serverUrl'`), never as the action's kebab-case input.

import type { InputNaming } from '../core/errors.ts';
import { camelCase } from '../core/camel-case.ts';

export const TASK_NAMING: InputNaming = {
  subject: (input) => `Input '${camelCase(input)}'`,
  reference: (input) => `'${camelCase(input)}'`,
  several: (references) => `Inputs ${references}`,
};
