import type { Argv, CommandModule } from 'yargs';

interface StudyFileArgs {
  file: string;
}

interface StudyRunArgs extends StudyFileArgs {
  out?: string;
  workers?: number;
  'replace-changed': boolean;
  'leave-held': boolean;
  'dry-run'?: boolean;
  wait?: boolean;
}

const fileArgument = <T>(y: Argv<T>) =>
  y.positional('file', {
    type: 'string',
    demandOption: true,
    describe: 'A study file, .yaml or .json (see studies/ and docs/studies.md).',
  }) as Argv<T & StudyFileArgs>;

const validateCommand: CommandModule<object, StudyFileArgs> = {
  command: 'validate <file>',
  describe: 'Check a study file against the schema and the packages; print its grid. Writes nothing.',
  builder: (y) =>
    fileArgument(y).example(
      '$0 study validate studies/example.yaml',
      'Exit 0 and a summary, or exit 2 and every problem with file:line:column.',
    ),
  handler: async (args) => {
    const { loadStudyFile } = await import('../lib/study/load.js');
    const { studyCells } = await import('../lib/study/cells.js');
    const study = await loadStudyFile(args.file);
    const cells = studyCells(study);
    process.stdout.write(
      `${args.file}: valid; ${cells.length} cells (${study.models.length} model variants, ${study.attacks.length} attack variants, ${study.rates.length} rates, ${study.seeds.length} seeds)\n`,
    );
    for (const attack of study.attacks) for (const pair of attack.leftOut) process.stdout.write(`  leaves out ${pair}\n`);
  },
};

const planCommand: CommandModule<object, StudyFileArgs & { out?: string; workers?: number }> = {
  command: 'plan <file>',
  describe: 'The cells of a study, how many are done in the runs folder, and the estimated cost of the rest.',
  builder: (y) =>
    fileArgument(y)
      .option('out', { type: 'string', describe: 'Runs folder (default: runs/{study file name}).' })
      .option('workers', { type: 'number', describe: "Workers to divide the estimate by (default: the executor's, or the cores)." })
      .example('$0 study plan studies/default.yaml', 'Cells per variant pair, done count, time left.'),
  handler: async (args) => {
    const { printStudyPlan } = await import('../lib/study/print-plan.js');
    await printStudyPlan(args.file, args);
  },
};

const runCommand: CommandModule<object, StudyRunArgs> = {
  command: 'run <file>',
  describe: 'Run every unfinished cell of a study, locally or on Slurm as its executor section says; resumable.',
  builder: (y) =>
    fileArgument(y)
      .option('out', { type: 'string', describe: 'Runs folder (default: runs/{study file name}).' })
      .option('workers', { type: 'number', describe: "Local worker processes (overrides the study's executor.workers; 0: one per core)." })
      .option('replace-changed', {
        type: 'boolean',
        default: false,
        describe: 'Delete and re-run the cells whose configuration changed since they ran in this folder (default: refuse).',
      })
      .option('dry-run', { type: 'boolean', describe: 'Slurm executor: print the batch scripts, submit nothing.' })
      .option('wait', { type: 'boolean', describe: 'Slurm executor: wait for the arrays to end.' })
      .option('leave-held', {
        type: 'boolean',
        default: false,
        describe: 'A cell another live process holds (a second run, Slurm tasks on the same folder) is left to it instead of waited for.',
      })
      .example('$0 study run studies/example.yaml', 'Runs into runs/example/{model variant}/{attack variant}/{rate}/seed_{seed}/.')
      .example('$0 study run my-study.yaml --out runs/mine --workers 2', ''),
  handler: async (args) => {
    const { loadStudyFile } = await import('../lib/study/load.js');
    const { runStudy } = await import('../lib/study/run-study.js');
    const study = await loadStudyFile(args.file);
    await runStudy(study, {
      ...(args.out ? { out: args.out } : {}),
      ...(args.workers !== undefined ? { workers: args.workers } : {}),
      replaceChanged: args['replace-changed'],
      leaveHeld: args['leave-held'],
      slurm: { ...(args['dry-run'] ? { dryRun: true } : {}), ...(args.wait !== undefined ? { wait: args.wait } : {}) },
    });
  },
};

const schemaCommand: CommandModule<object, object> = {
  command: 'schema',
  describe: 'Print the JSON Schema of study files (also docs/study.schema.json).',
  builder: (y) => y.example('$0 study schema > study.schema.json', ''),
  handler: async () => {
    const { studyJsonSchema } = await import('../lib/study/schema.js');
    process.stdout.write(`${JSON.stringify(studyJsonSchema(), null, 2)}\n`);
  },
};

/** `study validate|plan|run|schema`: a whole study declared in one file (docs/studies.md). */
export const studyCommand: CommandModule<object, object> = {
  command: 'study <command>',
  describe: 'Validate, plan or run a study file (models × attacks × rates × seeds, with variants); print its schema.',
  builder: (y) =>
    y
      .command(validateCommand)
      .command(planCommand)
      .command(runCommand)
      .command(schemaCommand)
      .demandCommand(1, 'Name a study command: validate, plan, run or schema.'),
  handler: () => undefined,
};
