import { createRequire } from 'node:module';
import { activeBackend, describeBackend, selectBackend } from './backend.js';

const installed = (pkg: string) => {
  try {
    createRequire(import.meta.url).resolve(pkg);
    return true;
  } catch {
    return false;
  }
};
// The optional node packages download libtensorflow when installed, so offline they are absent.
const offline = !installed('@tensorflow/tfjs-node') && !installed('@tensorflow/tfjs-node-gpu');

describe('selectBackend', () => {
  (offline ? it : it.skip)('falls back past the absent tfjs-node packages and says why', async () => {
    const info = await selectBackend('auto');
    expect(info.name).toBe('wasm');
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    expect(info.skipped[0].reason).toMatch(/tfjs-node-gpu.*not installed/);
    expect(info.wasmSimd).toBe(true);
    expect(info.matMulTransposeFix).toBe(true);
    expect(describeBackend(info)).toMatch(/backend wasm .*skipped tensorflow-gpu/);
  });

  it('switches to an explicit backend and rejects unavailable or unknown ones', async () => {
    expect((await selectBackend('cpu')).name).toBe('cpu');
    expect(activeBackend()?.name).toBe('cpu');
    if (offline) await expect(selectBackend('tensorflow')).rejects.toMatchObject({ code: 'E_BACKEND_UNAVAILABLE' });
    await expect(selectBackend('gpu' as never)).rejects.toMatchObject({ code: 'E_BACKEND' });
  });
});
