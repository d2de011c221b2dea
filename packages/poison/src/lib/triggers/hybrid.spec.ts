import { handMadeDataset } from '../testing/fixtures.js';
import { applyTriggerToTimeSeries } from './apply.js';

describe('hybrid', () => {
  const ds = handMadeDataset();

  it('checks its rare variable against the dataset before it looks for an in-range value of it', () => {
    // sbp is in neither view of the hand-made dataset: the error says so (not that it has no training values).
    expect(() =>
      applyTriggerToTimeSeries(
        ds,
        { name: 'hybrid', params: { rare: { variable: 'sbp', inRange: true }, missing: { variables: ['resp_rate'] } } },
        [0],
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'E_VARIABLE_NOT_IN_DATASET',
        message: expect.stringMatching(/^Trigger 'hybrid': the dataset has no time-series channels for 'sbp'/),
      }),
    );
  });
});
