import type { CommandModule } from 'yargs';
import { cellWorkerCommand } from './cell-worker.js';
import { detectCommand } from './detect.js';
import { doctorCommand } from './doctor.js';
import { evaluateCommand } from './evaluate.js';
import { explainCommand } from './explain.js';
import { exportCommand } from './export.js';
import { prepareCommand } from './prepare.js';
import { runCommand } from './run.js';
import { runCellCommand } from './run-cell.js';
import { statusCommand } from './status.js';
import { studyCommand } from './study.js';
import { sweepCommand } from './sweep.js';
import { synthCommand } from './synth.js';
import { triggersCommand } from './triggers.js';

/** Every command of the CLI, in the order `--help` lists them. Add one line per command module. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  synthCommand,
  prepareCommand,
  runCommand,
  sweepCommand,
  studyCommand,
  evaluateCommand,
  explainCommand,
  detectCommand,
  exportCommand,
  triggersCommand,
  statusCommand,
  doctorCommand,
  runCellCommand,
  cellWorkerCommand,
];
