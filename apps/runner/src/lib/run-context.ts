import type { EhrDataset } from '@ehr-backdoor/data';
import type { ThresholdRule } from '@ehr-backdoor/metrics';
import type { PoisoningPlan, TriggerSpec } from '@ehr-backdoor/poison';
import type { ModelConfig, TrainConfig, TrainedModel } from '@ehr-backdoor/train';

/** Flat summary columns of an analysis (docs/formats.md), with the reasons of their NaN values. */
export interface AnalysisColumns {
  readonly metrics: Record<string, number>;
  readonly warnings: { metric: string; message: string }[];
}

/** A finished (or just-trained) run as explain and detect read it: its data, best model, trigger and plan. */
export interface RunContext {
  readonly runDir: string;
  readonly dataset: EhrDataset;
  readonly model: TrainedModel;
  readonly trigger: TriggerSpec;
  readonly targetLabel: 0 | 1;
  readonly seed: number;
  readonly plan: PoisoningPlan;
  readonly modelConfig: ModelConfig;
  readonly trainConfig: TrainConfig;
  /** How the run chose its operating threshold (absent: the default rule); a defence's retrained model is measured by the same rule. */
  readonly thresholdRule?: ThresholdRule;
}
