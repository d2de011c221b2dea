import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * JSON with object keys sorted at every level, so the same config always hashes the same whatever
 * order its keys were written in. Non-finite numbers are spelled out instead of becoming null.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(normalise(value));
}

type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

/** Every ArrayBufferView but a DataView is a typed array (a DataView has no elements to list). */
const isTypedArray = (view: ArrayBufferView): view is TypedArray => !(view instanceof DataView);

function normalise(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) return { $number: String(value) };
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (Array.isArray(value)) return value.map(normalise);
  if (ArrayBuffer.isView(value)) return isTypedArray(value) ? Array.from<number | bigint, unknown>(value, (x) => normalise(x)) : [];
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = normalise(v);
    }
    return out;
  }
  return value;
}

/** Hex SHA-256 of a string (as UTF-8) or of bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Hex SHA-256 of {@link canonicalJson}: equal for values that differ only in key order or `undefined` keys.
 */
export function hashJson(value: unknown): string {
  return sha256(canonicalJson(value));
}

/** Hex SHA-256 of a file's bytes, streamed (large Arrow files are never held in memory whole). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
