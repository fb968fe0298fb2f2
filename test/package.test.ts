// The package as a user installs it: `npm pack --dry-run` lists only what is loaded (the two
// bundles, the command line, rnam/plot and the job worker, the declarations) and what is read (README,
// the docs/*.md it links to, LICENSE), no source maps, no .wasm files (the bundles embed
// the wasm), no base64 in the declarations; `webgpu` is an optional peer dependency and its absence
// is a DeviceError saying how to install it; bullmq and ioredis (the job queue) are optional dependencies no bundle carries; the declarations type-check with the TypeScript here.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const test = suite('package');

interface PackResult { size: number; unpackedSize: number; files: { path: string; size: number }[] }
let packed: PackResult | null = null;
function pack(): PackResult {
  // --ignore-scripts: `prepare` would rebuild (npm test builds first) and print into the JSON
  packed ??= (JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as PackResult[])[0];
  return packed;
}

test('the tarball holds the bundles, the command line, the declarations, README, the docs, LICENSE and package.json, nothing else', () => {
  const paths = pack().files.map((f) => f.path);
  for (const want of ['dist/rnam.node.js', 'dist/rnam.browser.js', 'dist/job-worker.js', 'dist/types/index.d.ts', 'README.md', 'docs/api.md', 'docs/cli.md', 'LICENSE', 'package.json']) {
    assert.ok(paths.includes(want), `${want} is missing from the tarball`);
  }
  for (const want of ['bin/rnam.js', 'dist/cli.js', 'dist/plot.js']) assert.ok(paths.includes(want), `${want} (the command line, rnam/plot) is missing from the tarball`);
  const stray = paths.filter((p) => !/^dist\/(rnam\.(node|browser)|cli|plot|job-worker)\.js$|^bin\/rnam\.js$|^dist\/types\/.*\.d\.ts$|^docs\/[a-z-]+\.md$|^(README\.md|LICENSE|package\.json)$/.test(p));
  assert.equal(stray, [], `files the package does not load: ${stray.join(', ')}`);
});

test('no source maps, no .wasm files, no declaration holding base64 wasm; sizes bounded', () => {
  const { files, size, unpackedSize } = pack();
  assert.equal(files.filter((f) => /\.map$|\.wasm$/.test(f.path)).map((f) => f.path), []);
  for (const f of files.filter((g) => g.path.endsWith('.d.ts'))) {
    assert.ok(f.size < 64 * 1024, `${f.path} is ${f.size} bytes`);
    const text = readFileSync(join(root, f.path), 'utf8');
    assert.not.ok(/[A-Za-z0-9+/]{1000,}/.test(text), `${f.path} holds a base64 blob`);
  }
  const bundles = files.filter((f) => f.path.endsWith('.js'));
  bundles.forEach((b) => assert.ok(b.size < 1024 * 1024, `${b.path} is ${b.size} bytes`));
  // Three bundles of about 0.9 MB each: the Node and browser libraries (readable, with both wasm
  // builds inline, 140 kB) and the command line's (minified; vega and vega-lite for its report's
  // charts); the docs add about 0.3 MB (0.08 MB packed).
  assert.ok(size < 1.15 * 1024 * 1024, `tarball ${size} bytes`);
  assert.ok(unpackedSize < 3.8 * 1024 * 1024, `unpacked ${unpackedSize} bytes`);
});

test('webgpu is an optional peer dependency (and a dev dependency), never installed for consumers', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.ok(pkg.peerDependencies?.webgpu, 'peerDependencies.webgpu');
  assert.equal(pkg.peerDependenciesMeta?.webgpu, { optional: true });
  assert.ok(pkg.devDependencies?.webgpu, 'devDependencies.webgpu');
  assert.not.ok(pkg.dependencies?.webgpu ?? pkg.optionalDependencies?.webgpu, 'webgpu in dependencies or optionalDependencies');
  assert.match(readFileSync(join(root, 'LICENSE'), 'utf8'), /MIT License[\s\S]*rnam contributors/);
  assert.is(pkg.license, 'MIT');
});

