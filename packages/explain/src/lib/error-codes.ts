/**
 * Every `E_*` code that explain's errors carry, with its meaning: the one place to read them (as vega-lite
 * keeps its messages in `log/message.ts`). The messages stay at the throw sites, typed by {@link ExplainCode}.
 */
export const EXPLAIN_CODES = {
  E_IG_OPTIONS: 'integrated gradients were called without options',
  E_IG_FORWARD: 'the forward function is missing or not a function',
  E_IG_INPUTS: 'the inputs are not tensors of matching shape',
  E_IG_METHOD: 'an unknown integration method',
  E_IG_STEPS: 'too few integration steps, or not an integer',
  E_IG_BATCH: 'the internal batch size is not a positive integer',
  E_IG_BASELINE: 'an invalid baseline, or one that does not fit the inputs',
  E_IG_NOT_FINITE: 'inputs or baseline hold NaN or ±Infinity',
  E_IG_NO_GRADIENT: 'the model uses a kernel with no registered gradient',
  E_IG_TARGET: 'an invalid attribution target (output kind or class index)',
  E_IG_OUTPUT_SHAPE: "the model's output shape is not a batch of logits",
  E_ATTENTION: 'the attention callback returned blocks that do not match',
  E_DRIFT_SHAPE: 'attribution arrays do not have n × d entries',
  E_DRIFT_MASK: 'the trigger mask has the wrong number of entries',
  E_DRIFT_TOPK: 'top-k is not a positive integer',
  E_DRIFT_GROUPS: 'the group index has the wrong number of entries',
  E_TRIGGER_MASK: 'clean and triggered inputs differ in size',
} as const satisfies Record<`E_${string}`, string>;

/** A code of {@link EXPLAIN_CODES}. */
export type ExplainCode = keyof typeof EXPLAIN_CODES;
