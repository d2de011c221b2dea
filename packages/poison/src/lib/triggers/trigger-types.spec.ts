/**
 * Type-level tests: trigger names discriminate their parameters, so a wrong parameter key, a value of
 * the wrong type or another trigger's parameters fail to compile. `tsc -b` (typecheck) is the real
 * test here: every `@ts-expect-error` line must be an error, or the build fails. The compile-only
 * blocks are never called at run time (several would throw); Jest only runs the positive cases.
 */
import { expectTypeOf } from 'expect-type';
import type {
  HybridParams,
  MissingnessParams,
  PartialTriggerSpec,
  PlanPoisoningOptions,
  RareValueParams,
  TriggerInput,
  TriggerName,
  TriggerParams,
  TriggerParamsInput,
  TriggerSpec,
} from '../../index.js';
import { resolveTrigger } from '../../index.js';

describe('trigger types', () => {
  it('a literal name narrows the resolved spec to that trigger', () => {
    const rare = resolveTrigger('rare_value', { variable: 'heart_rate', value: 220 });
    expectTypeOf(rare).toEqualTypeOf<Extract<TriggerSpec, { name: 'rare_value' }>>();
    expectTypeOf(rare.params).toEqualTypeOf<RareValueParams>();
    expect(rare.params.value).toBe(220);

    const hybrid = resolveTrigger('hybrid', { rare: { hours: 2 }, missing: { variables: ['wbc'] } });
    expectTypeOf(hybrid.params).toEqualTypeOf<HybridParams>();
    expect(hybrid.params.rare.hours).toBe(2);
  });

  it('a name known only at run time takes unknown parameters and gives the whole union', () => {
    const fromCli: string = 'missingness';
    const spec = resolveTrigger(fromCli, JSON.parse('{"variables":["wbc"]}') as unknown);
    expectTypeOf(spec).toEqualTypeOf<TriggerSpec>();
    expect(spec.name).toBe('missingness');
  });

  it('TriggerParams and TriggerParamsInput follow the name', () => {
    expectTypeOf<TriggerParams<'missingness'>>().toEqualTypeOf<MissingnessParams>();
    expectTypeOf<TriggerParamsInput<'rare_value'>>().toEqualTypeOf<Partial<RareValueParams>>();
    expectTypeOf<TriggerName>().toEqualTypeOf<TriggerSpec['name']>();
    expectTypeOf<PartialTriggerSpec>().toMatchTypeOf<TriggerInput>();
    expectTypeOf<PlanPoisoningOptions['trigger']>().toEqualTypeOf<TriggerInput>();
  });

  it('wrong parameters do not compile (checked by tsc; nothing runs)', () => {
    const compileOnly = (): void => {
      const ok: TriggerSpec = {
        name: 'rare_value',
        params: { variable: 'heart_rate', value: 220, hours: 1, inRange: false, quantile: 0.98 },
      };
      const okMissing: TriggerSpec = { name: 'missingness', params: { variables: ['wbc'] } };
      const okNone: TriggerSpec = { name: 'none', params: {} };
      const typo: TriggerSpec = {
        name: 'rare_value',
        // @ts-expect-error 'varible' is not a parameter of rare_value
        params: { varible: 'heart_rate', value: 220, hours: 1, inRange: false, quantile: 0.98 },
      };
      // @ts-expect-error a complete spec needs every parameter (resolveTrigger fills defaults)
      const incomplete: TriggerSpec = { name: 'rare_value', params: { variable: 'heart_rate' } };
      // @ts-expect-error missingness parameters under the rare_value name
      const crossed: TriggerSpec = { name: 'rare_value', params: { variables: ['wbc'] } };
      // @ts-expect-error 'none' takes no parameters
      const noneWithParams: TriggerSpec = { name: 'none', params: { variable: 'heart_rate' } };
      // @ts-expect-error not a trigger name
      const unknownName: TriggerSpec = { name: 'rare', params: {} };

      resolveTrigger('rare_value', { variable: 'heart_rate', hours: 2 });
      resolveTrigger('temporal_pattern', { shape: 'ramp', distance: 2 });
      // @ts-expect-error 'varible' is not a parameter of rare_value
      resolveTrigger('rare_value', { varible: 'heart_rate' });
      // @ts-expect-error value must be a number or null
      resolveTrigger('rare_value', { value: '220' });
      // @ts-expect-error missingness parameters given to rare_value
      resolveTrigger('rare_value', { variables: ['wbc'] });
      // @ts-expect-error 'sawtooth' is not a TemporalShape
      resolveTrigger('temporal_pattern', { shape: 'sawtooth' });
      // @ts-expect-error hybrid's nested rare parameters are checked too
      resolveTrigger('hybrid', { rare: { varible: 'heart_rate' } });

      const partialOk: TriggerInput = { name: 'pattern', params: { hours: 2 } };
      const nameOnly: TriggerInput = { name: 'correlation' };
      // @ts-expect-error pattern parameters under the correlation name
      const partialCrossed: TriggerInput = { name: 'correlation', params: { hours: 2 } };
      // @ts-expect-error a plain string is not a trigger name: resolve run-time names with resolveTrigger
      const loose: TriggerInput = { name: 'rare_value' as string };
      void [ok, okMissing, okNone, typo, incomplete, crossed, noneWithParams, unknownName, partialOk, nameOnly, partialCrossed, loose];
    };
    expect(typeof compileOnly).toBe('function');
  });
});
