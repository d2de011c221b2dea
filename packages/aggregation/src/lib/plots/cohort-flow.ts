import type { TopLevelSpec } from 'vega-lite';
import { BASE_CONFIG, SCHEMA, type PlotDefinition } from './base.js';

export const cohortFlow: PlotDefinition = {
  name: 'cohort_flow',
  section: 'Data',
  title: 'Cohort flow of the dataset',
  description:
    'Stays remaining after each inclusion step of the cohort (from the dataset’s manifest.json), with the number each step removed.',
  build: (input) => {
    const steps = input.dataset?.manifest?.cohort.steps ?? [];
    if (steps.length === 0) {
      return {
        skipped: input.dataset?.manifest
          ? 'the dataset manifest lists no cohort steps'
          : 'the dataset manifest was not found (run_metadata.json → dataset.path); see the warnings',
      };
    }
    const values = steps.map((s, i) => ({
      step: `${i + 1}. ${s.name}`,
      index: i,
      remaining: s.remaining,
      removed: i === 0 ? 0 : steps[i - 1].remaining - s.remaining,
      label:
        i === 0 || steps[i - 1].remaining === s.remaining
          ? s.remaining.toLocaleString('en-US')
          : `${s.remaining.toLocaleString('en-US')} (−${(steps[i - 1].remaining - s.remaining).toLocaleString('en-US')})`,
    }));
    const spec: TopLevelSpec = {
      $schema: SCHEMA,
      title: `Cohort flow${input.dataset?.mimicVersion ? ` (MIMIC-IV ${input.dataset.mimicVersion})` : ''}${labelTitle(input.dataset?.manifest?.labelDefinition)}`,
      data: { values },
      width: 420,
      height: { step: 28 },
      encoding: {
        y: { field: 'step', type: 'nominal', sort: values.map((v) => v.step), title: null, axis: { labelLimit: 0 } },
        x: { field: 'remaining', type: 'quantitative', title: 'ICU stays remaining' },
      },
      layer: [
        {
          mark: { type: 'bar', color: '#4c78a8' },
          encoding: {
            tooltip: [
              { field: 'step', type: 'nominal' },
              { field: 'remaining', type: 'quantitative', format: ',' },
              { field: 'removed', type: 'quantitative', format: ',' },
            ],
          },
        },
        { mark: { type: 'text', align: 'left', dx: 4, fontSize: 11 }, encoding: { text: { field: 'label', type: 'nominal' } } },
      ],
      config: BASE_CONFIG,
    };
    return { spec };
  },
};

/** The label the cohort carries, for the title: the flow is the same for both definitions, the outcome is not. */
function labelTitle(label: string | undefined): string {
  if (label === undefined) return '';
  return label === 'icu_mortality' ? ', label: ICU mortality' : ', label: in-hospital mortality';
}
