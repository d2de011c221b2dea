/**
 * Model-repair defences: they change the model instead of ranking training stays, so they are selected
 * beside the detectors (`--detectors fine_pruning`) but scored as a defence only (ASR and clean AUROC
 * after repair, DER). Not run by default: each one fine-tunes a model.
 */
export const MODEL_REPAIR_NAMES = ['fine_pruning'] as const;
/** One of {@link MODEL_REPAIR_NAMES}. */
export type ModelRepairName = (typeof MODEL_REPAIR_NAMES)[number];

/** Whether `name` is a model-repair defence rather than a detector. */
export function isModelRepairName(name: string): name is ModelRepairName {
  return (MODEL_REPAIR_NAMES as readonly string[]).includes(name);
}
