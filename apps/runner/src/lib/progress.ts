import cliProgress from 'cli-progress';
import { cellId, type CellKey } from './grid.js';

/**
 * Sweep progress on stderr. On a terminal: an overall bar with ETA and one line per running cell
 * (epoch, validation AUROC). Elsewhere (CI, logs): one plain line per event, so logs stay readable.
 */
export interface CellProgress {
  cellStarted(index: number, cell: CellKey): void;
  cellProgress(index: number, cell: CellKey, update: { epoch?: number; epochs?: number; phase?: string; metric?: number }): void;
  cellFinished(index: number, cell: CellKey, status: 'done' | 'skipped' | 'failed' | 'elsewhere' | 'held', error?: string): void;
  stop(): void;
}

export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): CellProgress {
  return stream.isTTY ? new BarProgress(total, stream) : new LineProgress(total, stream);
}

class LineProgress implements CellProgress {
  private finished = 0;
  private readonly started = Date.now();
  constructor(
    private readonly total: number,
    private readonly stream: NodeJS.WritableStream,
  ) {}
  cellStarted(_index: number, cell: CellKey): void {
    this.stream.write(`[sweep] start  ${cellId(cell)}\n`);
  }
  cellProgress(): void {
    // Plain-text output reports starts and finishes only: one line per epoch would flood a log file.
  }
  cellFinished(_index: number, cell: CellKey, status: string, error?: string): void {
    this.finished++;
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = this.finished > 0 ? (elapsed / this.finished) * (this.total - this.finished) : NaN;
    this.stream.write(
      `[sweep] ${status.padEnd(7)} ${cellId(cell)}  (${this.finished}/${this.total}, ${elapsed.toFixed(0)} s, ETA ${Number.isFinite(eta) ? eta.toFixed(0) + ' s' : '?'})${error ? `  ${error}` : ''}\n`,
    );
  }
  stop(): void {
    // Nothing to tear down: every line was written whole.
  }
}

class BarProgress implements CellProgress {
  private readonly multibar: cliProgress.MultiBar;
  private readonly overall: cliProgress.SingleBar;
  private readonly lines = new Map<number, cliProgress.SingleBar>();
  private finished = 0;

  constructor(total: number, stream: NodeJS.WriteStream) {
    this.multibar = new cliProgress.MultiBar(
      { stream, clearOnComplete: false, hideCursor: true, format: ' {bar} {percentage}% | {value}/{total} {label} | ETA {eta_formatted}' },
      cliProgress.Presets.shades_classic,
    );
    this.overall = this.multibar.create(total, 0, { label: 'cells' });
  }
  cellStarted(index: number, cell: CellKey): void {
    const bar = this.multibar.create(1, 0, { label: cellId(cell) }, { format: '   {bar} {label} {status}' });
    bar.update(0, { status: 'starting' });
    this.lines.set(index, bar);
  }
  cellProgress(index: number, _cell: CellKey, update: { epoch?: number; epochs?: number; phase?: string; metric?: number }): void {
    const bar = this.lines.get(index);
    if (!bar) return;
    if (update.epochs) bar.setTotal(update.epochs);
    const status = [
      update.phase,
      update.epoch !== undefined ? `epoch ${update.epoch}/${update.epochs ?? '?'}` : '',
      update.metric !== undefined ? `val AUROC ${update.metric.toFixed(3)}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    bar.update(update.epoch ?? 0, { status });
  }
  cellFinished(index: number, cell: CellKey, status: string, error?: string): void {
    this.finished++;
    this.overall.update(this.finished);
    const bar = this.lines.get(index);
    if (bar) {
      this.multibar.remove(bar);
      this.lines.delete(index);
    }
    if (status === 'failed') this.multibar.log(`failed ${cellId(cell)}: ${error ?? ''}\n`);
  }
  stop(): void {
    this.multibar.stop();
  }
}
