import fc from 'fast-check';
import { handMadeDataset, channelSeries } from '../testing/fixtures.js';
import { applyTriggerToTabular, applyTriggerToTimeSeries } from './apply.js';
import { scaleComponent } from './frequency-domain.js';

/** Textbook DFT → scale X[k] and X[L−k] → inverse DFT, as an independent reference. */
function reference(x: number[], k: number, factor: number): number[] {
  const L = x.length;
  const X = Array.from({ length: L }, (_, m) => {
    let re = 0;
    let im = 0;
    x.forEach((v, n) => {
      re += v * Math.cos((2 * Math.PI * m * n) / L);
      im -= v * Math.sin((2 * Math.PI * m * n) / L);
    });
    return [re, im];
  });
  for (const m of new Set([k, (L - k) % L])) X[m] = [X[m][0] * factor, X[m][1] * factor];
  return x.map(
    (_, n) => X.reduce((s, [re, im], m) => s + re * Math.cos((2 * Math.PI * m * n) / L) - im * Math.sin((2 * Math.PI * m * n) / L), 0) / L,
  );
}

describe('frequency_domain', () => {
  const ds = handMadeDataset();

  it('scaleComponent equals DFT → scale → inverse DFT', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 24 }),
        fc.nat(),
        fc.double({ min: -3, max: 3, noNaN: true }),
        (x, kRaw, factor) => {
          const k = kRaw % (Math.floor(x.length / 2) + 1);
          const z = Float64Array.from(x);
          scaleComponent(z, k, factor);
          reference(x, k, factor).forEach((v, n) => expect(z[n]).toBeCloseTo(v, 8));
        },
      ),
    );
  });

  it('time series: one component of the standardised channel, written to observed hours only', () => {
    const { values, mask } = applyTriggerToTimeSeries(
      ds,
      { name: 'frequency_domain', params: { component: 1, factor: 2, channels: ['heart_rate'] } },
      [0, 1],
    );
    const { mean, std } = ds.manifest.normalisation.timeSeries;
    const expectStay = (row: number, raw: number[]) => {
      const z = reference(
        raw.map((x) => (x - mean[0]) / std[0]),
        1,
        2,
      ).map((v) => Math.fround(mean[0] + std[0] * v));
      return { z, got: channelSeries(ds, values, mask, row, 'heart_rate') };
    };
    const s1 = expectStay(1, [100, 110, 120, 130]);
    s1.got.values.forEach((v, t) => expect(v).toBeCloseTo(s1.z[t], 3));
    // Stay 0: hours 0 and 2 observed; 1 and 3 carry the new values forward.
    const s0 = expectStay(0, [80, 80, 90, 90]);
    expect(s0.got.mask).toEqual([1, 0, 1, 0]);
    expect(s0.got.values[0]).toBeCloseTo(s0.z[0], 3);
    expect(s0.got.values[2]).toBeCloseTo(s0.z[2], 3);
    expect(s0.got.values[1]).toBe(s0.got.values[0]);
    expect(s0.got.values[3]).toBe(s0.got.values[2]);
  });

  it('factor 1 changes nothing; tabular keeps NaN, counts and statics', () => {
    const same = applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { factor: 1, component: 1 } }, [0, 1, 2]);
    Array.from(same.values).forEach((v, i) => expect(v).toBeCloseTo(ds.timeSeries.values[i], 3));
    const tab = applyTriggerToTabular(ds, { name: 'frequency_domain', params: { component: 1 } }, [2]);
    const F = ds.tabular.features.length;
    ds.tabular.features.forEach((f, j) => {
      const before = ds.tabular.values[2 * F + j];
      const after = tab.values[2 * F + j];
      if (Number.isNaN(before)) expect(after).toBeNaN();
      if (f.stat === 'count' || f.stat === 'static') expect(after).toBe(before);
    });
    expect(tab.stealth.changedValues).toBeGreaterThan(0);
  });

  it('rejects a component above half the signal length', () => {
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { component: 3 } }, [0])).toThrow(
      expect.objectContaining({ code: 'E_TRIGGER_PARAMS' }),
    );
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { channels: ['pulse'] } }, [0])).toThrow(
      expect.objectContaining({ code: 'E_UNKNOWN_VARIABLE' }),
    );
    expect(() => applyTriggerToTimeSeries(ds, { name: 'frequency_domain', params: { channels: ['lactate'] } }, [0])).toThrow(
      expect.objectContaining({ code: 'E_VARIABLE_NOT_IN_DATASET' }),
    );
  });
});
