import type { LabelDefinition } from '@ehr-backdoor/data';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';

interface PrepareArgs {
  mimic: string;
  out: string;
  'window-hours': number;
  label: string;
  seed: number;
  'memory-limit': string;
  threads?: number;
  'temp-dir'?: string;
  'verify-gzip': boolean;
}

/**
 * `ehr-backdoor prepare`: a MIMIC-IV directory to an ICU-mortality Arrow dataset. Progress goes to
 * stderr; the cohort flow and split sizes go to stdout, so `> summary.txt` keeps just the result.
 */
export const prepareCommand: CommandModule<object, PrepareArgs> = {
  command: 'prepare',
  describe: 'Build an ICU-mortality dataset (Arrow files + manifest) from a MIMIC-IV directory (hosp/ + icu/).',
  builder: (yargs: Argv) =>
    yargs
      .option('mimic', {
        type: 'string',
        demandOption: true,
        describe: 'MIMIC-IV root holding hosp/ and icu/ (.csv.gz or .csv), release 2.2 or 3.x.',
      })
      .option('out', { type: 'string', demandOption: true, describe: 'Dataset directory to create (must not exist).' })
      .option('window-hours', { type: 'number', default: 24, describe: 'Observation window from ICU admission, in whole hours.' })
      .option('label', {
        type: 'string',
        default: 'hospital_mortality',
        describe:
          "The label: hospital_mortality (admissions.hospital_expire_flag) or icu_mortality (death between ICU intime and outtime, YAIB's task).",
      })
      .option('seed', { type: 'number', default: 0, describe: 'Seed of the patient-level train/val/test split.' })
      .option('memory-limit', {
        type: 'string',
        default: '2GB',
        describe: "DuckDB memory limit (e.g. '2GB'); larger intermediates spill to disk.",
      })
      .option('threads', { type: 'number', describe: 'DuckDB threads (default: cores, at most 4).' })
      .option('temp-dir', { type: 'string', describe: 'Where DuckDB spills (default: next to --out, removed afterwards).' })
      .option('verify-gzip', {
        type: 'boolean',
        default: true,
        describe: 'Check every .csv.gz CRC (catches truncated downloads); --no-verify-gzip skips it if you ran sha256sum -c.',
      })
      .example('$0 prepare --mimic datasets/mimic-iv-demo --out runs/data/demo', 'Prepare the bundled MIMIC-IV demo.')
      .example(
        '$0 prepare --mimic datasets/mimic-iv-demo --out runs/data/demo-icu --label icu_mortality',
        'The same cohort labelled with ICU mortality.',
      ),
  handler: async (args: ArgumentsCamelCase<PrepareArgs>) => {
    const { prepareDataset } = await import('@ehr-backdoor/data');
    const started = performance.now();
    let lastKey = '';
    let lastDecile = -1;
    const prepared = prepareDataset({
      mimicDir: args.mimic,
      outDir: args.out,
      windowHours: args['window-hours'],
      // Any string: prepareDataset checks it against LABEL_DEFINITIONS and names the choices (exit 2).
      labelDefinition: args.label as LabelDefinition,
      seed: args.seed,
      memoryLimit: args['memory-limit'],
      threads: args.threads,
      tempDir: args['temp-dir'],
      verifyGzip: args['verify-gzip'],
      onProgress: ({ phase, message, percentage }) => {
        const elapsed = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
        const key = `${phase} ${message}`;
        const line = `[prepare ${elapsed} s] ${phase.padEnd(11)} ${message}${percentage === undefined ? '' : ` ${percentage.toFixed(0)}%`}`;
        if (process.stderr.isTTY) {
          // One line per phase, rewritten in place as DuckDB reports how far a scan is.
          process.stderr.write(`${key === lastKey ? '\r\x1b[2K' : lastKey ? '\n' : ''}${line}`);
        } else {
          // In logs: a line per phase and per tenth of a long scan, not one per progress tick.
          const decile = percentage === undefined ? -1 : Math.floor(percentage / 10);
          if (key !== lastKey || decile > lastDecile) process.stderr.write(`${line}\n`);
          lastDecile = key === lastKey ? Math.max(lastDecile, decile) : decile;
        }
        lastKey = key;
      },
    });
    // End the in-place progress line, also when prepare fails (the error then starts on its own line).
    const result = await prepared.finally(() => {
      if (process.stderr.isTTY && lastKey) process.stderr.write('\n');
    });
    const { manifest } = result;
    const out: string[] = [];
    out.push(`Dataset: ${result.outDir}`);
    out.push(
      `Source: ${manifest.source.path} (MIMIC-IV ${manifest.source.mimicVersion}), window ${manifest.windowHours} h, seed ${manifest.seed}`,
    );
    const label = manifest.labelDefinition ?? 'hospital_mortality';
    out.push(
      `Label: ${label === 'icu_mortality' ? 'ICU mortality (death between ICU intime and outtime)' : 'in-hospital mortality (hospital_expire_flag)'}`,
    );
    out.push('Cohort flow:');
    for (const step of manifest.cohort.steps) out.push(`  ${String(step.remaining).padStart(8)}  ${step.name}`);
    out.push(
      `Cohort: ${manifest.cohort.stays} stays, ${manifest.cohort.positives} ${label === 'icu_mortality' ? 'ICU' : 'in-hospital'} deaths (${((100 * manifest.cohort.positives) / manifest.cohort.stays).toFixed(1)} %)`,
    );
    out.push('Splits:      stays  deaths  patients');
    for (const name of ['train', 'val', 'test'] as const) {
      const s = manifest.splits[name];
      out.push(`  ${name.padEnd(6)} ${String(s.stays).padStart(8)} ${String(s.positives).padStart(7)} ${String(s.subjects).padStart(9)}`);
    }
    const dropped = Object.entries(manifest.outOfRange).filter(([, count]) => count > 0);
    if (dropped.length > 0) out.push(`Out-of-range values dropped: ${dropped.map(([name, count]) => `${name} ${count}`).join(', ')}`);
    for (const warning of manifest.warnings ?? []) out.push(`warning: ${warning}`);
    out.push(`Content hash: ${manifest.contentHash}`);
    process.stdout.write(out.join('\n') + '\n');
  },
};
