import type { QueryProgressReport } from '../mimic/duckdb-session.js';
import type { PreparePhase, PrepareProgress } from './prepare-types.js';

/** Announces each phase of `prepare` to the caller's progress callback and adds up the seconds spent in it. */
export class PhaseClock {
  readonly seconds: Partial<Record<PreparePhase, number>> = {};
  private current: PreparePhase | undefined;
  private started = performance.now();

  constructor(private readonly progress: (event: PrepareProgress) => void) {}

  /** Ends the running phase (its time is added) and starts `name`. */
  start(name: PreparePhase, message: string): void {
    if (this.current) this.seconds[this.current] = (this.seconds[this.current] ?? 0) + (performance.now() - this.started) / 1000;
    this.current = name;
    this.started = performance.now();
    this.progress({ phase: name, message });
  }

  /** A DuckDB progress callback that reports as `name`. */
  queryProgress(name: PreparePhase, message: string): (report: QueryProgressReport) => void {
    // A tick every 0.5 s shows a long scan is alive; DuckDB's estimate through a gzip stream stays near
    // 0 %, so a percentage is passed on only once it says something.
    return (p) => this.progress({ phase: name, message, ...(p.percentage >= 1 ? { percentage: p.percentage } : {}) });
  }
}
