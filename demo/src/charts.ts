// The live charts, drawn with uPlot (canvas; setData redraws in about a millisecond): the loss
// curves and the shape function of every term as small multiples on one shared y scale.
import uPlot from 'uplot';
import type { ShapeCurve } from './protocol.js';
import { drawBars } from './bars.js';
import { short, tickLabels } from './format.js';

export { short };

const TRAIN = '#2563eb', VALIDATION = '#ea580c', MEAN = '#9a3412', SHAPE = '#0f766e';
const axis = { stroke: '#475569', grid: { stroke: '#e2e8f0', width: 1 }, ticks: { stroke: '#cbd5e1', width: 1 }, font: '12px system-ui, sans-serif' };

export class LossChart {
  private readonly plot: uPlot;
  private epochs: number[] = [];
  private train: number[] = [];
  private validation: (number | null)[] = [];
  private mean: (number | null)[] = [];

  constructor(host: HTMLElement) {
    this.plot = new uPlot({
      width: host.clientWidth || 520, height: 250,
      scales: { x: { time: false } },
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
      axes: [
        { ...axis, label: 'epoch', labelSize: 18, labelFont: '12px system-ui, sans-serif', incrs: [1, 2, 5, 10, 20, 50] },
        { ...axis, label: 'loss', labelSize: 18, labelFont: '12px system-ui, sans-serif', size: 56, values: (_u, ticks) => tickLabels(ticks) },
      ],
      series: [
        {},
        { label: 'train', stroke: TRAIN, width: 2, points: { show: true, size: 6, fill: TRAIN }, value: (_u, v) => (v == null ? '-' : short(v)) },
        { label: 'validation', stroke: VALIDATION, width: 2, points: { show: true, size: 6, fill: VALIDATION }, value: (_u, v) => (v == null ? '-' : short(v)) },
        { label: 'validation, members\' mean', stroke: MEAN, width: 2, dash: [6, 4], points: { show: false }, value: (_u, v) => (v == null ? '-' : short(v)) },
      ],
    }, [[], [], [], []], host);
    fitWidth(host, this.plot, 250);
  }

  reset(): void {
    this.epochs = [];
    this.train = [];
    this.validation = [];
    this.mean = [];
    this.plot.setData([[], [], [], []]);
  }

  /** One epoch: member 1's (or the only model's) losses, and an ensemble's mean validation loss. */
  add(epoch: number, train: number, validation?: number, mean?: number): void {
    this.epochs.push(epoch);
    this.train.push(train);
    this.validation.push(validation ?? null);
    this.mean.push(mean ?? null);
    this.plot.setData([this.epochs, this.train, this.validation, this.mean]);
  }
}

/**
 * One small chart per term on one shared y scale: for a time-varying or static term each sample's
 * contribution against its input and the binned mean (with a band where the explanation gives a
 * spread across members), for a categorical term one bar per level.
 */
export class ShapeGrid {
  private cells: { plot: uPlot | null; bars: HTMLElement | null }[] = [];
  private key = '';

  constructor(private readonly host: HTMLElement) {}

  /** `xLabel`: what a term's x axis shows (its input summary and units). */
  draw(shapes: ShapeCurve[], yLabel: string, xLabel: (s: ShapeCurve) => string): void {
    const key = shapes.map((s) => `${s.feature}\t${s.kind}\t${s.timeVarying ?? ''}\t${xLabel(s)}\t${s.band ? 'band' : ''}\t${s.logAxis ? 'log' : ''}`).join('\n');
    if (key !== this.key) this.rebuild(shapes, xLabel, key);
    // One y range for all terms, so a flat (unused) term looks flat next to a strong one.
    let lo = Infinity, hi = -Infinity;
    const see = (c: number | undefined) => {
      if (c === undefined || !Number.isFinite(c)) return;
      lo = Math.min(lo, c);
      hi = Math.max(hi, c);
    };
    for (const s of shapes) {
      s.contribution.forEach(see);
      s.band?.lower.forEach(see);
      s.band?.upper.forEach(see);
      s.levels?.forEach((l) => (see(l.contribution), see(l.lower), see(l.upper)));
    }
    if (!Number.isFinite(lo)) (lo = -1), (hi = 1);
    const pad = (hi - lo) * 0.08 || 0.5;
    shapes.forEach((s, i) => {
      const { plot, bars } = this.cells[i];
      if (bars) {
        drawBars(bars, (s.levels ?? []).map((l) => ({ label: l.level, value: l.contribution, ...(l.lower !== undefined && l.upper !== undefined ? { lower: l.lower, upper: l.upper } : {}), note: `${l.count} samples` })),
          { diverging: true, max: Math.max(Math.abs(lo), Math.abs(hi)), caption: `${s.feature}: contribution per level` });
        return;
      }
      plot!.batch(() => {
        plot!.setScale('y', { min: lo - pad, max: hi + pad });
        plot!.setData(aligned(s), true);
        plot!.setScale('y', { min: lo - pad, max: hi + pad });
      });
    });
    this.host.setAttribute('aria-label', `shape functions of ${shapes.length} terms: ${yLabel} against each input`);
  }

