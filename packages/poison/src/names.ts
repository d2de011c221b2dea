/**
 * @ehr-backdoor/poison/names — trigger names, their parameter checking and the poisoning modes, for
 * command lines and study files that name triggers without poisoning anything.
 *
 * @packageDocumentation
 */
export { TRIGGER_NAMES, isTriggerName, listTriggers, resolveTrigger, triggerViews } from './lib/triggers/registry.js';
export type { TriggerInfo, TriggerName, TriggerSpec } from './lib/triggers/types.js';
export { POISON_MODES } from './lib/modes.js';
export type { PoisonMode } from './lib/modes.js';
