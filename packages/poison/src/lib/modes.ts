/** How poisoned stays are chosen and labelled; see {@link POISON_MODES}. */
export type PoisonMode = 'dirty-label' | 'clean-label';
/**
 * Dirty-label (poison stays whose label ≠ target and flip it) and clean-label (trigger stays that already
 * have the target label; labels unchanged).
 */
export const POISON_MODES: readonly PoisonMode[] = ['dirty-label', 'clean-label'];

/** True when `value` is one of {@link POISON_MODES} (e.g. read from a plan file). */
export function isPoisonMode(value: unknown): value is PoisonMode {
  return POISON_MODES.some((mode) => mode === value);
}
