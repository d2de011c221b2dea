import { CLINICAL_VARIABLES } from '../variables.js';
import { ABP, GCS, GLUCOSE_FS, HEIGHT, HR, LABS, NBP, RR, RR_TOTAL, SPO2, TEMP_C, TEMP_F, FIO2, WEIGHT, plausibleHigh } from './items.js';

describe('synthetic items', () => {
  const charts = [HR, ...ABP, ...NBP, RR, RR_TOTAL, SPO2, TEMP_F, TEMP_C, FIO2, GLUCOSE_FS, WEIGHT, HEIGHT, ...GCS];

  it("take their entry-error bound from their clinical variable's plausible range", () => {
    for (const item of [...charts, ...Object.values(LABS)]) {
      const variable = CLINICAL_VARIABLES.find((v) => v.itemids.includes(item.itemid));
      expect(variable).toBeDefined();
      if (item.uom !== '°F') expect(item.plausibleHigh).toBe(variable?.plausible[1]);
    }
  });

  it('convert the bound of an item charted in °F from the variable’s °C', () => {
    expect(TEMP_F.plausibleHigh).toBe(113);
    expect(TEMP_C.plausibleHigh).toBe(45);
    expect(plausibleHigh(223761, '°F')).toBe(113);
  });

  it('keep the bounds the generator has always used (the table it once repeated by hand)', () => {
    const byKey = Object.fromEntries([...charts, ...Object.values(LABS)].filter((c) => c !== TEMP_C).map((c) => [c.item.key, c.plausibleHigh]));
    expect(byKey).toMatchObject({
      heart_rate: 300, abp_sys: 300, abp_dia: 250, abp_mean: 300, nbp_sys: 300, nbp_dia: 250, nbp_mean: 300,
      resp_rate: 80, spo2: 100, temperature_f: 113, fio2: 100, glucose_fingerstick: 2000, weight: 400, height: 250,
      creatinine: 30, glucose: 2000, sodium: 200, potassium: 12, chloride: 180, bicarbonate: 60, bun: 300,
      hemoglobin: 25, hematocrit: 75, wbc: 500, platelets: 2000, lactate: 30, ph: 8, po2: 700, pco2: 200,
      bilirubin: 70, albumin: 7, inr: 20, anion_gap: 60, calcium: 20, magnesium: 10, phosphate: 20,
    });
  });

  it('refuse an itemid no clinical variable reads', () => {
    expect(() => plausibleHigh(1, '')).toThrow(expect.objectContaining({ name: 'BugError' }));
  });
});
