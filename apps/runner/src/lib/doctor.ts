import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { arch, availableParallelism, platform } from 'node:os';
import { join } from 'node:path';
import { InputError } from '@ehr-backdoor/core';
import type { BackendInfo, BackendName, WasmSimdOps } from '@ehr-backdoor/train';
import type { RunnerCode } from './error-codes.js';

/**
 * `ehr-backdoor doctor`: which TensorFlow.js backends load on this machine, why the others do not, and
 * what each needs. Every backend is tried the way a run asks for it (`--backend NAME`), in `auto`'s
 * order, so the answer is the one a run would get; a GPU is looked for with `nvidia-smi`, and the CUDA
 * 11.2 runtime and cuDNN 8 libraries on the loader's path, because tfjs-node-gpu fails to load without
 * them with a message that names neither.
 */
export interface BackendReport {
  readonly name: BackendName;
  readonly loads: boolean;
  /** Why it does not load (the loader's own message). */
  readonly reason?: string;
  /** What it runs with when it loads (WASM: SIMD, the kernel fixes and the project's SIMD ops). */
  readonly detail?: string;
  /** What it needs to load. */
  readonly needs: string;
}

export interface DoctorReport {
  readonly node: string;
  readonly platform: string;
  readonly cores: number;
  readonly backends: readonly BackendReport[];
  /** What `--backend auto` takes here. */
  readonly auto: BackendName | undefined;
  readonly gpu: {
    /** `nvidia-smi -L` lines, or why there are none. */
    readonly devices: readonly string[];
    readonly devicesReason?: string;
    /** Where libcudart.so.11.0 and libcudnn.so.8 were found, if anywhere. */
    readonly cudaRuntime?: string;
    readonly cudnn?: string;
  };
}

/** libtensorflow 2.9.1 is what @tensorflow/tfjs-node(-gpu) 4.22 binds to, and TensorFlow 2.9 is built against CUDA 11.2 and cuDNN 8.1. */
export const BACKEND_NEEDS: Readonly<Record<BackendName, string>> = {
  'tensorflow-gpu':
    '@tensorflow/tfjs-node-gpu 4.22.0 (an optional dependency of @ehr-backdoor/train), whose install downloads libtensorflow 2.9.1 for GPU ' +
    'and the Node binding (or builds the binding); Linux x86_64, an NVIDIA driver ≥ 450.80.02, CUDA 11.2 and cuDNN 8.1 on the library path. See docs/gpu.md.',
  tensorflow:
    '@tensorflow/tfjs-node 4.22.0 (an optional dependency of @ehr-backdoor/train), whose install downloads libtensorflow 2.9.1 for CPU ' +
    'and the Node binding; Linux x86_64, macOS x86_64 or Windows x86_64. See docs/gpu.md.',
  wasm: '@tensorflow/tfjs-backend-wasm 4.22.0, installed with the project (its binaries ship in the package; nothing is downloaded); SIMD needs Node ≥ 16.4.',
  cpu: '@tensorflow/tfjs-backend-cpu 4.22.0, installed with the project; always available, 5–10× slower than WASM for the LSTM, TCN and TabTransformer.',
};