  private rebuild(shapes: ShapeCurve[], xLabel: (s: ShapeCurve) => string, key: string): void {
    this.cells.forEach((c) => c.plot?.destroy());
    this.host.replaceChildren();
    this.key = key;
    this.cells = shapes.map((s) => {
      const cell = document.createElement('figure');
      cell.className = `shape ${s.kind}`;
      cell.dataset.kind = s.kind;
      if (s.logAxis) cell.dataset.axis = 'log';
      const caption = document.createElement('figcaption');
      caption.textContent = s.feature;
      const kind = document.createElement('small');
      kind.textContent = s.kind === 'sequence' ? ' time-varying' : s.timeVarying ? ' categorical, last level' : ` ${s.kind}`;
      caption.append(kind);
      const body = document.createElement('div');
      cell.append(caption, body);
      this.host.append(cell);
      if (s.kind === 'categorical') {
        body.className = 'levels';
        return { plot: null, bars: body };
      }
      const small = { ...axis, font: '10px system-ui, sans-serif', size: 34, values: (_u: uPlot, ticks: number[]) => tickLabels(ticks) };
      // The y axis as wide as its longest label ('-0.25' was cut to '.25'): about 6 px a character at 10 px.
      const yAxis = { ...small, size: (_u: uPlot, values: string[] | null) => Math.max(34, 14 + 6 * Math.max(0, ...(values ?? []).map((v) => String(v).length))) };
      const plot = new uPlot({
        width: Math.max(180, Math.floor(body.clientWidth) || 200), height: SHAPE_HEIGHT, legend: { show: false }, cursor: { show: false },
        // A feature read as log(1 + value) gets an asinh x axis (logarithmic above 1, linear near 0).
        scales: { x: { time: false, ...(s.logAxis ? { distr: 4 as const, asinh: 1 } : {}) }, y: { auto: false, range: (u) => [u.scales.y.min ?? -1, u.scales.y.max ?? 1] } },
        axes: [{ ...small, size: 28, label: xLabel(s), labelSize: 14, labelFont: '10.5px system-ui, sans-serif', labelGap: 0 }, yAxis],
        series: [
          {},
          // Few samples (a small test split) get larger, darker dots than hundreds.
          { stroke: 'transparent', paths: () => null, points: { show: true, space: 0, size: s.x.length < 120 ? 5 : 3.5, width: 0, fill: dots(s.x.length), stroke: dots(s.x.length) } },
          { stroke: SHAPE, width: 2.25, spanGaps: true, points: { show: false } },
          ...(s.band ? [
            { stroke: 'rgba(15, 118, 110, 0.35)', width: 1, spanGaps: true, points: { show: false } },
            { stroke: 'rgba(15, 118, 110, 0.35)', width: 1, spanGaps: true, points: { show: false } },
          ] : []),
        ],
        ...(s.band ? { bands: [{ series: [4, 3] as [number, number], fill: 'rgba(15, 118, 110, 0.14)' }] } : {}),
      }, s.band ? [[], [], [], [], []] : [[], [], []], body);
      fitWidth(body, plot, SHAPE_HEIGHT);
      return { plot, bars: null };
    });
  }
}

const SHAPE_HEIGHT = 150;

const dots = (n: number) => `rgba(100, 116, 139, ${n < 120 ? 0.6 : 0.35})`;

/** The samples, the binned curve and its band on one sorted x axis (uPlot's data shares x), gaps as null. */
function aligned(s: ShapeCurve): uPlot.AlignedData {
  type Row = (number | null)[];
  const band = s.band;
  const rows: Row[] = [
    ...s.x.map((x, i): Row => [x, s.contribution[i], null, ...(band ? [null, null] : [])]),
    ...s.curveX.map((x, i): Row => [x, null, s.curve[i], ...(band ? [band.lower[i], band.upper[i]] : [])]),
  ].sort((a, b) => a[0]! - b[0]!);
  return rows[0] ? rows[0].map((_, k) => rows.map((r) => r[k])) as uPlot.AlignedData : (band ? [[], [], [], [], []] : [[], [], []]);
}

/** The reliability curve of a binary model: observed rate per probability bin against the diagonal. */
export class CalibrationChart {
  private readonly plot: uPlot;

  constructor(host: HTMLElement) {
    this.plot = new uPlot({
      width: host.clientWidth || 260, height: 200, legend: { show: false }, cursor: { show: false },
      scales: { x: { time: false, auto: false, range: [0, 1] }, y: { auto: false, range: [0, 1] } },
      axes: [
        { ...axis, font: '10px system-ui, sans-serif', size: 30, label: 'predicted probability', labelSize: 14, labelFont: '10.5px system-ui, sans-serif', labelGap: 0 },
        { ...axis, font: '10px system-ui, sans-serif', size: 34, label: 'observed', labelSize: 14, labelFont: '10.5px system-ui, sans-serif', labelGap: 0 },
      ],
      series: [
        {},
        { stroke: '#94a3b8', width: 1, dash: [4, 4], spanGaps: true, points: { show: false } },
        { stroke: TRAIN, width: 2, spanGaps: true, points: { show: true, size: 6, fill: TRAIN } },
      ],
    }, [[], [], []], host);
    fitWidth(host, this.plot, 200);
  }

  draw(bins: { p: number; observed: number }[]): void {
    const xs = [0, ...bins.map((b) => b.p), 1];
    this.plot.setData([xs, xs.map((x, i) => (i === 0 || i === xs.length - 1 ? x : null)), [null, ...bins.map((b) => b.observed), null]]);
  }
}

/** Keeps a chart as wide as its box. */
function fitWidth(host: HTMLElement, plot: uPlot, height: number): void {
  new ResizeObserver(() => {
    const w = Math.floor(host.clientWidth);
    if (w > 0 && w !== plot.width) plot.setSize({ width: w, height });
  }).observe(host);
}
