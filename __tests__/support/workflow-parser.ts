// @actions/workflow-parser imports its JSON schemas without import attributes, which Node refuses;
// a load hook adds the attribute so GitHub's own parser can run here.

import { registerHooks } from 'node:module';

registerHooks({
  load(url, context, nextLoad) {
    if (url.endsWith('.json')) return nextLoad(url, { ...context, importAttributes: { type: 'json' } });
    return nextLoad(url, context);
  },
});

const { parseAction } = await import('@actions/workflow-parser/actions/index');
const { parseWorkflow, NoOperationTraceWriter } = await import('@actions/workflow-parser');

/** GitHub's parser's errors for an action.yml (empty when valid). */
export function actionErrors(name: string, content: string): string[] {
  return parseAction({ name, content }, new NoOperationTraceWriter())
    .context.errors.getErrors()
    .map((e) => e.message);
}

/** GitHub's parser's errors for a workflow file (empty when valid). */
export function workflowErrors(name: string, content: string): string[] {
  return parseWorkflow({ name, content }, new NoOperationTraceWriter())
    .context.errors.getErrors()
    .map((e) => e.message);
}
