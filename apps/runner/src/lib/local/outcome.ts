import type { CellKey } from '../grid.js';

export interface CellOutcome {
  readonly index: number;
  readonly cell: CellKey;
  /** skipped: done before this sweep started · elsewhere: done meanwhile by another process · held: left to another process (--leave-held) */
  readonly status: 'done' | 'skipped' | 'failed' | 'elsewhere' | 'held';
  readonly seconds: number;
  readonly error?: string;
  /** The failure's `E_*` code, when it had one. */
  readonly code?: string;
}