const ORDER: readonly BackendName[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export async function diagnose(): Promise<DoctorReport> {
  const { selectBackend, wasmSimdOps } = await import('@ehr-backdoor/train');
  const backends: BackendReport[] = [];
  for (const name of ORDER) {
    try {
      const info = await selectBackend(name);
      backends.push({
        name,
        loads: true,
        needs: BACKEND_NEEDS[name],
        ...(name === 'wasm' ? { detail: wasmDetail(info, wasmSimdOps()) } : {}),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // selectBackend's message: "Backend 'x' is unavailable: x: <reason>. Use --backend auto …"; keep the reason.
      const reason = message.match(/unavailable: [^:]+: (.*?)\. Use --backend/s)?.[1] ?? message;
      backends.push({ name, loads: false, reason, needs: BACKEND_NEEDS[name] });
    }
  }
  return {
    node: process.version,
    platform: `${platform()} ${arch()}`,
    cores: availableParallelism(),
    backends,
    auto: backends.find((b) => b.loads)?.name,
    gpu: probeGpu(),
  };
}

const on = (flag: boolean | undefined) => (flag ? 'on' : 'off');

function wasmDetail(info: BackendInfo, ops: WasmSimdOps | undefined): string {
  return (
    `SIMD ${on(info.wasmSimd)}; kernel fixes: transposed and batched matMul ${on(info.matMulTransposeFix)}, contiguous slices ${on(info.contiguousSliceFix)}, ` +
    `identity by reference ${on(info.identityByReference)}, strided transpose ${on(info.stridedTransposeFix)}` +
    `${info.kernelFixesSkipped ? ` (skipped: ${info.kernelFixesSkipped})` : ''}; ${simdOpsDetail(ops)}; one thread per process`
  );
}

/** The project's SIMD ops (train's wasm/simd-ops.ts): off ones make training slower, never different. */
function simdOpsDetail(ops: WasmSimdOps | undefined): string {
  if (!ops) return 'SIMD ops: none (they need the WASM backend of tfjs 4.22)';
  const names: Record<keyof WasmSimdOps, string> = {
    gemm: 'GEMM',
    batchedMatMul: 'batched matMul',
    lstmRecurrence: 'LSTM recurrence',
    causalConvolution: 'causal convolution',
    dropout: 'dropout',
    layerNorm: 'layer norm',
    softmaxGradient: 'softmax gradient',
    tokenEmbedding: 'token embedding',
    attention: 'attention',
  };
  const entries = Object.entries(names) as [keyof WasmSimdOps, string][];
  return `SIMD ops: ${entries.map(([key, label]) => `${label} ${on(ops[key])}`).join(', ')}`;
}

function probeGpu(): DoctorReport['gpu'] {
  const smi = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 10_000 });
  const devices = smi.status === 0 ? smi.stdout.split('\n').filter((l) => l.trim()) : [];
  const devicesReason =
    smi.error && (smi.error as NodeJS.ErrnoException).code === 'ENOENT'
      ? 'nvidia-smi not found (no NVIDIA driver installed)'
      : smi.status !== 0
        ? `nvidia-smi failed: ${(smi.stderr || smi.stdout || String(smi.error ?? '')).trim().split('\n')[0]}`
        : devices.length === 0
          ? 'nvidia-smi lists no GPU'
          : undefined;
  const cudaRuntime = findLibrary('libcudart.so.11.0');
  const cudnn = findLibrary('libcudnn.so.8');
  return { devices, ...(devicesReason ? { devicesReason } : {}), ...(cudaRuntime ? { cudaRuntime } : {}), ...(cudnn ? { cudnn } : {}) };
}

/** The first place the dynamic loader would find `file`: LD_LIBRARY_PATH, then the ldconfig cache. */
function findLibrary(file: string): string | undefined {
  for (const dir of (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)) {
    if (existsSync(join(dir, file))) return join(dir, file);
  }
  if (platform() !== 'linux') return undefined;
  const ldconfig = spawnSync('ldconfig', ['-p'], { encoding: 'utf8', timeout: 10_000 });
  const line = ldconfig.status === 0 ? ldconfig.stdout.split('\n').find((l) => l.trim().startsWith(`${file} `)) : undefined;
  if (line) return line.split('=>').pop()!.trim();
  // Common install prefixes that are not always in the cache.
  for (const dir of ['/usr/local/cuda-11.2/lib64', '/usr/local/cuda/lib64']) {
    if (existsSync(dir) && readdirSync(dir).includes(file)) return join(dir, file);
  }
  return undefined;
}

export function formatDoctor(report: DoctorReport): string {
  const lines = [`Node ${report.node} on ${report.platform}, ${report.cores} cores`, ''];
  for (const b of report.backends) {
    lines.push(
      `${b.loads ? '✓' : '✗'} ${b.name.padEnd(14)} ${b.loads ? `loads${b.detail ? ` (${b.detail})` : ''}` : `does not load: ${b.reason}`}`,
    );
    lines.push(`  ${' '.repeat(14)} needs: ${b.needs}`);
  }
  lines.push('', `--backend auto uses: ${report.auto ?? 'none'}`);
  const g = report.gpu;
  lines.push(`GPU: ${g.devices.length ? g.devices.join('; ') : g.devicesReason}`);
  lines.push(`CUDA 11 runtime (libcudart.so.11.0): ${g.cudaRuntime ?? 'not found'}; cuDNN 8 (libcudnn.so.8): ${g.cudnn ?? 'not found'}`);
  lines.push('Results are reproducible per backend: a run records its backend, and a resume on another is refused.');
  return lines.join('\n');
}

/** Throws when `name` does not load here, with its reason and what it needs. */
export function assertLoads(report: DoctorReport, name: BackendName): void {
  const b = report.backends.find((r) => r.name === name);
  if (b && !b.loads) {
    throw new InputError<RunnerCode>(
      'E_BACKEND_UNAVAILABLE',
      `Backend '${name}' does not load on this machine: ${b.reason}. It needs ${b.needs}`,
    );
  }
}
