// What the task examples share besides data and training: the --device choice and the tables.
import * as rnam from '../../src/index.js';
import { MODEL_KINDS, modelUnavailableReason, type ModelKind } from './models.js';

/** The device of `--device wasm|webgpu|auto`, and for each model kind whether it runs there (null) or why not. */
export async function selectDevice(kind: string | undefined): Promise<{ device: rnam.Device; unavailable: Map<ModelKind, string | null> }> {
  if (kind !== undefined && kind !== 'wasm' && kind !== 'webgpu' && kind !== 'auto') {
    throw new Error(`--device must be wasm, webgpu or auto, got '${kind}'`);
  }
  let device: rnam.Device;
  try {
    device = await rnam.device((kind ?? 'wasm') as rnam.DeviceKind);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const unavailable = new Map<ModelKind, string | null>();
  for (const k of MODEL_KINDS) unavailable.set(k, await modelUnavailableReason(k, device));
  return { device, unavailable };
}

/** A Markdown table (right-aligned numbers), ready to print or paste. */
export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  const align = header.map((_, i) => (cells.every((r) => /^[-+0-9.e ±]+$|^-$|^skipped/.test(r[i] ?? '')) ? '---:' : '---'));
  return [line(header), line(align), ...cells.map(line)].join('\n');
}

/** A number for a table: 4 significant digits, exponent notation below 1e-3. */
export function fmt(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return v.toPrecision(4);
}
