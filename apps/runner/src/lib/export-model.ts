import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CompatibilityError, DataError, InputError, writeFileAtomic } from '@ehr-backdoor/core';
import type { RunnerCode } from './error-codes.js';

/**
 * `ehr-backdoor export`: a run's trained model as ONNX, for onnxruntime, onnx2torch, Captum and ART.
 *
 *   checkpoint (every file checked against its sha256) ─▶ model ─▶ ONNX graph ─▶ RUN/model.onnx (atomic)
 *   [--verify] the run's dataset ─▶ clean test stays ─▶ onnxruntime-node ─▶ compared with predictions.arrow
 *
 * A checkpoint whose files do not match their hashes is refused before anything is written.
 */
export interface ExportOptions {
  /** A run directory (its `checkpoints/`), or give `checkpoint`. */
  readonly run?: string;
  /** RUN/checkpoints or one epoch directory in it. */
  readonly checkpoint?: string;
  /** Output file; default `model.onnx` in the run directory. */
  readonly out?: string;
  /** Run the exported model in onnxruntime-node on the run's clean test stays and compare with its predictions.arrow. */
  readonly verify?: boolean;
  /** The run's dataset, if it moved (with --verify). */
  readonly data?: string;
  readonly producerVersion?: string;
}

export interface ExportResult {
  readonly out: string;
  readonly bytes: number;
  readonly model: string;
  readonly inputShape: readonly number[];
  /** With --verify: stays compared and the largest |p(ONNX) − p(predictions.arrow)|. */
  readonly verified?: { readonly stays: number; readonly maxAbsDifference: number };
}

/** Tolerance of --verify: float32 rounding of the same computation in two runtimes. */
export const VERIFY_TOLERANCE = 1e-5;

/** The part of onnxruntime-node's API that --verify uses (the package is optional, so no import type). */
interface OnnxRuntime {
  readonly InferenceSession: {
    create(model: Uint8Array): Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string, { readonly data: unknown }>> }>;
  };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
}

export async function exportModel(options: ExportOptions): Promise<ExportResult> {
  if (!options.run && !options.checkpoint)
    throw new InputError<RunnerCode>('E_USAGE', 'Pass --run RUN (a run directory) or --checkpoint RUN/checkpoints[/epoch-NNNN].');
  const checkpoint = resolve(options.checkpoint ?? join(options.run!, 'checkpoints'));
  if (!existsSync(checkpoint))
    throw new InputError<RunnerCode>(
      'E_NO_CHECKPOINT',
      `${checkpoint} does not exist: the run has not trained yet, or --checkpoint points elsewhere.`,
    );
  const runDir = options.run ? resolve(options.run) : runDirOf(checkpoint);
  const out = resolve(options.out ?? (runDir ? join(runDir, 'model.onnx') : ''));
  if (!options.out && !runDir)
    throw new InputError<RunnerCode>('E_USAGE', `${checkpoint} is not inside a run's checkpoints/ directory; pass --out FILE.onnx.`);

  const train = await import('@ehr-backdoor/train');
  await train.selectBackend('cpu');
  // loadModel verifies every file against the checkpoint's manifest (DataError E_CHECKPOINT_CORRUPT).
  const model = await train.loadModel(checkpoint);
  try {
    const exported = train.exportOnnx(model, options.producerVersion ?? 'unknown');
    let verified: ExportResult['verified'];
    if (options.verify) {
      if (!runDir) throw new InputError<RunnerCode>('E_USAGE', '--verify compares with the run’s predictions.arrow: pass --run RUN.');
      verified = await verifyAgainstRun(runDir, exported.bytes, model, options.data);
    }
    // Written only after everything (including --verify) succeeded: a failed export leaves nothing behind.
    await writeFileAtomic(out, exported.bytes);
    return {
      out,
      bytes: exported.bytes.length,
      model: model.config.kind,
      inputShape: model.checkpointJson().network.inputShape,
      ...(verified ? { verified } : {}),
    };
  } finally {
    model.dispose();
  }
}

/** The run directory above a `checkpoints/` directory (or one of its epoch directories), if any. */
function runDirOf(checkpoint: string): string | undefined {
  if (basename(checkpoint) === 'checkpoints') return dirname(checkpoint);
  if (basename(dirname(checkpoint)) === 'checkpoints') return dirname(dirname(checkpoint));
  return undefined;
}

async function verifyAgainstRun(
  runDir: string,
  bytes: Uint8Array,
  model: import('@ehr-backdoor/train').TrainedModel,
  dataOverride?: string,
) {
  const { readCleanTestPredictions } = await import('./predictions.js');
  const predictionsPath = join(runDir, 'predictions.arrow');
  if (!existsSync(predictionsPath))
    throw new InputError<RunnerCode>('E_NO_PREDICTIONS', `${predictionsPath} does not exist: finish the run before --verify.`);
  const predictions = await readCleanTestPredictions(predictionsPath);
  const metadata = JSON.parse(await readFile(join(runDir, 'run_metadata.json'), 'utf8')) as {
    dataset: { path: string; contentHash: string };
    config: { targetLabel: number };
  };
  const { loadDataset } = await import('@ehr-backdoor/data');
  const dataset = await loadDataset(dataOverride ?? metadata.dataset.path);
  if (dataset.manifest.contentHash !== metadata.dataset.contentHash) {
    throw new CompatibilityError<RunnerCode>(
      'E_DATASET_MISMATCH',
      `The dataset at ${dataOverride ?? metadata.dataset.path} is not the one ${runDir} trained on; pass the original with --data.`,
    );
  }
  const rowOf = new Map(Array.from(dataset.stayIds, (id, row) => [id, row]));
  const rows = predictions.stayIds.map((id) => {
    const row = rowOf.get(id);
    if (row === undefined)
      throw new DataError<RunnerCode>('E_PREDICTIONS_CORRUPT', `${predictionsPath}: stay ${id} is not in the run's dataset.`);
    return row;
  });
  let ort: OnnxRuntime;
  try {
    // Optional: a user who only exports never needs it (onnxruntime-node@1.17.0 installs offline).
    const loaded = (await import(['onnxruntime', 'node'].join('-'))) as OnnxRuntime & { default?: OnnxRuntime };
    ort = loaded.default ?? loaded;
  } catch {
    throw new InputError<RunnerCode>(
      'E_ONNXRUNTIME_MISSING',
      '--verify runs the model in onnxruntime-node, which is not installed: `npm install onnxruntime-node@1.17.0` (later versions download their binaries at install time).',
    );
  }
  const x = model.prepareInputs(dataset, rows);
  const session = await ort.InferenceSession.create(bytes);
  const output = await session.run({ x: new ort.Tensor('float32', new Float32Array(x.dataSync() as Float32Array), x.shape) });
  x.dispose();
  const p = output.p.data as Float32Array;
  const target = metadata.config.targetLabel;
  let maxAbsDifference = 0;
  predictions.pTarget.forEach((expected, k) => {
    const pTarget = target === 1 ? p[k] : 1 - p[k];
    maxAbsDifference = Math.max(maxAbsDifference, Math.abs(pTarget - expected));
  });
  if (!(maxAbsDifference <= VERIFY_TOLERANCE)) {
    throw new DataError<RunnerCode>(
      'E_EXPORT_MISMATCH',
      `The exported model's p(target) differs from ${predictionsPath} by up to ${maxAbsDifference.toExponential(2)} (> ${VERIFY_TOLERANCE}) on the ${rows.length} clean test stays: the checkpoint is not the one the predictions came from (selection last vs best?), or this is a bug. Nothing was written.`,
    );
  }
  return { stays: rows.length, maxAbsDifference };
}
