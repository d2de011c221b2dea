import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import type { BackendName } from '@ehr-backdoor/train';
import { BACKEND_CHOICES } from '@ehr-backdoor/train/names';

interface DoctorArgs {
  json: boolean;
  require?: string;
}

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor',
  describe: 'Report which TensorFlow.js backends load on this machine, why the others do not, and what each needs (GPU readiness).',
  builder: (yargs: Argv) =>
    yargs
      .option('json', { type: 'boolean', default: false, describe: 'Print the report as JSON.' })
      .option('require', {
        type: 'string',
        choices: BACKEND_CHOICES.filter((c) => c !== 'auto'),
        describe: 'Exit 2 (E_BACKEND_UNAVAILABLE) unless this backend loads.',
      })
      .example('$0 doctor', 'Which backends load here and why the others do not.')
      .example('$0 doctor --require tensorflow-gpu', 'In a GPU job script: stop before the sweep if tfjs-node-gpu cannot use the GPU.')
      .example('$0 doctor --json > doctor.json', 'The same report, machine-readable.'),
  handler: async (args: ArgumentsCamelCase<DoctorArgs>) => {
    const { assertLoads, diagnose, formatDoctor } = await import('../lib/doctor.js');
    const report = await diagnose();
    process.stdout.write((args.json ? JSON.stringify(report, null, 2) : formatDoctor(report)) + '\n');
    if (args.require) assertLoads(report, args.require as BackendName);
  },
};
