import { BACKEND_NEEDS, assertLoads, formatDoctor, type DoctorReport } from './doctor.js';

const report: DoctorReport = {
  node: 'v20.0.0',
  platform: 'linux x64',
  cores: 2,
  backends: [
    {
      name: 'tensorflow-gpu',
      loads: false,
      reason: 'libcudart.so.11.0: cannot open shared object file',
      needs: BACKEND_NEEDS['tensorflow-gpu'],
    },
    { name: 'tensorflow', loads: true, needs: BACKEND_NEEDS.tensorflow },
    { name: 'wasm', loads: true, detail: 'SIMD on', needs: BACKEND_NEEDS.wasm },
    { name: 'cpu', loads: true, needs: BACKEND_NEEDS.cpu },
  ],
  auto: 'tensorflow',
  gpu: { devices: ['GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-x)'], cudnn: '/usr/lib/x86_64-linux-gnu/libcudnn.so.8' },
};

describe('doctor', () => {
  it('says for each backend whether it loads, why not, and what it needs', () => {
    const text = formatDoctor(report);
    expect(text).toContain('✗ tensorflow-gpu does not load: libcudart.so.11.0: cannot open shared object file');
    expect(text).toContain('✓ wasm           loads (SIMD on)');
    expect(text).toContain('--backend auto uses: tensorflow');
    expect(text).toContain('GPU: GPU 0: NVIDIA A100');
    expect(text).toContain(
      'CUDA 11 runtime (libcudart.so.11.0): not found; cuDNN 8 (libcudnn.so.8): /usr/lib/x86_64-linux-gnu/libcudnn.so.8',
    );
  });

  it('names the versions tfjs-node-gpu 4.22 needs', () => {
    expect(BACKEND_NEEDS['tensorflow-gpu']).toMatch(/4\.22\.0.*libtensorflow 2\.9\.1.*CUDA 11\.2.*cuDNN 8\.1/);
    expect(BACKEND_NEEDS.tensorflow).toMatch(/libtensorflow 2\.9\.1/);
  });

  it('refuses a required backend that does not load, with its reason, and accepts one that does', () => {
    expect(() => assertLoads(report, 'tensorflow-gpu')).toThrow(
      expect.objectContaining({ code: 'E_BACKEND_UNAVAILABLE', message: expect.stringContaining('libcudart.so.11.0') }),
    );
    expect(() => assertLoads(report, 'wasm')).not.toThrow();
  });
});
