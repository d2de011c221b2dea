/**
 * Every `E_*` code that detect's errors carry, with its meaning: the one place to read them (as vega-lite
 * keeps its messages in `log/message.ts`). The messages stay at the throw sites, typed by {@link DetectCode}.
 */
export const DETECT_CODES = {
  E_DETECT_INPUT: "a detector's input is missing or does not fit",
  E_DETECT_CONTAMINATION: 'the assumed contamination is not a share in (0, 0.5)',
  E_DETECT_NOT_FINITE: 'a feature or activation matrix holds a non-finite value',
  E_DETECT_POISONED: 'a poisoned row is not one of the training rows',
  E_DETECT_UNKNOWN: 'an unknown detector',
  E_DETECT_PREDICT: 'the predict callback returned the wrong number of values',
  E_FINE_PRUNING: 'a fine-pruning setting is unknown or out of range',
} as const satisfies Record<`E_${string}`, string>;

/** A code of {@link DETECT_CODES}. */
export type DetectCode = keyof typeof DETECT_CODES;