test('bullmq and ioredis are optional dependencies that no bundle carries: Node loads them at run time, the browser bundle never', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  for (const name of ['bullmq', 'ioredis']) {
    assert.ok(pkg.optionalDependencies?.[name], `optionalDependencies.${name}`);
    assert.not.ok(pkg.dependencies?.[name], `${name} in dependencies`);
  }
  const bundle = (name: string) => readFileSync(join(root, 'dist', name), 'utf8');
  // Strings of their sources: BullMQ's job-id check and ioredis' retry message.
  for (const name of ['rnam.node.js', 'rnam.browser.js', 'cli.js']) {
    assert.not.ok(bundle(name).includes('Custom Id cannot be integers'), `${name} bundles bullmq`);
    assert.not.ok(bundle(name).includes('Reached the max retries per request limit'), `${name} bundles ioredis`);
  }
  assert.match(bundle('rnam.node.js'), 'import("bullmq")');
  assert.not.match(bundle('rnam.browser.js'), 'import("bullmq")');
});

test('without the webgpu package, device(\'webgpu\') is a DeviceError saying `npm install webgpu`; wasm still works', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnam-no-dawn-')); // no node_modules on the way up
  try {
    copyFileSync(join(root, 'dist', 'rnam.node.js'), join(dir, 'rnam.node.mjs'));
    writeFileSync(join(dir, 'probe.mjs'), `import * as rnam from './rnam.node.mjs';
const t = rnam.tensor([1, 2, 3]);
console.log('wasm', (await t.toArray()).join(','));
try { await rnam.device('webgpu'); console.log('no error'); } catch (e) { console.log(String(e instanceof rnam.DeviceError) + ' ' + e.message); }
process.exit(0);
`);
    const out = execFileSync(process.execPath, ['probe.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    assert.match(out, /^wasm 1,2,3$/m, JSON.stringify(out));
    assert.match(out, /^true .*optional peer dependency.*npm install webgpu/m, JSON.stringify(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the bundle starts its job workers from dist/job-worker.js next to it: 2 workers give the bits of 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnam-workers-'));
  try {
    for (const f of ['rnam.node.js', 'job-worker.js']) copyFileSync(join(root, 'dist', f), join(dir, f));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'probe.js'), `import * as rnam from './rnam.node.js';
const lines = ['id,x,y'];
for (let i = 0; i < 30; i++) lines.push(\`r\${i},\${(i * 7) % 11},\${(i * 3) % 5}\`);
const o = { id: 'id', target: 'y', folds: 3, members: 1, epochs: 2, device: 'wasm' };
const one = await rnam.crossValidate(lines.join('\\n'), o), two = await rnam.crossValidate(lines.join('\\n'), { ...o, workers: 2 });
console.log(JSON.stringify(rnam.toJsonSafe(one)) === JSON.stringify(rnam.toJsonSafe(two)) ? 'same' : 'differ', String(one.folds.length));
`);
    const out = execFileSync(process.execPath, ['probe.js'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: '' } });
    assert.match(out, /^same 3$/m, JSON.stringify(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// The WebGPU backend's declarations name GPUDevice and GPUBuffer: a consumer that checks library
// declarations (skipLibCheck false) needs @webgpu/types, as the README says.
test(`the declarations type-check in a strict consumer with TypeScript ${ts.version} and @webgpu/types (the minimum is 5.7: generic typed arrays)`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'rnam-types-'));
  try {
    const file = join(dir, 'consumer.ts');
    writeFileSync(file, `import * as rnam from ${JSON.stringify(join(root, 'dist', 'types', 'index.js'))};
const x: rnam.Tensor = rnam.zeros([2, 3]);
const model = new rnam.FirstOrderRNAM({ terms: 2, hiddenDim: 4, outDim: 1, blocks: 1 });
const err: rnam.RnamError = new rnam.NonFiniteError('x');
export const used = [x, model, err];
`);
    const program = ts.createProgram([file], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, skipLibCheck: false, types: ['@webgpu/types'], typeRoots: [join(root, 'node_modules')] });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    assert.equal(diagnostics, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
