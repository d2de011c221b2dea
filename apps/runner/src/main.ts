import yargs from 'yargs';
import { commands } from './commands/index.js';
import { handleErrors, InputError } from '@ehr-backdoor/core';
import { VERSION } from './version.js';

/**
 * `ehr-backdoor`: the study pipeline from the command line.
 *
 *   raw MIMIC-IV ──prepare──▶ Arrow dataset ──run/sweep──▶ poison ▶ train ▶ evaluate ──▶ run folders
 *   (or synth ─▶ synthetic MIMIC-IV in the real schema ─▶ prepare)
 *
 * Each command is a yargs CommandModule whose handler imports its implementation lazily, so
 * `--help` and light commands never load TensorFlow or DuckDB.
 */
export async function main(argv: string[]): Promise<void> {
  const verbose = argv.includes('--verbose');
  const exitCode = await handleErrors(verbose, async () => {
    const cli = yargs(argv)
      .scriptName('ehr-backdoor')
      .usage('$0 <command> [options]')
      .option('verbose', { type: 'boolean', default: false, describe: 'Print stack traces on errors.' })
      .strict()
      .demandCommand(1, 'Name a command.')
      .recommendCommands()
      .help()
      .version(VERSION)
      .wrap(Math.min(110, process.stdout.columns || 110))
      .fail((message, error) => {
        throw error ?? new UsageError(message);
      });
    for (const command of commands) cli.command(command);
    await cli.parseAsync();
  });
  process.exitCode = exitCode;
}

/** A command line yargs refused (an unknown flag, a missing command): bad input, exit 2. */
class UsageError extends InputError<'E_USAGE'> {
  constructor(message: string) {
    super('E_USAGE', `${message} (see \`ehr-backdoor --help\`)`);
  }
}
