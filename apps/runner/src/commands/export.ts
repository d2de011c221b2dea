import type { CommandModule } from 'yargs';

interface ExportArgs {
  run?: string;
  checkpoint?: string;
  out?: string;
  verify: boolean;
  data?: string;
  json: boolean;
}

export const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export',
  describe: "Export a run's trained model to ONNX (every model kind) for onnxruntime, PyTorch (onnx2torch), Captum and ART.",
  builder: (y) =>
    y
      .option('run', { type: 'string', describe: 'Run directory RUNS/{model}/{trigger}/{rate}/seed_{seed} (its checkpoints/).' })
      .option('checkpoint', {
        type: 'string',
        describe: 'RUN/checkpoints, or one epoch directory in it (default: the epoch the run selected).',
      })
      .option('out', { type: 'string', describe: 'Output file (default: RUN/model.onnx).' })
      .option('verify', {
        type: 'boolean',
        default: false,
        describe:
          "Run the exported model in onnxruntime-node on the run's clean test stays and require p(target) within 1e-5 of predictions.arrow.",
      })
      .option('data', { type: 'string', describe: "The run's dataset, if it moved (with --verify; checked by content hash)." })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON.' })
      .example('$0 export --run runs/default/lstm/temporal_pattern/0.05/seed_0', 'writes RUN/model.onnx')
      .example('$0 export --run RUN --verify', 'and checks it against the run’s own predictions in onnxruntime')
      .example('$0 export --checkpoint RUN/checkpoints/epoch-0003 --out lstm-epoch3.onnx', 'another epoch')
      .epilogue(
        'Input "x": [batch, ...the model\'s input shape], normalised as the runner does (the means, standard deviations and layout are in the model\'s metadata_props); ' +
          'outputs "logit" and "p" (class 1, death), [batch]. Exit codes: 0 written; 2 bad options or missing checkpoint; 3 a checkpoint file that does not match its hash, ' +
          'an unreadable predictions.arrow or a --verify mismatch (nothing written); 4 another dataset.',
      ),
  handler: async (args) => {
    const { exportModel } = await import('../lib/export-model.js');
    const { collectVersions } = await import('../lib/versions.js');
    const result = await exportModel({ ...args, producerVersion: (await collectVersions())['@ehr-backdoor/train'] ?? 'unknown' });
    if (args.json) {
      process.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return;
    }
    process.stdout.write(
      `wrote ${result.out} (${result.model}, input [batch, ${result.inputShape.join(', ')}], ${(result.bytes / 1024).toFixed(0)} KiB)\n`,
    );
    if (result.verified)
      process.stdout.write(
        `verified in onnxruntime: ${result.verified.stays} clean test stays, max |Δp| = ${result.verified.maxAbsDifference.toExponential(2)}\n`,
      );
  },
};
