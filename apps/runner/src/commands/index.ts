import type { CommandModule } from 'yargs';
import { prepareCommand } from './prepare.js';

/** Every command of the CLI, in the order `--help` lists them. Add one line per command module. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  prepareCommand,
];
