import { BugError } from '@ehr-backdoor/core';
import { ProtoWriter } from './protobuf.js';

/**
 * A small ONNX graph builder (opset 13): float32 initializers, nodes with int/float/ints attributes,
 * named float inputs and outputs with symbolic batch size, serialised with {@link ProtoWriter}.
 */
export const ONNX_OPSET = 13;
const IR_VERSION = 7;
const FLOAT = 1;
const INT64 = 7;

type Attribute = number | readonly number[] | { readonly float: number };

interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

export class OnnxGraph {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: { name: string; dims: readonly number[]; data: Float32Array | BigInt64Array }[] = [];
  private readonly inputs: { name: string; dims: readonly (number | string)[] }[] = [];
  private readonly outputs: { name: string; dims: readonly (number | string)[] }[] = [];
  private counter = 0;

  constructor(readonly name: string) {}

  /** A fresh value name. */
  fresh(stem: string): string {
    return `${stem}_${this.counter++}`;
  }

  input(name: string, dims: readonly (number | string)[]): string {
    this.inputs.push({ name, dims });
    return name;
  }

  output(name: string, dims: readonly (number | string)[]): void {
    this.outputs.push({ name, dims });
  }

  constant(name: string, dims: readonly number[], data: Float32Array): string {
    if (data.length !== dims.reduce((a, b) => a * b, 1))
      throw new BugError(`initializer ${name}: ${data.length} values for shape [${dims.join(', ')}]; this is a bug.`);
    const unique = this.fresh(name);
    this.initializers.push({ name: unique, dims, data });
    return unique;
  }

  /** An int64 vector initializer (shapes, axes, pads, slice bounds). */
  ints(name: string, values: readonly number[]): string {
    const unique = this.fresh(name);
    this.initializers.push({ name: unique, dims: [values.length], data: BigInt64Array.from(values.map((v) => BigInt(v))) });
    return unique;
  }

  /** Adds a node; returns its (first) output name. */
  op(op: string, inputs: readonly string[], attributes: Readonly<Record<string, Attribute>> = {}, outputs = 1): string {
    const names = Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()));
    this.nodes.push({ op, inputs, outputs: names, attributes });
    return names[0];
  }

  /** Adds a node with several outputs; returns them all. */
  opN(op: string, inputs: readonly string[], outputs: number, attributes: Readonly<Record<string, Attribute>> = {}): string[] {
    const names = Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()));
    this.nodes.push({ op, inputs, outputs: names, attributes });
    return names;
  }

  /** Renames the value `from` to the graph output `to` (an Identity node). */
  alias(from: string, to: string): void {
    this.nodes.push({ op: 'Identity', inputs: [from], outputs: [to], attributes: {} });
  }

  serialise(metadata: Readonly<Record<string, string>>, producer: { name: string; version: string }): Uint8Array {
    const w = new ProtoWriter();
    w.int(1, IR_VERSION);
    w.string(2, producer.name);
    w.string(3, producer.version);
    w.message(7, (g) => {
      for (const [i, n] of this.nodes.entries()) {
        g.message(1, (nw) => {
          for (const input of n.inputs) nw.string(1, input);
          for (const output of n.outputs) nw.string(2, output);
          nw.string(3, `${n.op}_${i}`);
          nw.string(4, n.op);
          for (const [name, value] of Object.entries(n.attributes)) {
            nw.message(5, (a) => {
              a.string(1, name);
              if (typeof value === 'number') a.int(3, value).int(20, 2);
              else if (Array.isArray(value)) {
                for (const v of value as readonly number[]) a.int(8, v);
                a.int(20, 7);
              } else a.float(2, (value as { float: number }).float).int(20, 1);
            });
          }
        });
      }
      g.string(2, this.name);
      for (const t of this.initializers) {
        g.message(5, (tw) => {
          for (const d of t.dims) tw.int(1, d);
          tw.int(2, t.data instanceof Float32Array ? FLOAT : INT64);
          tw.string(8, t.name);
          tw.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        });
      }
      const valueInfo = (field: number, v: { name: string; dims: readonly (number | string)[] }) =>
        g.message(field, (vw) => {
          vw.string(1, v.name);
          vw.message(2, (tp) =>
            tp.message(1, (tt) => {
              tt.int(1, FLOAT);
              tt.message(2, (shape) => {
                for (const d of v.dims) shape.message(1, (dim) => (typeof d === 'number' ? dim.int(1, d) : dim.string(2, d)));
              });
            }),
          );
        });
      for (const v of this.inputs) valueInfo(11, v);
      for (const v of this.outputs) valueInfo(12, v);
    });
    w.message(8, (o) => o.string(1, '').int(2, ONNX_OPSET));
    for (const [key, value] of Object.entries(metadata)) w.message(14, (m) => m.string(1, key).string(2, value));
    return w.finish();
  }
}
