// The built browser bundle (dist/rnam.browser.js) in headless Chromium: a MinGRU + Linear forward
// and an Adam training step on the wasm backend and on WebGPU (SwiftShader here), compared.
// The files are served from a localhost server this test starts (with the cross-origin isolation
// headers the threaded wasm backend needs). Skipped with the reason when Chromium is missing;
// under RNAM_REQUIRE_WEBGPU=1 that is a failure.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { requireWebGPU } from './helpers/backends.js';
import { BROWSER_BUNDLE, CHROMIUM, CHROMIUM_FLAGS, loadPlaywright } from './helpers/chromium.js';
import { assertClose } from './helpers/util.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const bundle = BROWSER_BUNDLE;
const FLAGS = CHROMIUM_FLAGS;
const { playwright, why } = await loadPlaywright();

const test = suite('browser bundle in headless Chromium');

if (!playwright) {
  if (requireWebGPU) test('the browser suite needs Chromium (RNAM_REQUIRE_WEBGPU=1)', () => assert.unreachable(why));
  else {
    console.log(`  skipping the browser suite: ${why}`);
    test.skip(`browser suite (${why})`, () => {});
  }
} else {
  const { chromium } = playwright;
  let server: Server;
  let url = '';
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  const pageErrors: string[] = [];

  test.before(async () => {
    const types: Record<string, string> = { '.js': 'text/javascript', '.html': 'text/html', '.map': 'application/json' };
    server = createServer((req, res) => {
      const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
      const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };
      if (path === '/') {
        res.writeHead(200, { ...headers, 'content-type': 'text/html' });
        res.end('<!doctype html><meta charset="utf-8"><title>rnam</title>');
        return;
      }
      const file = join(root, path);
      if (!path.startsWith('/dist/') || !existsSync(file)) {
        res.writeHead(404, headers);
        res.end();
        return;
      }
      res.writeHead(200, { ...headers, 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    url = `http://localhost:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
  });

  test.after(async () => {
    await browser?.close();
    await new Promise((ok) => server?.close(ok));
  });

  interface Outcome {
    kind: string; reason: string; description: string; hasGpu: boolean;
    forward: number[]; loss: number; grads: number[]; weights: number[]; lossAfter: number;
    submits?: number; dispatches?: number;
  }

  /** One forward, backward and Adam step of Linear -> MinGRU -> Linear on the named device, in the page. */
  async function scenario(kind: 'wasm' | 'webgpu'): Promise<Outcome> {
    const page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') pageErrors.push(m.text()); });
    await page.goto(url);
    try {
      return await page.evaluate(`(${SCENARIO})(${JSON.stringify(kind)})`) as Outcome;
    } finally {
      await page.close();
    }
  }

  // Plain JavaScript text: the test runner's TypeScript transform must not touch what runs in the page.
  const SCENARIO = String.raw`async (kind) => {
        const rnam = await import('/dist/rnam.browser.js');
        const dev = await rnam.device(kind);
        rnam.manualSeed(11);
        const terms = 2, batch = 3, seq = 6;
        const emb = new rnam.Linear(terms, 1, 4).to(dev);
        const gru = new rnam.MinGRU(terms, 4, { expansionFactor: 2 }).to(dev);
        const head = new rnam.Linear(terms, 4, 1).to(dev);
        const params = [...emb.parameters(), ...gru.parameters(), ...head.parameters()];
        const opt = new rnam.Adam(params, { lr: 0.01 });
        const n = terms * batch * seq;
        const x = rnam.tensor(Array.from({ length: n }, (_, i) => Math.sin(i * 0.7)), [terms, batch, seq, 1], { device: dev });
        const y = rnam.tensor(Array.from({ length: n }, (_, i) => Math.cos(i * 0.3)), [terms, batch, seq, 1], { device: dev });
        const run = () => head.forward(gru.forward(emb.forward(x))[0]);
        const out = run();
        const loss = rnam.mseLoss(out, y);
        const forward = [...await out.toArray()];
        const lossValue = await loss.item();
        loss.backward();
        const grads = [];
        for (const p of params) grads.push(...await p.grad.toArray());
        opt.step();
        opt.zeroGrad();
        const weights = [];
        for (const p of params) weights.push(...await p.toArray());
        const lossAfter = await rnam.mseLoss(run(), y).item();
        const stats = dev.stats ? dev.stats() : {};
        return {
          kind: dev.kind, reason: dev.reason, description: dev.description, hasGpu: !!navigator.gpu,
          forward, loss: lossValue, grads, weights, lossAfter, submits: stats.submits, dispatches: stats.dispatches,
        };
      }`;

  let wasm: Outcome;

  test('the bundle loads and trains on the wasm backend', async () => {
    wasm = await scenario('wasm');
    assert.is(wasm.kind, 'wasm', pageErrors.join('\n'));
    assert.ok(wasm.forward.every(Number.isFinite));
    assert.ok(wasm.lossAfter < wasm.loss, `an Adam step lowers the loss (${wasm.loss} -> ${wasm.lossAfter})`);
  });

  test('the same forward, gradients and Adam step on WebGPU match wasm', async () => {
    let gpu: Outcome;
    try {
      gpu = await scenario('webgpu');
    } catch (err) {
      const message = `WebGPU in Chromium failed: ${(err as Error).message.split('\n')[0]} ${pageErrors.join('; ')}`;
      if (requireWebGPU) throw new Error(message);
      console.log(`  skipping the WebGPU half of the browser suite: ${message}`);
      return;
    }
    assert.is(gpu.kind, 'webgpu');
    assert.ok(gpu.hasGpu);
    console.log(`  browser WebGPU adapter: ${gpu.description}; ${gpu.dispatches} dispatches, ${gpu.submits} submits`);
    assertClose(gpu.forward, wasm.forward, 'forward', 1e-4, 1e-5);
    assertClose([gpu.loss], [wasm.loss], 'loss', 1e-4, 1e-6);
    assertClose(gpu.grads, wasm.grads, 'gradients', 1e-3, 1e-5);
    assertClose(gpu.weights, wasm.weights, 'weights after Adam', 1e-4, 1e-5);
    assertClose([gpu.lossAfter], [wasm.lossAfter], 'loss after the step', 1e-4, 1e-6);
  });

  test("'auto' in the browser picks a backend and says why", async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const r = await page.evaluate(`(async () => {
      const rnam = await import('/dist/rnam.browser.js');
      const d = await rnam.device('auto');
      return { kind: d.kind, reason: d.reason, same: rnam.deviceReason() === d.reason };
    })()`) as { kind: string; reason: string; same: boolean };
    await page.close();
    assert.ok(r.kind === 'wasm' || r.kind === 'webgpu');
    assert.ok(r.reason.length > 0 && r.same, JSON.stringify(r));
  });

  test('in the page: save a model, load it back (wasm bit for bit, and onto WebGPU), loadFile refuses without Node', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    const r = await page.evaluate(`(async () => {
      const rnam = await import('/dist/rnam.browser.js');
      rnam.manualSeed(4);
      const model = new rnam.SequenceModel({ cell: 'gru', inputSize: 2, hiddenSize: 3, outDim: 1 });
      const x = () => rnam.tensor(Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 3, 2]);
      const want = [...model.forward(x()).toArraySync()];
      const bytes = rnam.save(model, { task: 'regression', featureNames: ['a', 'b'] });
      const { model: back, metadata } = await rnam.load(bytes);
      const again = [...back.forward(x()).toArraySync()];
      let onGpu = null;
      if (navigator.gpu) {
        const gpu = await rnam.device('webgpu');
        const { model: m } = await rnam.load(bytes, { device: gpu });
        onGpu = [...await m.forward(rnam.tensor(Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 3, 2], { device: gpu })).toArray()];
      }
      let nodeOnly = '';
      try { await rnam.loadFile('model.safetensors'); } catch (e) { nodeOnly = e.message; }
      return { want, again, onGpu, featureNames: metadata.featureNames, cls: metadata.class, nodeOnly };
    })()`) as { want: number[]; again: number[]; onGpu: number[] | null; featureNames: string[]; cls: string; nodeOnly: string };
    await page.close();
    assert.equal(r.again, r.want, 'bitwise after a round trip in the page');
    assert.equal(r.featureNames, ['a', 'b']);
    assert.is(r.cls, 'SequenceModel');
    assert.match(r.nodeOnly, 'needs Node');
    if (r.onGpu) assertClose(r.onGpu, r.want, 'loaded onto WebGPU in the page', 1e-4, 1e-5);
    else if (requireWebGPU) assert.unreachable('no navigator.gpu in the page');
  });

  test('the browser bundle does not reference the Node-only Dawn package', () => {
    const text = readFileSync(bundle, 'utf8');
    assert.not.match(text, /from\s*["']webgpu["']|import\(\s*["']webgpu["']\s*\)|require\(\s*["']webgpu["']\s*\)/);
  });
}

test.run();
