import { mergeParams, type TriggerDefinition } from './params.js';

/** `none` — the clean baseline: both views unchanged (a plan with it and a rate above 0 is pure label noise in dirty-label mode). */
export const none: TriggerDefinition<'none'> = {
  name: 'none',
  description: 'No trigger: the clean baseline.',
  views: ['tabular', 'timeseries'],
  defaults: {},
  resolve: (partial) => {
    mergeParams('none', partial, {});
    return {};
  },
  prepare: () => ({ resolved: {}, tabular: () => undefined, timeseries: () => undefined }),
  lookalike: () => null,
};
