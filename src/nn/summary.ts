// model.summary(): the module tree with each module's description, its own parameters (names,
// shapes, counts) and the totals, like torchinfo or Keras's summary. Written against the shape of
// a module (children, parameters, toString), not Module itself, so module.ts can call it without
// an import cycle.
import type { Tensor } from '../tensor.js';
import { formatShape } from '../shape.js';

/** What summary() reads from a module. */
export interface SummarySource {
  namedChildren(): [string, SummarySource][];
  namedParameters(prefix?: string): [string, Tensor][];
}

export interface SummaryParameter {
  name: string;
  shape: number[];
  count: number;
}

export interface SummaryRow {
  /** The state-dict path ('' for the root, 'blocks.0.gru', ...). */
  path: string;
  depth: number;
  /** The class name. */
  className: string;
  /** The module's toString() (its class name when it has none of its own). */
  description: string;
  /** Its own parameters (not its children's). */
  parameters: SummaryParameter[];
  /** Parameters of this module and everything under it. */
  count: number;
}

export interface ModelSummary {
  rows: SummaryRow[];
  /** Distinct parameters (a tensor shared by two modules counts once). */
  totalParameters: number;
  /** Of those, the ones that require grad. */
  trainableParameters: number;
  /** float32 bytes of the parameters. */
  bytes: number;
}

function describe(m: SummarySource): string {
  const s = String(m);
  return s.startsWith('[object ') ? m.constructor.name : s;
}

/** The structured summary of a module tree. */
export function summarize(root: SummarySource): ModelSummary {
  const rows: SummaryRow[] = [];
  const visit = (m: SummarySource, path: string, depth: number): void => {
    const parameters = m.namedParameters().filter(([name]) => !name.includes('.'))
      .map(([name, p]) => ({ name, shape: [...p.shape], count: p.numel }));
    rows.push({ path, depth, className: m.constructor.name, description: describe(m), parameters,
      count: m.namedParameters().reduce((n, [, p]) => n + p.numel, 0) });
    for (const [name, child] of m.namedChildren()) visit(child, path ? `${path}.${name}` : name, depth + 1);
  };
  visit(root, '', 0);
  const distinct = new Set(root.namedParameters().map(([, p]) => p));
  let total = 0, trainable = 0;
  for (const p of distinct) {
    total += p.numel;
    if (p.requiresGrad) trainable += p.numel;
  }
  return { rows, totalParameters: total, trainableParameters: trainable, bytes: total * 4 };
}

const group = (n: number): string => n.toLocaleString('en-US');

/** The summary as a table: one line per module (indented by depth), its parameters, the totals. */
export function formatSummary(s: ModelSummary): string {
  const lines = s.rows.map((r) => {
    const name = r.depth === 0 ? r.description : `${'  '.repeat(r.depth)}${r.path.slice(r.path.lastIndexOf('.') + 1)}: ${r.description}`;
    const own = r.parameters.map((p) => `${p.name} ${formatShape(p.shape)}`).join(', ');
    return [name, own, group(r.count)];
  });
  const header = ['Module', 'Parameters (own)', 'Count'];
  const widths = [0, 1].map((i) => lines.reduce((m, l) => Math.max(m, l[i].length), header[i].length));
  const countWidth = lines.reduce((m, l) => Math.max(m, l[2].length), header[2].length);
  const row = (l: string[]) => `${l[0].padEnd(widths[0])}  ${l[1].padEnd(widths[1])}  ${l[2].padStart(countWidth)}`.trimEnd();
  const rule = '-'.repeat(widths[0] + widths[1] + countWidth + 4);
  return [
    row(header), rule, ...lines.map(row), rule,
    `Total parameters: ${group(s.totalParameters)}`,
    `Trainable parameters: ${group(s.trainableParameters)}`,
    `Parameter memory: ${group(s.bytes)} bytes (float32)`,
  ].join('\n');
}
