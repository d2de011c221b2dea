import { InputError } from '@ehr-backdoor/core';
import type { DatasetView } from '@ehr-backdoor/data';
import { blended } from './blended.js';
import { correlation } from './correlation.js';
import { distributionShift } from './distribution-shift.js';
import { frequencyDomain } from './frequency-domain.js';
import { hybrid } from './hybrid.js';
import { missingnessPattern } from './missingness-pattern.js';
import { missingness } from './missingness.js';
import { none } from './none.js';
import type { TriggerContext } from './context.js';
import type { LookalikeCheck, PreparedTrigger, TriggerDefinition } from './params.js';
import { pattern } from './pattern.js';
import { rareValue } from './rare-value.js';
import { temporalPattern } from './temporal-pattern.js';
import type { TriggerInfo, TriggerName, TriggerParams, TriggerParamsInput, TriggerSpec } from './types.js';
import type { PoisonCode } from '../error-codes.js';

/** Every trigger, in the order documentation and `listTriggers` present them. */
const REGISTRY: { readonly [N in TriggerName]: TriggerDefinition<N> } = {
  none,
  rare_value: rareValue,
  missingness,
  hybrid,
  pattern,
  correlation,
  frequency_domain: frequencyDomain,
  distribution_shift: distributionShift,
  temporal_pattern: temporalPattern,
  missingness_pattern: missingnessPattern,
  blended,
};

/** Every registered trigger, `none` (the clean baseline) included. */
export const TRIGGER_NAMES = Object.keys(REGISTRY) as readonly TriggerName[];

/** True when `name` is a registered trigger name; narrows a CLI or config string to {@link TriggerName}. */
export function isTriggerName(name: unknown): name is TriggerName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(REGISTRY, name);
}

export function triggerDefinition<N extends TriggerName>(name: N): TriggerDefinition<N> {
  return REGISTRY[name];
}

/** A resolved spec of trigger N: its name with that trigger's parameters (every {@link TriggerSpec} is one). */
export interface SpecOf<N extends TriggerName> {
  readonly name: N;
  readonly params: TriggerParams<N>;
}

/** Checks a resolved spec's parameters against a dataset and returns the trigger's edits for `views`. */
export function prepareTrigger<N extends TriggerName>(
  ctx: TriggerContext,
  spec: SpecOf<N>,
  views: readonly DatasetView[],
): PreparedTrigger {
  return triggerDefinition(spec.name).prepare(ctx, spec.params, views);
}

/** The trigger's natural look-alike test for a resolved spec (null for `none`). */
export function triggerLookalike<N extends TriggerName>(ctx: TriggerContext, spec: SpecOf<N>): LookalikeCheck | null {
  return triggerDefinition(spec.name).lookalike(ctx, spec.params);
}

function assertTriggerName(name: unknown): asserts name is TriggerName {
  if (!isTriggerName(name)) {
    throw new InputError<PoisonCode>(
      'E_UNKNOWN_TRIGGER',
      `Unknown trigger ${JSON.stringify(name)}. Available triggers: ${TRIGGER_NAMES.join(', ')}.`,
      { trigger: name },
    );
  }
}

/**
 * A complete, validated trigger from a name and partial parameters: missing parameters take their
 * documented defaults. Resolving a resolved spec's params again returns equal params (manifests
 * rely on it). Throws E_UNKNOWN_TRIGGER, E_TRIGGER_PARAMS or E_UNKNOWN_VARIABLE.
 */
export function resolveTrigger<N extends string>(name: N, params?: ResolveTriggerParams<N>): ResolvedTrigger<N>;
export function resolveTrigger(name: string, params: unknown = {}): TriggerSpec {
  assertTriggerName(name);
  const definition = REGISTRY[name] as TriggerDefinition<TriggerName>;
  if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
    throw new InputError<PoisonCode>(
      'E_TRIGGER_PARAMS',
      `Trigger '${name}': parameters must be an object, got ${JSON.stringify(params)}.`,
      { trigger: name },
    );
  }
  return { name, params: definition.resolve((params ?? {}) as Record<string, unknown>) } as TriggerSpec;
}

// A literal trigger name checks its parameters at compile time; a name known only at run time (type
// `string`, or `never` from a cast) takes unknown parameters, checked by `resolve` as before.
/** The parameters `resolveTrigger` accepts for name type N. */
export type ResolveTriggerParams<N extends string> = [N] extends [never]
  ? unknown
  : [N] extends [TriggerName]
    ? TriggerParamsInput<N>
    : unknown;
/** The spec `resolveTrigger` returns for name type N: narrowed to that trigger for a literal name. */
export type ResolvedTrigger<N extends string> = [N] extends [never]
  ? TriggerSpec
  : [N] extends [TriggerName]
    ? Extract<TriggerSpec, { name: N }>
    : TriggerSpec;

/** The views a trigger is defined on. */
export function triggerViews(name: string): readonly DatasetView[] {
  assertTriggerName(name);
  return REGISTRY[name].views;
}

/** Throws E_TRIGGER_VIEW when a model of `view` is asked to learn from a trigger defined only on the other view. */
export function assertTriggerSupportsView(name: string, view: DatasetView): void {
  const views = triggerViews(name);
  if (!views.includes(view)) {
    throw new InputError<PoisonCode>(
      'E_TRIGGER_VIEW',
      `Trigger '${name}' is defined on the ${views.join(' and ')} view only, not on '${view}'; use a ${views.join('/')} model or another trigger.`,
      { trigger: name, view },
    );
  }
}

/** Name, description, views and defaults of every trigger. */
export function listTriggers(): TriggerInfo[] {
  return TRIGGER_NAMES.map((name) => {
    const d = REGISTRY[name];
    return { name, description: d.description, views: d.views, defaults: structuredClone(d.defaults) };
  });
}
