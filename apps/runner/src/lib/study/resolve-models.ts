import {
  DEFAULT_MODEL_CONFIGS,
  resolveModelConfig,
  resolveTrainConfig,
  type ModelConfig,
  type TrainConfig,
} from '@ehr-backdoor/train/names';
import type { Study } from './schema.js';
import { codeOf, type Problem } from './study-error.js';

export interface ResolvedModelVariant {
  readonly name: string;
  readonly config: ModelConfig;
  readonly training: TrainConfig;
}

export function resolveModelVariant(
  name: string,
  variant: Study['models'][string],
  study: Study,
  problems: Problem[],
): ResolvedModelVariant | undefined {
  const { training: own, ...modelInput } = variant;
  let config: ModelConfig | undefined;
  try {
    config = resolveModelConfig(modelInput as Parameters<typeof resolveModelConfig>[0]);
  } catch (error) {
    const field = Object.keys(DEFAULT_MODEL_CONFIGS[variant.kind]).find(
      (k) => (error as Error).message.includes(`${k} `) || (error as Error).message.includes(`(${k}`),
    );
    problems.push({
      path: ['models', name, ...(field && field in variant ? [field] : [])],
      message: (error as Error).message,
      code: codeOf(error),
    });
    return undefined;
  }
  const merged = { ...stripUndefined(study.training), ...stripUndefined(own ?? {}) };
  let training: TrainConfig;
  try {
    training = resolveTrainConfig(merged);
  } catch (error) {
    problems.push({ path: own ? ['models', name, 'training'] : ['training'], message: (error as Error).message, code: codeOf(error) });
    return undefined;
  }
  return { name, config, training };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
