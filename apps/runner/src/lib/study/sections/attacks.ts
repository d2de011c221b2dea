import { z } from 'zod';
import { listTriggers, POISON_MODES, type TriggerName } from '@ehr-backdoor/poison/names';
import type { RateBasis } from '@ehr-backdoor/poison';

/**
 * `poisoning` (what every attack does unless it says otherwise) and `attacks`: named attack variants, each
 * a trigger with parameters, a target label, a poisoning mode and the model variants it runs on. The
 * parameter names come from the poison package's registry; `resolveTrigger` checks their values.
 */
export const targetLabel = z.union([z.literal(0), z.literal(1)]);
export const poisonMode = z.enum(POISON_MODES as readonly [string, ...string[]]);

export const poisoningSection = z
  .strictObject({
    target: targetLabel.default(1).describe('Label the backdoor should produce; also the label the clean cells measure ASR towards.'),
    mode: poisonMode.default('dirty-label').describe('dirty-label (flip poisoned labels) or clean-label.'),
    rateBasis: z
      .enum(['eligible', 'train'] as const satisfies readonly RateBasis[])
      .default('eligible')
      .describe(
        'What a poison rate is a share of: the eligible training stays (label ≠ target; the default) or the whole training split (the original study, BackdoorBench).',
      ),
  })
  .describe('Defaults of every attack variant.');

function attackOf(trigger: TriggerName, defaults: Readonly<Record<string, unknown>>) {
  const params = z.strictObject(
    Object.fromEntries(
      Object.keys(defaults).map((key) => [
        key,
        z
          .unknown()
          .optional()
          .describe(`Default ${JSON.stringify(defaults[key])}.`),
      ]),
    ),
  );
  return z.strictObject({
    trigger: z.literal(trigger),
    params: params.optional().describe(`Parameters of ${trigger} (docs/poisoning.md); unset ones take their defaults.`),
    target: targetLabel.optional().describe('Target label (default: poisoning.target).'),
    mode: poisonMode.optional().describe('Poisoning mode (default: poisoning.mode).'),
    models: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('Only these model variants (default: every one whose view the trigger supports).'),
    exclude: z.array(z.string()).optional().describe('Model variants this attack leaves out.'),
  });
}

const [first, ...rest] = listTriggers()
  .filter((t) => t.name !== 'none')
  .map((t) => attackOf(t.name, t.defaults as Readonly<Record<string, unknown>>));
export const attackVariant = z
  .discriminatedUnion('trigger', [first, ...rest])
  .describe('An attack variant: trigger, parameters, target, mode, models.');

export const attacksSection = z
  .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'a variant name uses letters, digits, _ . - only'), attackVariant)
  .describe('Named attack variants; the name is the run folder.');

export type AttackVariant = z.infer<typeof attackVariant>;
