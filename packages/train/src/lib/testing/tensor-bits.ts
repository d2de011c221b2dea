import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs-core';
import type { Random } from '@ehr-backdoor/core';

/** A float32 tensor's exact bits as one SHA-256: two tensors agree byte for byte iff their digests do. */
export function tensorBits(t: tf.Tensor): string {
  return createHash('sha256')
    .update(t.dataSync() as Float32Array)
    .digest('hex');
}

/** `n` standard normal draws of `rng` times `scale`, as float32: the operands of the byte-for-byte kernel specs. */
export function normalValues(rng: Random, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * scale);
}
