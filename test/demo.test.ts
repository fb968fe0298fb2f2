// The browser demo (demo/) in headless Chromium, used as a person would: it is built and served
// with the cross-origin isolation headers, trained for two epochs on wasm and on WebGPU
// (SwiftShader), fed a CSV through its file input, its model downloaded and loaded back in Node,
// a CLI-trained model and a PyTorch state dict loaded through its model input, and a screenshot taken.
// Skipped with the reason when Chromium is missing; under RNAM_REQUIRE_WEBGPU=1 that is a failure.
// The table data also trains the library's default model (AdditiveRNAM over mixed inputs) on
// csl.csv and cps1985.csv, on wasm and WebGPU, checked against trainTable in Node, and a model file
// from `rnam train` with static and categorical features loads through the model input.
// The screenshot goes to out/demo.png; RNAM_DEMO_SCREENSHOT=docs/demo.png writes docs/models.md's, and
// RNAM_DEMO_MIXED_SCREENSHOT=docs/page-mixed.png the one after training csl.csv.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as rnam from '../src/index.js';
import { requireWebGPU } from './helpers/backends.js';
import { BROWSER_BUNDLE, CHROMIUM, CHROMIUM_FLAGS, loadPlaywright } from './helpers/chromium.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = BROWSER_BUNDLE;
const FLAGS = CHROMIUM_FLAGS;
const { playwright, why } = await loadPlaywright();

const test = suite('browser demo in headless Chromium');

/** A small long table: 2 stations x 80 days; y is 1 when the next day's a + b is positive. */
function smallCsv(): string {
  const rows = ['station,day,a,b,y'];
  const g = new rnam.Generator(5);
  for (const station of ['north', 'south']) {
    const a = Array.from({ length: 81 }, (_, t) => Math.sin(t / 4 + (station === 'north' ? 0 : 1)) + 0.3 * (g.uniform() - 0.5));
    const b = Array.from({ length: 81 }, () => g.uniform() - 0.5);
    for (let t = 0; t < 80; t++) rows.push(`${station},${t},${a[t].toFixed(4)},${b[t].toFixed(4)},${a[t + 1] + b[t + 1] > 0 ? 1 : 0}`);
  }
  return rows.join('\n') + '\n';
}
const csvOptions = { id: 'station', time: 'day', target: 'y', features: ['a', 'b'], window: 8 } as const;

