// The live charts, drawn with uPlot (canvas; setData redraws in about a millisecond): the loss
// curves and the shape function of every term as small multiples on one shared y scale.
import uPlot from 'uplot';
import type { ShapeCurve } from './protocol.js';

const TRAIN = '#2563eb', VALIDATION = '#ea580c', SHAPE = '#0f766e';
const axis = { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, font: '12px system-ui, sans-serif' };

export class LossChart {
  private readonly plot: uPlot;
  private epochs: number[] = [];
  private train: number[] = [];
  private validation: (number | null)[] = [];

  constructor(host: HTMLElement) {
    this.plot = new uPlot({
      width: host.clientWidth || 520, height: 250,
      scales: { x: { time: false } },
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      axes: [
        { ...axis, label: 'epoch', labelSize: 18, labelFont: '12px system-ui, sans-serif', incrs: [1, 2, 5, 10, 20, 50] },
        { ...axis, label: 'loss', labelSize: 18, labelFont: '12px system-ui, sans-serif', size: 56, values: (_u, ticks) => ticks.map(short) },
      ],
      series: [
        {},
        { label: 'train', stroke: TRAIN, width: 2, points: { show: true, size: 6, fill: TRAIN }, value: (_u, v) => (v == null ? '-' : short(v)) },
        { label: 'validation', stroke: VALIDATION, width: 2, points: { show: true, size: 6, fill: VALIDATION }, value: (_u, v) => (v == null ? '-' : short(v)) },
      ],
    }, [[], [], []], host);
    fitWidth(host, this.plot, 250);
  }

  reset(): void {
    this.epochs = [];
    this.train = [];
    this.validation = [];
    this.plot.setData([[], [], []]);
  }

  add(epoch: number, train: number, validation?: number): void {
    this.epochs.push(epoch);
    this.train.push(train);
    this.validation.push(validation ?? null);
    this.plot.setData([this.epochs, this.train, this.validation]);
  }
}

/** One small chart per term: each sample's contribution against (a summary of) its input, and the binned mean. */
export class ShapeGrid {
  private plots: uPlot[] = [];
  private names: string[] = [];

  constructor(private readonly host: HTMLElement) {}

  /** `xLabel`: what the x axis shows (the input summary and its units). */
  draw(shapes: ShapeCurve[], yLabel: string, xLabel: string): void {
    const key = [...shapes.map((s) => s.feature), xLabel];
    if (key.join('\n') !== this.names.join('\n')) this.rebuild(key);
    // One y range for all terms, so a flat (unused) term looks flat next to a strong one.
    let lo = Infinity, hi = -Infinity;
    for (const s of shapes) for (const c of s.contribution) { lo = Math.min(lo, c); hi = Math.max(hi, c); }
    const pad = (hi - lo) * 0.08 || 0.5;
    shapes.forEach((s, i) => {
      const p = this.plots[i];
      p.batch(() => {
        p.setScale('y', { min: lo - pad, max: hi + pad });
        p.setData(aligned(s), true);
        p.setScale('y', { min: lo - pad, max: hi + pad });
      });
    });
    this.host.setAttribute('aria-label', `shape functions of ${shapes.length} terms: ${yLabel} against each input`);
  }

  private rebuild(key: string[]): void {
    this.plots.forEach((p) => p.destroy());
    this.host.replaceChildren();
    this.names = key;
    const xLabel = key[key.length - 1];
    this.plots = key.slice(0, -1).map((name) => {
      const cell = document.createElement('figure');
      cell.className = 'shape';
      const caption = document.createElement('figcaption');
      caption.textContent = name;
      const canvas = document.createElement('div');
      cell.append(caption, canvas);
      this.host.append(cell);
      const small = { ...axis, font: '10px system-ui, sans-serif', size: 34, values: (_u: uPlot, ticks: number[]) => ticks.map(short) };
      const plot = new uPlot({
        width: Math.max(180, Math.floor(canvas.clientWidth) || 200), height: SHAPE_HEIGHT, legend: { show: false }, cursor: { show: false },
        scales: { x: { time: false }, y: { auto: false, range: (u) => [u.scales.y.min ?? -1, u.scales.y.max ?? 1] } },
        axes: [{ ...small, size: 28, label: xLabel, labelSize: 14, labelFont: '10.5px system-ui, sans-serif', labelGap: 0 }, small],
        series: [
          {},
          { stroke: 'transparent', paths: () => null, points: { show: true, space: 0, size: 3.5, width: 0, fill: 'rgba(100, 116, 139, 0.35)', stroke: 'rgba(100, 116, 139, 0.35)' } },
          { stroke: SHAPE, width: 2.25, spanGaps: true, points: { show: false } },
        ],
      }, [[], [], []], canvas);
      fitWidth(canvas, plot, SHAPE_HEIGHT);
      return plot;
    });
  }
}

const SHAPE_HEIGHT = 150;

/** The samples and the binned curve on one sorted x axis (uPlot's data shares x), gaps as null. */
function aligned(s: ShapeCurve): uPlot.AlignedData {
  const rows: [number, number | null, number | null][] = [
    ...s.x.map((x, i): [number, number | null, number | null] => [x, s.contribution[i], null]),
    ...s.curveX.map((x, i): [number, number | null, number | null] => [x, null, s.curve[i]]),
  ].sort((a, b) => a[0] - b[0]);
  return [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];
}

/** Numbers as a person reads them on an axis: 3 significant digits, no float noise. */
export function short(v: number | null | undefined): string {
  if (v == null || Number.isNaN(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000 || a < 0.001) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** Keeps a chart as wide as its box. */
function fitWidth(host: HTMLElement, plot: uPlot, height: number): void {
  new ResizeObserver(() => {
    const w = Math.floor(host.clientWidth);
    if (w > 0 && w !== plot.width) plot.setSize({ width: w, height });
  }).observe(host);
}
