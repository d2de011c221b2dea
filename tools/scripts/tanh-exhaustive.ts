/**
 * Checks the WebAssembly SIMD tanh of packages/train (wasm/tanh-simd.ts) against the WASM backend's
 * own Tanh kernel on all 2³² float32 bit patterns (NaNs included), in blocks of 2²² on the backend's
 * heap, and prints the number of inputs whose output bits differ (exit 1 if any):
 *
 *   nice -n 10 node --import ./tools/node/source-loader.js tools/scripts/tanh-exhaustive.ts [--blocks 1024]
 *
 * About two minutes on one core. The kernel is internal to the train package, so it is imported from
 * its source file rather than through the package's API.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '@ehr-backdoor/train';
import { tanhSimd } from '../../packages/train/src/lib/wasm/tanh-simd.js';

const BLOCK = 2 ** 22;
const at = process.argv.indexOf('--blocks');
const blocks = at > 0 ? Number(process.argv[at + 1]) : 2 ** 32 / BLOCK;

await selectBackend('wasm');
const backend = tf.backend() as BackendWasm;
const tanh = tanhSimd(backend);
if (!tanh) throw new Error('WebAssembly SIMD or the backend memory is not available');
const heap = () => (backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32.buffer;
const view = (info: tf.TensorInfo) => new Uint32Array(heap(), backend.typedArrayFromHeap(info).byteOffset, BLOCK);
const x = backend.makeOutput([BLOCK], 'float32');
const ours = backend.makeOutput([BLOCK], 'float32');

const started = Date.now();
let differing = 0;
const examples: string[] = [];
const hex = (bits: number) => `0x${bits.toString(16).padStart(8, '0')}`;
for (let b = 0; b < blocks; b++) {
  const first = b * BLOCK;
  const input = view(x);
  for (let i = 0; i < BLOCK; i++) input[i] = first + i;
  const stock = tf.getKernel(tf.Tanh, 'wasm')!.kernelFunc({ inputs: { x }, backend, attrs: {} }) as tf.TensorInfo;
  tanh(BLOCK, backend.typedArrayFromHeap(x).byteOffset, backend.typedArrayFromHeap(ours).byteOffset);
  const [want, got, bits] = [view(stock), view(ours), view(x)];
  for (let i = 0; i < BLOCK; i++)
    if (got[i] !== want[i]) {
      differing++;
      if (examples.length < 20) examples.push(`${hex(bits[i])}: ${hex(got[i])} ≠ ${hex(want[i])}`);
    }
  backend.disposeData(stock.dataId);
  if ((b + 1) % 64 === 0) console.log(`${b + 1}/${blocks} blocks, ${differing} differing, ${((Date.now() - started) / 1000).toFixed(0)} s`);
}
const checked = blocks * BLOCK;
console.log(
  `tanh-simd against the backend's Tanh kernel: ${checked} inputs checked, ${differing} differing bit patterns (${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
examples.forEach((e) => console.log(`  ${e}`));
process.exitCode = differing === 0 ? 0 : 1;