if (!playwright) {
  if (requireWebGPU) test('the demo suite needs Chromium (RNAM_REQUIRE_WEBGPU=1)', () => assert.unreachable(why));
  else {
    console.log(`  skipping the demo suite: ${why}`);
    test.skip(`demo suite (${why})`, () => {});
  }
} else {
  const { chromium } = playwright;
  type Browser = Awaited<ReturnType<typeof chromium.launch>>;
  type Page = Awaited<ReturnType<Browser['newPage']>>;
  const { buildDemo } = await import('../scripts/build-demo.mjs');
  const { serveDemo } = await import('../scripts/demo-server.mjs');
  const work = mkdtempSync(join(tmpdir(), 'rnam-demo-'));
  let server: Server, bare: Server;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const started = Date.now();
  const address = (s: Server) => `http://localhost:${(s.address() as AddressInfo).port}/`;

  test.before(async () => {
    const { outDir } = await buildDemo(join(work, 'site'));
    server = await serveDemo(outDir, { port: 0 });
    bare = await serveDemo(outDir, { port: 0, isolate: false });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, acceptDownloads: true });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    // Messages the page receives from its workers, counted: training reports from a worker.
    await page.addInitScript(`(() => {
      window.workerMessages = 0;
      const Native = window.Worker;
      window.Worker = class extends Native {
        constructor(...args) {
          super(...args);
          this.addEventListener('message', () => { window.workerMessages++; });
        }
      };
    })()`);
    await page.goto(address(server));
  });

  test.after(async () => {
    await browser?.close();
    await Promise.all([server, bare].map((s) => new Promise((ok) => (s ? s.close(ok) : ok(null)))));
    rmSync(work, { recursive: true, force: true });
    console.log(`  demo suite: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  interface DemoState {
    predictions: number[]; epoch: number; member: number; runs: number; busy: boolean; errors: string[];
    device: { kind: string; threads: number; reason: string; threadsReason: string | null } | null;
    roles: { roles?: { features: string[]; static: string[]; categorical: string[]; sequenceCategorical: string[] }; mode?: string; task?: string; error?: string } | null;
    explanation: {
      kinds: Record<string, string>; levels: Record<string, string[]>; bands: string[]; importance: { feature: string; importance: number; sd?: number }[];
      facts?: { model: string; mode: string; roles: { features: string[]; static: string[]; categorical: string[] }; memberEpochs?: number[]; intervals?: { coverage: number; halfWidth: number }; calibration?: { ece: number; bins: unknown[] } };
    } | null;
  }
  const state = () => page.evaluate('window.rnamDemo') as Promise<DemoState>;

  /** Runs `act` and waits until the page has finished one more run (training, load or error). */
  async function untilDone(act: () => Promise<void>, timeout = 60_000): Promise<DemoState> {
    const before = (await state()).runs;
    await act();
    await page.waitForFunction(`window.rnamDemo.runs > ${before}`, null, { timeout, polling: 100 });
    const s = await state();
    assert.equal(s.errors, [], `the page reported: ${s.errors.join('; ')}`);
    return s;
  }

  interface TrainOptions { data: 'seed' | 'weather' | 'csv'; device: 'wasm' | 'webgpu' | 'auto'; epochs: number; samples?: number; seq?: number; hidden?: number; blocks?: number; batch?: number }

  async function train(options: TrainOptions): Promise<DemoState> {
    await page.check(`input[name=data][value=${options.data}]`);
    // These runs train the first-order model a fixed number of epochs; the additive model has its own tests below.
    if (options.data !== 'seed') await page.selectOption('#model', 'first-order');
    if (options.data === 'seed') {
      await page.fill('#seed-samples', String(options.samples ?? 300));
      await page.fill('#seed-seq', String(options.seq ?? 16));
    }
    await page.fill('#hidden', String(options.hidden ?? 8));
    await page.fill('#blocks', String(options.blocks ?? 2));
    await page.fill('#batch', String(options.batch ?? 64));
    await page.selectOption('#device-choice', options.device);
    await page.fill('#epochs', String(options.epochs));
    // Every text the status line shows, recorded in the page as it changes.
    await page.evaluate(`(() => {
      const el = document.querySelector('[data-testid=status]');
      window.statusLog = [];
      window.statusObserver?.disconnect();
      window.statusMessages = [];
      window.statusObserver = new MutationObserver(() => { window.statusLog.push(el.textContent); window.statusMessages.push(window.workerMessages); });
      window.statusObserver.observe(el, { childList: true, characterData: true, subtree: true });
    })()`);
    // The longest time between two frames the page painted while training (the worker trains).
    await page.evaluate(`(() => {
      window.frameGap = 0;
      window.frames = 0;
      const runs = window.rnamDemo.runs;
      let last = performance.now();
      const tick = (t) => {
        window.frameGap = Math.max(window.frameGap, t - last);
        window.frames++;
        last = t;
        if (window.rnamDemo.runs === runs) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })()`);
    const t0 = Date.now();
    const s = await untilDone(() => page.click('[data-testid=train]'), 90_000);
    const [gap, frames] = await page.evaluate('[window.frameGap, window.frames]') as [number, number];
    console.log(`  demo: ${options.epochs} epochs of ${options.data} on ${options.device}: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${frames} frames, longest gap ${gap.toFixed(0)} ms`);
    const log = await page.evaluate('window.statusLog') as string[];
    // Training on the page's thread would stall painting; the page trains in a worker, so each epoch's
    // status follows a message from it (counted, not timed, so load cannot flake it).
    const statusMessages = await page.evaluate('window.statusMessages') as number[];
    for (let e = 1; e <= options.epochs; e++) {
      const i = log.findIndex((t) => t.startsWith('Training') && t.includes(`epoch ${e} of ${options.epochs}`));
      assert.ok(i >= 0 && statusMessages[i] > (e === 1 ? 0 : statusMessages[log.findIndex((t) => t.startsWith('Training') && t.includes(`epoch ${e - 1} of`))]),
        `epoch ${e}'s status came with a new message from the training worker (${statusMessages.join(',')})`);
    }
    assert.is(s.epoch, options.epochs);
    for (let e = 1; e <= options.epochs; e++) {
      assert.ok(log.some((t) => t.startsWith('Training') && t.includes(`epoch ${e} of ${options.epochs}`)), `the status showed epoch ${e} while training: ${log.join(' | ')}`);
    }
    assert.match(await page.textContent('[data-testid=status]') ?? '', `epoch ${options.epochs}`);
    return s;
  }

  /** Pixels of each chart drawn in its series colours (not the axes or grid), and the bars. */
  async function drawn(): Promise<{ train: number; validation: number; shapeCurves: number[]; importance: number[] }> {
    return await page.evaluate(`(() => {
      const count = (canvas, test) => {
        const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 200 && test(d[i], d[i + 1], d[i + 2])) n++;
        return n;
      };
      const blue = (r, g, b) => r < 90 && g > 70 && g < 140 && b > 200, orange = (r, g, b) => r > 200 && g > 60 && g < 120 && b < 60;
      const teal = (r, g, b) => r < 60 && g > 95 && g < 140 && b > 90 && b < 130;
      const loss = document.querySelector('[data-testid=loss-chart] canvas');
      return {
        train: count(loss, blue), validation: count(loss, orange),
        shapeCurves: [...document.querySelectorAll('[data-testid=shape-functions] canvas')].map((c) => count(c, teal)),
        importance: [...document.querySelectorAll('[data-testid=importance] .bar-fill')].map((b) => b.getBoundingClientRect().width),
      };
    })()`);
  }

  async function assertChartsDrawn(terms: number): Promise<void> {
    const d = await drawn();
    assert.ok(d.train > 20 && d.validation > 20, `loss chart: ${d.train} train and ${d.validation} validation pixels`);
    assert.is(d.shapeCurves.length, terms, 'one shape function per term');
    assert.ok(d.shapeCurves.every((n) => n > 20), `every shape function drawn: ${d.shapeCurves}`);
    assert.is(d.importance.length, terms, 'one importance bar per term');
    assert.ok(d.importance[0] > 0 && d.importance.every((w, i) => i === 0 || w <= d.importance[i - 1] + 0.5), `importance bars, largest first: ${d.importance}`);
  }

  test('the page loads cross-origin isolated and the wasm backend gets more than one thread', async () => {
    assert.is(await page.evaluate('crossOriginIsolated'), true);
    await page.waitForFunction('window.rnamDemo.device !== null', null, { timeout: 20_000 });
    const s = await state();
    assert.is(s.device!.kind, 'wasm', `auto on SwiftShader picks wasm: ${s.device!.reason}`);
    assert.ok(s.device!.threads > 1, `threads: ${s.device!.threads} (${s.device!.threadsReason})`);
    assert.match(await page.textContent('[data-testid=device]') ?? '', `${s.device!.threads} threads`);
  });

  test('without the COOP/COEP headers the page says it runs on one thread, and why', async () => {
    const other = await browser.newPage();
    try {
      await other.goto(address(bare));
      await other.waitForFunction('window.rnamDemo.device !== null', null, { timeout: 20_000 });
      const text = await other.textContent('[data-testid=device]') ?? '';
      assert.match(text, '1 thread');
      assert.match(text, /cross-origin isolated/i);
    } finally {
      await other.close();
    }
  });

  test('every control is labelled, and the form is reachable by keyboard', async () => {
    const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select, button')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !(el.tagName === 'BUTTON' && el.textContent.trim()))
      .map((el) => el.id || el.outerHTML)`) as string[];
    assert.equal(unlabelled, []);
    await page.focus('#epochs');
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate("document.activeElement?.dataset.testid === 'train'") as boolean;
    }
    assert.ok(reached, 'Tab from the epochs field reaches Train');
  });

  test('Stop ends a long training run early', async () => {
    await page.check('input[name=data][value=seed]');
    await page.fill('#seed-samples', '300');
    await page.fill('#seed-seq', '16');
    await page.fill('#epochs', '200');
    await page.click('[data-testid=train]');
    await page.waitForFunction("document.querySelector('[data-testid=status]').textContent.includes('epoch 1 of 200')", null, { timeout: 30_000 });
    const s = await untilDone(() => page.click('#stop'));
    assert.ok(s.epoch >= 1 && s.epoch < 200, `stopped at epoch ${s.epoch}`);
    assert.match(await page.textContent('[data-testid=status]') ?? '', 'Stopped after epoch');
  });

  test('two epochs on wasm draw the loss chart, the shape functions and the importance', async () => {
    const s = await train({ data: 'seed', device: 'wasm', epochs: 2 });
    assert.is(s.device!.kind, 'wasm');
    await assertChartsDrawn(8);
    assert.ok((await page.$$('[data-testid=local] li')).length === 9, 'the local explanation: the intercept and 8 contributions');
  });

  test('two epochs on WebGPU (SwiftShader) draw the same charts', async () => {
    // SwiftShader runs each kernel on the CPU, far slower than the wasm backend: a small model and data set.
    const s = await train({ data: 'seed', device: 'webgpu', epochs: 2, samples: 200, seq: 8, hidden: 4, blocks: 1, batch: 100 }).catch((err: Error) => err);
    if (s instanceof Error) {
      if (requireWebGPU) throw s;
      console.log(`  skipping the WebGPU half of the demo suite: ${s.message.split('\n')[0]}`);
      return;
    }
    assert.is(s.device!.kind, 'webgpu', s.device!.reason);
    await assertChartsDrawn(8);
  });

  let csvPredictions: number[] = [];
  let modelBytes: Uint8Array;

  test('a CSV uploaded through the file input trains, with the columns mapped in the form', async () => {
    await page.check('input[name=data][value=csv]');
    await page.setInputFiles('[data-testid=csv-input]', { name: 'stations.csv', mimeType: 'text/csv', buffer: Buffer.from(smallCsv()) });
    await page.waitForSelector('#mapping:not([hidden])');
    assert.is(await page.inputValue('#map-id'), 'station', 'the id column is guessed');
    assert.is(await page.inputValue('#map-time'), 'day', 'the time column is guessed');
    await page.selectOption('#map-target', 'y');
    await page.selectOption('#map-task', 'binary');
    await page.fill('#map-window', String(csvOptions.window));
    await page.dispatchEvent('#map-window', 'change');
    // In window mode the target's past is a feature too; these runs name a and b alone (the CLI's --features a,b).
    await setRoles({ a: 'time-varying', b: 'time-varying', y: 'none' });
    const s = await train({ data: 'csv', device: 'wasm', epochs: 2 });
    await assertChartsDrawn(2);
    csvPredictions = s.predictions;
    assert.ok(csvPredictions.length > 0 && csvPredictions.every((p) => p > 0 && p < 1), 'probabilities for the validation windows');
  });

  test('the downloaded model loads with rnam.load in Node and predicts what the page predicted', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
    const path = await download.path();
    assert.ok(path, 'the download finished');
    modelBytes = new Uint8Array(readFileSync(path!));
    const { model, metadata } = await rnam.load(modelBytes);
    assert.ok(model instanceof rnam.FirstOrderRNAM);
    assert.equal(metadata.featureNames, ['a', 'b']);
    assert.is(metadata.task, 'binary');
    // The page trains through trainTable: the file carries the preprocessing record and the centering.
    const trained = await rnam.loadTrained(modelBytes);
    assert.ok(trained.centered);
    assert.equal(trained.preprocessing.record.columns.features, ['a', 'b']);
    assert.is(trained.preprocessing.record.window, csvOptions.window);
    const { validation } = rnam.datasetsFromCsv(smallCsv(), {
      ...csvOptions, mode: 'window', horizon: 1, split: { by: 'time', validation: 0.2 }, standardize: { features: true, target: false },
    });
    const probabilities = Array.from((await rnam.predict(model, validation!, { task: 'binary' })).predictions);
    assert.is(probabilities.length, csvPredictions.length);
    probabilities.forEach((p, i) => assert.ok(Math.abs(p - csvPredictions[i]) < 1e-5, `sample ${i}: Node ${p}, page ${csvPredictions[i]}`));
  });

  test('a model file loaded through the model input explains the data without training', async () => {
    const s = await untilDone(() => page.setInputFiles('[data-testid=model-input]', { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(modelBytes) }));
    assert.match(await page.textContent('[data-testid=status]') ?? '', 'Model loaded');
    s.predictions.forEach((p, i) => assert.ok(Math.abs(p - csvPredictions[i]) < 1e-5, `sample ${i}: loaded ${p}, trained ${csvPredictions[i]}`));
    // The same file chosen again (for another CSV, say) loads again: the input was emptied when it was taken.
    const again = join(work, 'again.safetensors');
    writeFileSync(again, Buffer.from(modelBytes));
    await untilDone(() => page.setInputFiles('[data-testid=model-input]', again));
    await untilDone(() => page.setInputFiles('[data-testid=model-input]', again));
    assert.match(await page.textContent('[data-testid=status]') ?? '', 'Model loaded');
  });

  test('a model trained with the CLI (rnam train) loads through the model input and explains the CSV with its own scales', async () => {
    const csvPath = join(work, 'stations.csv'), out = join(work, 'cli');
    writeFileSync(csvPath, smallCsv());
    execFileSync(process.execPath, [join(root, 'bin', 'rnam.js'), 'train', csvPath, '--id', 'station', '--time', 'day', '--target', 'y', '--features', 'a,b',
      '--window', String(csvOptions.window), '--task', 'binary', '--model', 'first-order', '--missing', 'error', '--epochs', '2', '--device', 'wasm', '--no-progress', '--out', out], { stdio: 'pipe' });
    const bytes = readFileSync(join(out, 'model.safetensors'));
    const s = await untilDone(() => page.setInputFiles('[data-testid=model-input]', { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: bytes }));
    assert.match(await page.textContent('[data-testid=status]') ?? '', 'an rnam model file');
    // In Node: the same windows, standardized with the scales stored in the file, through the same model.
    const { model, metadata } = await rnam.load(new Uint8Array(bytes));
    const { validation } = rnam.datasetsFromCsv(smallCsv(), { ...csvOptions, mode: 'window', horizon: 1, split: { by: 'time', validation: 0.2 }, standardize: false });
    const scaled = rnam.standardizeDataset(validation!, metadata.standardizer!);
    const node = (await rnam.predict(model, scaled, { task: 'binary' })).predictions;
    assert.is(s.predictions.length, node.length);
    s.predictions.forEach((p, i) => assert.ok(Math.abs(p - node[i]) < 1e-5, `sample ${i}: page ${p}, Node ${node[i]}`));
  });

  test('a mixed model loaded on a table with a level it does not know says so', async () => {
    const gen = new rnam.Generator(5), wards = ['north', 'south', 'east'], lines = ['patient,day,lab,ward,outcome'];
    for (let p = 0; p < 40; p++) for (let d = 1; d <= 3; d++) lines.push(`P${p},${d * 7},${gen.normal().toFixed(3)},${wards[p % 3]},${p % 2}`);
    const csvPath = join(work, 'clinic.csv'), out = join(work, 'clinic-model');
    writeFileSync(csvPath, `${lines.join('\n')}\n`);
    execFileSync(process.execPath, [join(root, 'bin', 'rnam.js'), 'train', csvPath, '--id', 'patient', '--time', 'day', '--target', 'outcome',
      '--members', '1', '--epochs', '2', '--device', 'wasm', '--no-progress', '--out', out], { stdio: 'pipe' });
    await page.check('input[name=data][value=csv]');
    const shown = `${lines.join('\n')}\nZ,7,0.5,west,\nZ,14,0.7,west,\n`;
    await page.setInputFiles('[data-testid=csv-input]', { name: 'clinic.csv', mimeType: 'text/csv', buffer: Buffer.from(shown) });
    await page.waitForSelector('#mapping:not([hidden])');
    const bytes = readFileSync(join(out, 'model.safetensors'));
    await untilDone(() => page.setInputFiles('[data-testid=model-input]', { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: bytes }));
    assert.match(await page.textContent('[data-testid=status]') ?? '', "ward: 'west' (2 cells) read as 'other'");
  });

  test("a PyTorch state dict (the seed's model shape) loads and explains the seed data as in Node", async () => {
    await page.check('input[name=data][value=seed]');
    await page.fill('#seed-samples', '300');
    await page.fill('#seed-seq', '16');
    await page.fill('#seed', '3');
    const file = readFileSync(join(root, 'test', 'fixtures', 'rnam', 'case_8.model.safetensors'));
    const s = await untilDone(() => page.setInputFiles('[data-testid=model-input]', { name: 'pytorch.safetensors', mimeType: 'application/octet-stream', buffer: file }));
    const text = await page.textContent('[data-testid=status]') ?? '';
    assert.match(text, 'plain state dict');
    assert.match(text, '"blocks":4');
    assert.is((await page.$$('[data-testid=shape-functions] figure')).length, 8);
    // The same data and model in Node: the page's predictions are the package's.
    rnam.manualSeed(3);
    const { validation } = rnam.generateSeedData({ samples: 300, seq: 16, splitPoint: 200 });
    const { model } = await rnam.load(new Uint8Array(file), { class: 'FirstOrderRNAM', options: { terms: 8, hiddenDim: 8, outDim: 1, blocks: 4 } });
    const node = (await rnam.predict(model, validation, { task: 'regression' })).predictions;
    assert.is(s.predictions.length, node.length);
    s.predictions.forEach((p, i) => assert.ok(Math.abs(p - node[i]) <= 1e-5 * (1 + Math.abs(node[i])), `sample ${i}: page ${p}, Node ${node[i]}`));
  });

  // The library's default model on table data: AdditiveRNAM over mixed inputs, an ensemble of members.
  const cslText = readFileSync(join(root, 'examples', 'data', 'csl.csv'), 'utf8');
  const cpsText = readFileSync(join(root, 'examples', 'data', 'cps1985.csv'), 'utf8');
  const cslOptions = { id: 'id', time: 'day', target: 'died_within_3y' } as const;

  /** Chooses each named column's role in the mapping form ('auto', 'time-varying', 'static', 'categorical' or 'none'). */
  async function setRoles(roles: Record<string, string>): Promise<void> {
    for (const [column, role] of Object.entries(roles)) await page.selectOption(`#map-roles select[data-column="${column}"]`, role);
  }

  /** Gives the page a CSV (its file input, or the paste box) and maps it; resolves with the library's choice of the columns' roles. */
  async function useCsv(name: string, text: string, map: { id?: string; time?: string; target: string; window?: number }, how: 'file' | 'paste' = 'file'): Promise<NonNullable<DemoState['roles']>> {
    await page.check('input[name=data][value=csv]');
    const rows = text.trim().split('\n').length - 1;
    if (how === 'file') await page.setInputFiles('[data-testid=csv-input]', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
    else {
      await page.click('#paste summary');
      await page.fill('[data-testid=csv-text]', text);
      await page.click('[data-testid=csv-text-use]');
    }
    await page.waitForFunction(`document.querySelector('#csv-info').textContent.includes(': ${rows} rows')`, null, { timeout: 20_000 });
    // The library's defaults: the task from the target, no window (a panel or a plain table).
    await page.selectOption('#map-task', '');
    await page.fill('#map-window', map.window !== undefined ? String(map.window) : '');
    await page.uncheck('#map-history');
    await page.selectOption('#map-id', map.id ?? '');
    await page.selectOption('#map-time', map.time ?? '');
    await page.selectOption('#map-target', map.target);
    await page.waitForFunction('window.rnamDemo.roles !== null', null, { timeout: 20_000 });
    const roles = (await state()).roles!;
    assert.ok(roles.roles, `the library's choice of roles: ${roles.error}`);
    return roles;
  }

  interface MixedSettings { device: 'wasm' | 'webgpu'; members: number; epochs: number; hidden?: number; batch?: number; coverage?: number }

  /** Trains the additive model (the library's defaults but for the settings given) and checks what the page shows of it. */
  async function trainAdditive(o: MixedSettings): Promise<DemoState> {
    await page.selectOption('#model', 'additive');
    await page.selectOption('#device-choice', o.device);
    await page.fill('#members', String(o.members));
    await page.fill('#coverage', String(o.coverage ?? 0.9));
    await page.fill('#epochs', String(o.epochs));
    await page.fill('#hidden', o.hidden === undefined ? '' : String(o.hidden));
    await page.fill('#blocks', '1');
    await page.fill('#batch', String(o.batch ?? 64));
    await page.fill('#lr', '0.003');
    await page.fill('#seed', '0');
    const t0 = Date.now();
    const s = await untilDone(() => page.click('[data-testid=train]'), 120_000);
    console.log(`  demo: additive, ${o.members} member(s) of at most ${o.epochs} epochs on ${o.device}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    assert.is(s.device!.kind, o.device, s.device!.reason);
    assert.match(await page.textContent('[data-testid=status]') ?? '', o.members > 1 ? `Done: ${o.members} members trained on` : /^Done after epoch/);
    assert.match(s.explanation!.facts!.model, `AdditiveRNAM: hidden ${o.hidden ?? 8}, 1 block(s), ${o.members} member(s)`);
    assert.is(s.explanation!.facts!.memberEpochs!.length, o.members);
    // An ensemble's loss chart also draws the members' mean validation loss, and its note says so.
    const note = await page.textContent('#loss-note') ?? '';
    if (o.members > 1) {
      // Training has ended: the note says how the curves were drawn, and that no member is still training.
      assert.match(note, 'The members trained side by side');
      assert.match(note, 'the dashed curve is the mean validation loss of the members training at each epoch');
      assert.not.match(note, 'still training');
    }
    else assert.is(await page.isHidden('#loss-note'), true, note);
    return s;
  }

  /** What the shape-function grid shows per term: its kind, and for a categorical term its bars' labels. */
  async function shownTerms(): Promise<{ feature: string; kind: string; canvas: boolean; bars: string[] }[]> {
    return await page.evaluate(`[...document.querySelectorAll('[data-testid=shape-functions] figure')].map((f) => ({
      feature: f.querySelector('figcaption').firstChild.textContent, kind: f.dataset.kind, canvas: f.querySelector('canvas') !== null,
      bars: [...f.querySelectorAll('.bar-label')].map((b) => b.textContent),
    }))`) as { feature: string; kind: string; canvas: boolean; bars: string[] }[];
  }

  /** Node's predictTable on the same table with a model file's bytes. */
  async function nodePredictions(bytes: Uint8Array, text: string): Promise<Float64Array> {
    const trained = await rnam.loadTrained(bytes);
    try {
      return (await rnam.predictTable(trained, text)).prediction;
    } finally {
      trained.model.parameters().forEach((p) => p.dispose());
    }
  }

  const assertSame = (page: number[], node: ArrayLike<number>, what: string, tolerance = 1e-9) => {
    assert.is(page.length, node.length, `${what}: one prediction per sample`);
    page.forEach((p, i) => assert.ok(Math.abs(p - node[i]) <= tolerance * (1 + Math.abs(node[i])), `${what}, sample ${i}: page ${p}, Node ${node[i]}`));
  };

  test('flchain.csv (a table with skewed labs) draws the labs read as log(1 + value) on log axes', async () => {
    await page.reload();
    await page.waitForFunction('window.rnamDemo.device !== null', null, { timeout: 20_000 });
    const text = readFileSync(join(root, 'examples', 'data', 'flchain.csv'), 'utf8');
    const roles = await useCsv('flchain.csv', text, { id: 'row', target: 'died_within_5y' });
    assert.is(roles.mode, 'table');
    await trainAdditive({ device: 'wasm', members: 1, epochs: 2, hidden: 8 });
    const axes = await page.evaluate(`[...document.querySelectorAll('[data-testid=shape-functions] figure')].map((f) => [f.querySelector('figcaption').firstChild.textContent, f.dataset.axis ?? 'linear'])`) as [string, string][];
    assert.equal(axes, [['age', 'linear'], ['sample_yr', 'linear'], ['kappa', 'log'], ['lambda', 'log'], ['creatinine', 'log'], ['sex', 'linear'], ['mgus', 'linear']]);
    if (process.env.RNAM_DEMO_LOG_SCREENSHOT) {
      await page.locator('[data-testid=shape-functions]').screenshot({ path: resolve(root, process.env.RNAM_DEMO_LOG_SCREENSHOT) });
      console.log(`  demo screenshot: ${process.env.RNAM_DEMO_LOG_SCREENSHOT}`);
    }
  });

  let cslPage: DemoState;

  test('csl.csv (a panel) trains the library\'s AdditiveRNAM on the page: time-varying, static and categorical terms, importance ± sd, calibration', async () => {
    await page.reload(); // a fresh page: no file names left in the inputs by the tests above
    await page.waitForFunction('window.rnamDemo.device !== null', null, { timeout: 20_000 });
    const roles = await useCsv('csl.csv', cslText, cslOptions);
    // The form shows the library's choice: what `rnam train` prints for the same columns.
    assert.equal(roles.roles, { features: ['prot'], static: ['prot_base', 'age'], categorical: ['sex', 'treatment'], sequenceCategorical: [] });
    assert.is(roles.mode, 'panel');
    assert.is(roles.task, 'binary');
    assert.match(await page.inputValue('#map-roles select[data-column=age]'), 'auto');
    assert.match(await page.textContent('#map-roles select[data-column=age] option[value=auto]') ?? '', 'auto: static');
    const s = cslPage = await trainAdditive({ device: 'wasm', members: 2, epochs: 20 });
    const e = s.explanation!;
    assert.equal(e.kinds, { prot: 'sequence', prot_base: 'static', age: 'static', sex: 'categorical', treatment: 'categorical' });
    const terms = await shownTerms();
    assert.equal(terms.map((t) => [t.feature, t.kind, t.canvas]), [['prot', 'sequence', true], ['prot_base', 'static', true], ['age', 'static', true], ['sex', 'categorical', false], ['treatment', 'categorical', false]]);
    assert.equal(terms.find((t) => t.feature === 'sex')!.bars, e.levels.sex);
    assert.ok(e.levels.sex.includes('female') && e.levels.sex.includes('male') && e.levels.treatment.includes('placebo'), JSON.stringify(e.levels));
    // Every sample of the table predicted (246 patients), as probabilities.
    assert.is(s.predictions.length, 246);
    assert.ok(s.predictions.every((p) => p > 0 && p < 1));
    // The importance is trainTable's report: the same run in Node gives the same numbers, sd across members included.
    const node = await rnam.trainTable(cslText, { ...cslOptions, members: 2, epochs: 20, device: 'wasm' });
    try {
      assert.equal(e.importance.map((i) => i.feature), node.report.importance.map((i) => i.feature));
      e.importance.forEach((i, k) => {
        assert.ok(Math.abs(i.importance - node.report.importance[k].importance) < 1e-9, `${i.feature}: page ${i.importance}, Node ${node.report.importance[k].importance}`);
        assert.ok(i.sd !== undefined && Math.abs(i.sd - node.report.importance[k].sd!) < 1e-9, `${i.feature}'s sd: page ${i.sd}, Node ${node.report.importance[k].sd}`);
      });
      assertSame(s.predictions, (await rnam.predictTable(node, cslText)).prediction, 'csl: the page and trainTable in Node');
      assert.ok(Math.abs(e.facts!.calibration!.ece - node.report.calibration!.ece) < 1e-9);
      // A band (or whiskers on the levels) wherever the explanation gives a spread across members, none elsewhere.
      const withSpread = node.explanation.shapes.filter((sh) => sh.bins.some((b) => typeof (b as { sd?: unknown }).sd === 'number')).map((sh) => sh.feature);
      assert.equal(e.bands, withSpread);
    } finally {
      node.model.parameters().forEach((p) => p.dispose());
    }
    assert.is(await page.locator('[data-testid=importance] .bar-sd').count(), 5, 'a whisker per importance bar');
    assert.match(await page.textContent('[data-testid=importance]') ?? '', '±');
    assert.ok(await page.isVisible('[data-testid=calibration] canvas'), 'the reliability curve is drawn');
    assert.match(await page.textContent('[data-testid=ece]') ?? '', 'Expected calibration error');
    assert.match(await page.textContent('[data-testid=facts]') ?? '', 'static: prot_base, age');
    // No warning about the data; 20 epochs may end training still improving, which the page says.
    const warned = await page.isVisible('[data-testid=warnings]') ? (await page.textContent('[data-testid=warnings]'))!.trim() : '';
    assert.ok(warned === '' || warned === 'warning: training reached the epoch limit (20) before the validation loss stopped improving: a higher limit may fit better', `csl's warnings: ${warned}`);
    assert.is(await page.locator('[data-testid=local] li').count(), 6, 'the local explanation: the intercept and 5 contributions');
    if (process.env.RNAM_DEMO_MIXED_SCREENSHOT) {
      await page.screenshot({ path: resolve(root, process.env.RNAM_DEMO_MIXED_SCREENSHOT), fullPage: true });
      console.log(`  demo screenshot: ${process.env.RNAM_DEMO_MIXED_SCREENSHOT}`);
    }
  });

  test('the additive model downloads, loads in Node and back through the model input, and predicts the same', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
    const bytes = new Uint8Array(readFileSync((await download.path())!));
    const loaded = await rnam.loadTrained(bytes);
    assert.ok(loaded.model instanceof rnam.AdditiveRNAM);
    assert.equal(loaded.preprocessing.record.columns.static, ['prot_base', 'age']);
    assert.equal(loaded.preprocessing.record.columns.categorical, ['sex', 'treatment']);
    loaded.model.parameters().forEach((p) => p.dispose());
    assertSame(cslPage.predictions, await nodePredictions(bytes, cslText), 'the downloaded file in Node');
    const s = await untilDone(() => page.setInputFiles('[data-testid=model-input]', { name: 'page.safetensors', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) }));
    assert.match(await page.textContent('[data-testid=status]') ?? '', 'Model loaded');
    assertSame(s.predictions, cslPage.predictions, 'loaded back on the page');
    assert.equal(s.explanation!.kinds, cslPage.explanation!.kinds);
  });

  test('a mixed-input model from rnam train (csl.csv) loads through the model input and predicts as rnam predict', async () => {
    const out = join(work, 'cli-csl');
    execFileSync(process.execPath, [join(root, 'bin', 'rnam.js'), 'train', join(root, 'examples', 'data', 'csl.csv'), '--id', 'id', '--time', 'day', '--target', 'died_within_3y',
      '--members', '2', '--epochs', '10', '--hidden', '6', '--device', 'wasm', '--no-progress', '--out', out], { stdio: 'pipe' });
    const bytes = readFileSync(join(out, 'model.safetensors'));
    const s = await untilDone(() => page.setInputFiles('[data-testid=model-input]', { name: 'model.safetensors', mimeType: 'application/octet-stream', buffer: bytes }));
    assert.match(await page.textContent('[data-testid=status]') ?? '', 'AdditiveRNAM: hidden 6, 1 block(s), 2 member(s)');
    assertSame(s.predictions, await nodePredictions(new Uint8Array(bytes), cslText), 'the CLI model on the page and in Node');
    assert.equal(s.explanation!.kinds, { prot: 'sequence', prot_base: 'static', age: 'static', sex: 'categorical', treatment: 'categorical' });
    assert.equal((await shownTerms()).filter((t) => t.kind === 'categorical').map((t) => t.feature), ['sex', 'treatment']);
    // The metrics are over the chosen table's known targets.
    assert.match(await page.textContent('#metrics') ?? '', 'auc');
  });

  test('cps1985.csv (a plain table) with roles and coverage chosen in the form: static and categorical terms, prediction intervals', async () => {
    const roles = await useCsv('cps1985.csv', cpsText, { id: 'row', target: 'wage' });
    const categorical = ['ethnicity', 'region', 'gender', 'occupation', 'sector', 'union', 'married'];
    assert.equal(roles.roles, { features: [], static: ['education', 'experience', 'age'], categorical, sequenceCategorical: [] });
    assert.is(roles.mode, 'table');
    await setRoles({ experience: 'none' }); // as the CLI's --static education,age --categorical ...
    const s = await trainAdditive({ device: 'wasm', members: 2, epochs: 15, coverage: 0.8 });
    const e = s.explanation!;
    assert.equal(Object.keys(e.kinds), ['education', 'age', ...categorical]);
    assert.equal(e.facts!.roles.static, ['education', 'age']);
    assert.equal((await shownTerms()).filter((t) => t.kind === 'static').map((t) => t.feature), ['education', 'age']);
    assert.equal((await shownTerms()).find((t) => t.feature === 'occupation')!.bars, e.levels.occupation);
    assert.ok(e.levels.occupation.length >= 6, `occupation's levels: ${e.levels.occupation}`);
    const node = await rnam.trainTable(cpsText, { id: 'row', target: 'wage', static: ['education', 'age'], categorical, features: [], members: 2, epochs: 15, coverage: 0.8, device: 'wasm' });
    try {
      assert.is(e.facts!.intervals!.coverage, 0.8);
      assert.ok(Math.abs(e.facts!.intervals!.halfWidth - node.intervals!.halfWidth) < 1e-9, `half-width: page ${e.facts!.intervals!.halfWidth}, Node ${node.intervals!.halfWidth}`);
      assertSame(s.predictions, (await rnam.predictTable(node, cpsText)).prediction, 'cps1985: the page and trainTable in Node');
    } finally {
      node.model.parameters().forEach((p) => p.dispose());
    }
    assert.match(await page.textContent('[data-testid=intervals]') ?? '', 'for 80% coverage');
    assert.ok(!(await page.isVisible('[data-testid=calibration]')), 'no calibration for regression');
    assert.match(await page.textContent('#metrics thead') ?? '', 'test');
  });

  test('a column the library cannot read as a number trains once it is named categorical, the others left on auto', async () => {
    const lines = ['x,cyl,y', ...Array.from({ length: 80 }, (_, i) => `${(i * 7) % 13},${i === 57 ? 'rotary' : 4 + 2 * (i % 3)},${(i % 5) * 0.3 + (i % 3)}`)];
    await page.check('input[name=data][value=csv]');
    await page.setInputFiles('[data-testid=csv-input]', { name: 'cars.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });
    await page.waitForFunction("document.querySelector('#csv-info').textContent.includes(': 80 rows')", null, { timeout: 20_000 });
    await page.selectOption('#map-id', '');
    await page.selectOption('#map-time', '');
    await page.selectOption('#map-target', 'y');
    await page.waitForFunction('window.rnamDemo.roles !== null', null, { timeout: 20_000 });
    assert.match((await state()).roles!.error ?? '', "a cell is not a number: 'rotary'");
    await setRoles({ cyl: 'categorical' });
    // The library's choice for the others, asked again with cyl named: no error left above the roles.
    await page.waitForFunction('window.rnamDemo.roles !== null', null, { timeout: 20_000 });
    assert.equal((await state()).roles!.roles, { features: [], static: ['x'], categorical: ['cyl'], sequenceCategorical: [] });
    assert.match(await page.textContent('#roles-info') ?? '', "auto: the library's choice");
    assert.match(await page.textContent('#map-roles select[data-column=x] option[value=auto]') ?? '', 'auto: static');
    const s = await trainAdditive({ device: 'wasm', members: 1, epochs: 2 });
    assert.equal(s.explanation!.kinds, { x: 'static', cyl: 'categorical' });
  });

  test('a pasted panel trains the additive model on WebGPU (SwiftShader) as on wasm', async () => {
    // A small panel: per id a time-varying x, a static s and a level g; y depends on all three.
    const g = new rnam.Generator(11);
    const lines = ['id,t,x,s,g,y'];
    for (let id = 0; id < 40; id++) {
      const s = (g.uniform() * 10).toFixed(2), level = ['a', 'b', 'c'][id % 3];
      for (let t = 0; t < 4; t++) {
        const x = (g.uniform() - 0.5).toFixed(3);
        lines.push(`${id},${t},${x},${s},${level},${Number(x) + Number(s) / 10 + (level === 'a' ? 0.5 : 0) > 0.6 ? 1 : 0}`);
      }
    }
    const text = lines.join('\n');
    const roles = await useCsv('pasted', text, { id: 'id', time: 't', target: 'y' }, 'paste');
    assert.equal(roles.roles, { features: ['x'], static: ['s'], categorical: ['g'], sequenceCategorical: [] });
    const s = await trainAdditive({ device: 'webgpu', members: 1, epochs: 2, hidden: 4 }).catch((err: Error) => err);
    if (s instanceof Error) {
      if (requireWebGPU) throw s;
      console.log(`  skipping the WebGPU additive run: ${s.message.split('\n')[0]}`);
      return;
    }
    assert.equal(s.explanation!.kinds, { x: 'sequence', s: 'static', g: 'categorical' });
    assert.equal((await shownTerms()).map((t) => t.kind), ['sequence', 'static', 'categorical']);
    // The same run on wasm in Node: WebGPU's float32 sums differ in rounding only.
    const node = await rnam.trainTable(text, { id: 'id', time: 't', target: 'y', members: 1, epochs: 2, hiddenDim: 4, device: 'wasm' });
    try {
      assertSame(s.predictions, (await rnam.predictTable(node, text)).prediction, 'WebGPU on the page against wasm in Node', 1e-3);
    } finally {
      node.model.parameters().forEach((p) => p.dispose());
    }
  });

  test("training's warnings about the data show beside the facts: an id-like feature, a target that changes within ids", async () => {
    const lines = ['id,t,sample_id,x,y'];
    for (let id = 0; id < 30; id++) for (let t = 0; t < 3; t++) lines.push(`p${id},${t},${1000 + id * 3 + t},${((id * 7 + t) % 5) / 5},${id < 6 ? t % 2 : id % 2}`);
    await useCsv('warned.csv', lines.join('\n'), { id: 'id', time: 't', target: 'y' });
    await trainAdditive({ device: 'wasm', members: 1, epochs: 1 });
    const shown = await page.textContent('[data-testid=warnings]') ?? '';
    assert.match(shown, "warning: 'sample_id' is a feature, but its name reads as an identifier");
    assert.match(shown, "note: the target 'y' changes within 6 of 30 ids");
    // Target history, ticked: the target is a time-varying term, the note is gone, and the page
    // predicts what trainTable with targetHistory predicts in Node.
    await page.check('#map-history');
    await page.dispatchEvent('#map-history', 'change');
    await page.waitForFunction('window.rnamDemo.roles !== null', null, { timeout: 20_000 });
    assert.ok((await state()).roles!.roles!.features!.includes('y'), JSON.stringify((await state()).roles));
    const s = await trainAdditive({ device: 'wasm', members: 1, epochs: 1 });
    assert.is(s.explanation!.kinds!.y, 'sequence');
    assert.not.match(await page.textContent('[data-testid=warnings]') ?? '', 'changes within');
    const text = lines.join('\n');
    const node = await rnam.trainTable(text, { id: 'id', time: 't', target: 'y', targetHistory: true, members: 1, epochs: 1, batchSize: 64, lr: 0.003, device: 'wasm' });
    try {
      assertSame(s.predictions, (await rnam.predictTable(node, text)).prediction, 'target history: the page and trainTable in Node');
    } finally {
      node.model.parameters().forEach((p) => p.dispose());
    }
    await page.uncheck('#map-history');
  });

  test('a classification with text labels: the captions and the local explanation name the classes', async () => {
    const species = ['adelie', 'chinstrap', 'gentoo'], lines = ['row,bill,mass,species'];
    for (let i = 0; i < 90; i++) lines.push(`${i},${(38 + (i % 3) * 6 + (i % 7) / 3).toFixed(2)},${3500 + (i % 3) * 600 + (i % 5) * 40},${species[i % 3]}`);
    await useCsv('species.csv', lines.join('\n'), { target: 'species' });
    await trainAdditive({ device: 'wasm', members: 1, epochs: 2 });
    assert.match(await page.textContent('#shape-caption') ?? '', "contribution to the logit of adelie (y,");
    // The class choice redraws the shape functions for another class's logit.
    assert.equal(await page.$$eval('#shape-class option', (os) => os.map((o) => o.textContent)), species);
    const before = await page.$eval('[data-testid=shape-functions] canvas', (c) => (c as HTMLCanvasElement).toDataURL());
    await page.selectOption('#shape-class', '2');
    assert.match(await page.textContent('#shape-caption') ?? '', "contribution to the logit of gentoo (y,");
    assert.is.not(await page.$eval('[data-testid=shape-functions] canvas', (c) => (c as HTMLCanvasElement).toDataURL()), before, "gentoo's curve is not adelie's");
    await page.selectOption('#shape-class', '0');
    const local = await page.textContent('#local-summary') ?? '';
    assert.match(local, /: prediction (adelie|chinstrap|gentoo), logit .*; actual: (adelie|chinstrap|gentoo)$/);
  });

  test('from its first epoch a run shows its own task and target, not the run before', async () => {
    // The run before (above) classified species; this one is a regression on another file.
    const lines = ['x,z,y'];
    for (let i = 0; i < 200; i++) lines.push(`${(i * 7) % 13},${(i * 3) % 11},${((i * 7) % 13) * 0.5 + (i % 5) * 0.1}`);
    await useCsv('level.csv', lines.join('\n'), { target: 'y' });
    await page.selectOption('#model', 'additive');
    await page.fill('#members', '1');
    await page.fill('#epochs', '200');
    const before = (await state()).runs;
    await page.click('[data-testid=train]');
    await page.waitForFunction("document.querySelector('[data-testid=status]').textContent.includes('epoch 1')", null, { timeout: 60_000 });
    assert.match(await page.textContent('#data-summary') ?? '', 'target y (regression)');
    // Early stopping may end the run before the click: then there is nothing to stop.
    await page.click('#stop', { timeout: 2_000 }).catch(() => undefined);
    await page.waitForFunction(`window.rnamDemo.runs > ${before}`, null, { timeout: 60_000, polling: 100 });
    assert.equal((await state()).errors, []);
  });

  test("a new file starts from its own guesses: nothing of the last file's window, task, target history or roles stays", async () => {
    await useCsv('stations.csv', smallCsv(), { id: 'station', time: 'day', target: 'y', window: 8 });
    await page.check('#map-history');
    await page.selectOption('#map-task', 'binary');
    await page.selectOption('#map-roles select[data-column="a"]', 'none');
    await page.setInputFiles('[data-testid=csv-input]', { name: 'again.csv', mimeType: 'text/csv', buffer: Buffer.from(smallCsv()) });
    await page.waitForFunction(`document.querySelector('#csv-info').textContent === 'again.csv: 160 rows, 5 columns. Map them:'`, null, { timeout: 20_000 });
    assert.is(await page.inputValue('#map-window'), '');
    assert.is(await page.isChecked('#map-history'), false);
    assert.is(await page.inputValue('#map-task'), '');
    assert.equal(await page.$$eval('#map-roles select', (s) => s.map((x) => (x as HTMLSelectElement).value)), ['auto', 'auto']);
    // The id and time read from the data: 'station' names its rows, 'day' tells them apart.
    assert.equal([await page.inputValue('#map-id'), await page.inputValue('#map-time'), await page.inputValue('#map-target')], ['station', 'day', 'y']);
  });

  test("a panel of the target alone: the page says its own past can be read, in the page's words", async () => {
    const lines = ['id,t,conc'];
    for (let p = 0; p < 6; p++) for (let t = 0; t < 8; t++) lines.push(`s${p},${t},${(Math.exp(-t / 3) * (1 + p / 10)).toFixed(4)}`);
    await page.setInputFiles('[data-testid=csv-input]', { name: 'alone.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
    await page.waitForFunction("document.querySelector('#csv-info').textContent.startsWith('alone.csv: 48 rows')", null, { timeout: 20_000 });
    await page.waitForFunction("window.rnamDemo.roles !== null", null, { timeout: 20_000 });
    assert.equal([await page.inputValue('#map-id'), await page.inputValue('#map-time'), await page.inputValue('#map-target')], ['id', 't', 'conc']);
    assert.is(await page.textContent('#roles-info'), "The library cannot use this mapping: no feature column besides id, time and target: 'Target history' reads the target's earlier values as a feature, and window mode (a window of steps) reads its past");
  });

  test('a forecast learned as its change explains a sample from its last value: the bars explain the change', async () => {
    const lines = ['day,level,noise'];
    let level = 50;
    for (let i = 0; i < 160; i++) lines.push(`${i},${(level += 0.5 + ((i * 7) % 5) * 0.1).toFixed(2)},${((i * 3) % 7) / 7}`);
    await useCsv('climb.csv', lines.join('\n'), { time: 'day', target: 'level', window: 4 });
    // The role list follows the window as it is typed, before the field loses focus (a click on Train would end the typing).
    const targetRole = () => page.$('#map-roles select[data-column="level"]');
    await page.fill('#map-window', '');
    assert.ok(await page.evaluate(() => document.activeElement?.id === 'map-window') && (await targetRole()) === null, 'no window: the target is no feature');
    await page.fill('#map-window', '4');
    assert.ok(await page.evaluate(() => document.activeElement?.id === 'map-window') && (await targetRole()) !== null, 'a window: the target\'s past is a feature');
    // The field losing focus (to a click on Train) finds nothing new: nothing is asked again, so nothing above the button moves.
    await page.waitForFunction('window.rnamDemo.roles !== null', null, { timeout: 20_000 });
    await page.dispatchEvent('#map-window', 'change');
    assert.ok((await state()).roles !== null, 'a change event that changes nothing asks nothing again');
    await page.selectOption('#model', 'additive');
    await page.fill('#members', '1');
    await page.fill('#epochs', '3');
    await untilDone(() => page.click('[data-testid=train]'));
    const summary = await page.textContent('#local-summary') ?? '';
    const m = summary.match(/prediction ([-0-9.e]+) = last value ([-0-9.e]+) \+ intercept ([-0-9.e]+) \+ contributions ([-0-9.e]+);/);
    assert.ok(m, summary);
    // The last value is one of the series' levels, near the prediction; the parts add up to it (3 significant digits each).
    const [prediction, from, intercept, contributions] = m!.slice(1).map(Number);
    assert.ok(from > 100 && Math.abs(prediction - from) < 10, summary);
    assert.ok(Math.abs(from + intercept + contributions - prediction) < 0.01 * prediction, summary);
    assert.match(await page.getAttribute('#local .bars', 'aria-label') ?? '', /^contributions to the change of .* from its last value$/);
  });

  test('the screenshot: the Seattle rain task, trained for a few epochs', async () => {
    await page.reload(); // a fresh page: no file names left in the inputs by the tests above
    await train({ data: 'weather', device: 'wasm', epochs: 8 });
    await assertChartsDrawn(4);
    const target = resolve(root, process.env.RNAM_DEMO_SCREENSHOT ?? join('out', 'demo.png'));
    mkdirSync(dirname(target), { recursive: true });
    await page.screenshot({ path: target, fullPage: true });
    console.log(`  demo screenshot: ${target}`);
  });

  test('an error before a run shows anything hides the results of the run before', async () => {
    assert.ok(await page.isVisible('.results'), 'the results of the run above');
    const lines = ['x,y', ...Array.from({ length: 60 }, (_, i) => `${(i * 7) % 13},${(i % 9) * 0.37}`)];
    // An invalid value in another data source's hidden field does not block Train.
    await page.check('input[name=data][value=seed]');
    await page.fill('#seed-samples', '250');
    await useCsv('numbers.csv', lines.join('\n'), { target: 'y' });
    await page.selectOption('#map-task', 'binary');  // the target holds numbers other than 0 and 1
    const before = (await state()).runs;
    await page.click('[data-testid=train]');
    await page.waitForFunction(`window.rnamDemo.runs > ${before}`, null, { timeout: 60_000, polling: 100 });
    assert.match(await page.textContent('[data-testid=status]') ?? '', /^Error: /);
    assert.not.ok(await page.isVisible('.results'), 'no results of another run beside the error');
    // A file that cannot be read says so where it was chosen, and the mapping of the file before goes.
    await page.setInputFiles('[data-testid=csv-input]', { name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.from('') });
    await page.waitForFunction("document.querySelector('#csv-info').textContent.startsWith('empty.csv cannot be used: ')", null, { timeout: 20_000 });
    assert.not.ok(await page.isVisible('#mapping'), 'no columns of numbers.csv left to map');
  });

  test('no page errors', () => {
    assert.equal(pageErrors, []);
  });
}

test.run();
