// Runs the workspace's TypeScript sources in-process: tsx compiles them, and a resolve hook adds the
// `@ehr-backdoor/source` export condition so `@ehr-backdoor/*` imports resolve to each package's src/
// instead of a dist/ that may not be built. Used by the apps' bins and by worker processes.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

registerTsx();
const addSourceCondition = `
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('@ehr-backdoor/source')
    ? context.conditions
    : [...context.conditions, '@ehr-backdoor/source'];
  return nextResolve(specifier, { ...context, conditions });
}`;
register(`data:text/javascript,${encodeURIComponent(addSourceCondition)}`, import.meta.url);
