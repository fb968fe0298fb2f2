// The structure the architecture promises, checked: no import cycle under src/ (type imports
// included), a core (tensor, autograd, memory, shape) that imports nothing from ops/ or a backend
// implementation, errors.ts importing nothing, data/ reaching nothing in nn/, the wasm-only runtime
// parts under backend/wasm/, an import of the package that starts nothing (no wasm instance, no worker), and
// require('rnam') working (Node >= 20.19 loads ES modules without top-level await synchronously).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const test = suite('architecture');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith('.ts') ? [path] : [];
  });
}

/** Every module a file imports or re-exports from, type-only imports included (relative ones only). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
    const target = resolve(dirname(file), m[1].replace(/\.js$/, '.ts'));
    if (existsSync(target)) found.push(target);
  }
  return found;
}

const graph = new Map(sourceFiles(src).map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(root, f);

test('no import cycle under src/ (type-only imports count)', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (f: string, path: string[]) => {
    if (state.get(f) === 'done') return;
    if (state.get(f) === 'open') {
      cycles.push([...path.slice(path.indexOf(f)), f].map(rel).join(' -> '));
      return;
    }
    state.set(f, 'open');
    for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
    state.set(f, 'done');
  };
  for (const f of graph.keys()) visit(f, []);
  assert.equal(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});

test('the core (tensor, autograd, memory, shape) reaches nothing in ops/, nn/ or a backend implementation', () => {
  const core = ['tensor.ts', 'autograd.ts', 'memory.ts', 'shape.ts'].map((f) => join(src, f));
  const reached = new Set<string>();
  const walk = (f: string) => {
    for (const g of graph.get(f) ?? []) if (!reached.has(g)) { reached.add(g); walk(g); }
  };
  core.forEach(walk);
  const bad = [...reached].map(rel).filter((f) => /^src\/(ops|nn|train|io|data)\//.test(f) || /^src\/backend\/(wasm|webgpu)/.test(f) || f === 'src/backend/select.ts');
  assert.equal(bad, [], `the core reaches ${bad.join(', ')}`);
});

/** Every file `from` reaches through imports, itself excluded. */
function reachedFrom(from: string[]): Set<string> {
  const reached = new Set<string>();
  const walk = (f: string) => {
    for (const g of graph.get(f) ?? []) if (!reached.has(g)) { reached.add(g); walk(g); }
  };
  from.forEach(walk);
  return reached;
}

test('errors.ts imports nothing (every layer, the backends included, may import it)', () => {
  assert.equal((graph.get(join(src, 'errors.ts')) ?? []).map(rel), []);
});

test('data/ reaches nothing in nn/ (modules are built from data, never the other way)', () => {
  const data = [...graph.keys()].filter((f) => rel(f).startsWith('src/data/'));
  assert.ok(data.length > 0, 'no files under src/data/');
  const bad = [...reachedFrom(data)].map(rel).filter((f) => f.startsWith('src/nn/'));
  assert.equal(bad, [], `src/data/ reaches ${bad.join(', ')}`);
});

test('the wasm-only runtime parts live under backend/wasm/ and only the wasm backend imports them', () => {
  for (const f of ['thread-pool.ts', 'allocator.ts']) {
    assert.ok(existsSync(join(src, 'backend', 'wasm', f)), `src/backend/wasm/${f}`);
    assert.not.ok(existsSync(join(src, 'backend', f)), `src/backend/${f} should have moved to src/backend/wasm/`);
  }
  const outside = [...graph.entries()]
    .filter(([f, deps]) => !rel(f).startsWith('src/backend/wasm/') && deps.some((d) => /^src\/backend\/wasm\/(thread-pool|allocator)\.ts$/.test(rel(d))))
    .map(([f]) => rel(f));
  assert.equal(outside, [], `imported outside the wasm backend by ${outside.join(', ')}`);
});

const dist = join(root, 'dist', 'rnam.node.js');

test('importing the package creates no wasm instance and starts no worker; the first tensor does', () => {
  // A child process counts WebAssembly instantiations and worker starts around the import.
  const probe = `
    const wt = process.getBuiltinModule('node:worker_threads');
    let workers = 0, instances = 0;
    const W = wt.Worker;
    wt.Worker = class extends W { constructor(...a) { super(...a); workers++; } };
    for (const k of ['instantiate', 'compile']) {
      const f = WebAssembly[k];
      WebAssembly[k] = (...a) => { instances++; return f.apply(WebAssembly, a); };
    }
    const I = WebAssembly.Instance;
    WebAssembly.Instance = class extends I { constructor(...a) { super(...a); instances++; } };
    const rnam = await import(${JSON.stringify(dist)});
    const atImport = { workers, instances };
    const t = rnam.tensor([1, 2, 3]);
    await rnam.add(t, t).toArray();
    console.log(JSON.stringify({ atImport, afterUse: { workers, instances } }));
  `;
  const file = join(mkdtempSync(join(tmpdir(), 'rnam-probe-')), 'probe.mjs');
  writeFileSync(file, probe);
  const out = execFileSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, RNAM_THREADS: '2' } });
  const { atImport, afterUse } = JSON.parse(out.trim().split('\n').pop()!);
  assert.equal(atImport, { workers: 0, instances: 0 }, 'work done at import');
  assert.ok(afterUse.instances > 0, 'the first tensor instantiates the wasm kernels');
});

test("require('rnam') works (no top-level await in the bundle)", () => {
  const out = execFileSync(process.execPath, ['-e', `const r = require(${JSON.stringify(dist)}); console.log(typeof r.tensor, typeof r.FirstOrderRNAM, r.tensor([1, 2]).toArraySync().join(','))`],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.is(out.trim(), 'function function 1,2');
});

test.run();
