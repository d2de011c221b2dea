import { resolveTrigger, triggerViews, type PoisonMode, type TriggerName } from '@ehr-backdoor/poison/names';
import { viewOf } from '@ehr-backdoor/train/names';
import { didYouMean } from './did-you-mean.js';
import type { ResolvedModelVariant } from './resolve-models.js';
import type { Study } from './schema.js';
import { codeOf, type Problem } from './study-error.js';

export interface ResolvedAttack {
  readonly name: string;
  readonly trigger: TriggerName;
  readonly params: Readonly<Record<string, unknown>>;
  readonly target: 0 | 1;
  readonly mode: PoisonMode;
  /** Model variants it runs on: its list (or every variant), minus exclusions and variants whose view the trigger lacks. */
  readonly models: readonly string[];
  /** Variants left out because the trigger has no form on their view, with the reason. */
  readonly leftOut: readonly string[];
}

export function resolveAttack(
  name: string,
  attack: Study['attacks'][string],
  study: Study,
  models: readonly ResolvedModelVariant[],
  problems: Problem[],
): ResolvedAttack | undefined {
  let params: Readonly<Record<string, unknown>>;
  try {
    params = resolveTrigger(attack.trigger as string, attack.params ?? {}).params as Readonly<Record<string, unknown>>;
  } catch (error) {
    const details = (error as { details?: { parameter?: string } }).details;
    const parameter = details?.parameter;
    const message = (error as Error).message;
    const named = parameter ?? Object.keys(attack.params ?? {}).find((k) => message.includes(`'${k}'`) || message.includes(`"${k}"`));
    problems.push({
      path: ['attacks', name, 'params', ...(named && attack.params && named in attack.params ? [named] : [])],
      message,
      code: codeOf(error),
    });
    return undefined;
  }
  const known = Object.keys(study.models);
  const listed = attack.models ?? known;
  for (const [key, list] of [
    ['models', attack.models ?? []],
    ['exclude', attack.exclude ?? []],
  ] as const) {
    list.forEach((m, i) => {
      if (!known.includes(m))
        problems.push({
          path: ['attacks', name, key, i],
          message: `no model variant is named "${m}".${didYouMean(m, known)} Model variants: ${known.join(', ')}.`,
          code: 'E_UNKNOWN_MODEL',
        });
    });
  }
  const views = triggerViews(attack.trigger);
  const runsOn: string[] = [];
  const leftOut: string[] = [];
  for (const model of models) {
    if (!listed.includes(model.name) || (attack.exclude ?? []).includes(model.name)) continue;
    const view = viewOf(model.config.kind);
    if (views.includes(view)) runsOn.push(model.name);
    else if (attack.models)
      problems.push({
        path: ['attacks', name, 'models'],
        code: 'E_TRIGGER_VIEW',
        message: `trigger ${attack.trigger} has no ${view} form, so it cannot run on "${model.name}" (${model.config.kind}); remove that variant from the list.`,
      });
    else leftOut.push(`${model.name} × ${name} (the trigger has no ${view} form)`);
  }
  return {
    name,
    trigger: attack.trigger,
    params,
    target: attack.target ?? study.poisoning.target,
    mode: (attack.mode ?? study.poisoning.mode) as PoisonMode,
    models: runsOn,
    leftOut,
  };
}
