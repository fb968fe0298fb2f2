// rnam.device('auto') in Node on Linux: a machine without a GPU device node (no /dev/dri render
// node, no /dev/nvidia*, no /dev/dxg) can have no hardware adapter, so 'auto' takes wasm without
// loading Dawn, whose probe would print Vulkan warnings on stderr. A Vulkan driver named in the
// environment (SwiftShader for the WebGPU tests) is still probed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as rnam from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = pathToFileURL(join(root, 'dist', 'rnam.node.js')).href;

const entries = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};
const gpuNode = entries('/dev/dri').length > 0 || entries('/dev').some((n) => n.startsWith('nvidia') || n === 'dxg');

/** device('auto') in a fresh Node process with `env`: its kind, reason and stderr. */
function autoDevice(env: NodeJS.ProcessEnv): { kind: string; reason: string; stderr: string } {
  const script = `import * as rnam from ${JSON.stringify(dist)}; const d = await rnam.device('auto'); console.log(JSON.stringify({ kind: d.kind, reason: d.reason })); process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()!), stderr: r.stderr };
}

const test = suite('device selection');

test("'auto' without a GPU device node takes wasm without asking Dawn, and says why; elsewhere Dawn is asked", () => {
  const env = { ...process.env };
  for (const v of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES']) delete env[v];
  const d = autoDevice(env);
  if (process.platform === 'linux' && !gpuNode) {
    assert.is(d.kind, 'wasm');
    assert.match(d.reason, /^wasm: WebGPU is not available \(this Linux machine has no GPU device node \(\/dev\/dri, \/dev\/nvidia\*, \/dev\/dxg\), so Dawn was not asked\)$/);
    assert.not.match(d.stderr, /Vulkan|Dawn|XDG_RUNTIME_DIR/, 'nothing on stderr from a probe');
  } else {
    assert.not.match(d.reason, /no GPU device node/, d.reason);
  }
});

test("a Vulkan driver named in the environment is probed even without a device node", () => {
  // A driver file that does not exist: Dawn is asked (and finds no adapter through it).
  const d = autoDevice({ ...process.env, VK_ICD_FILENAMES: join(root, 'no-such-icd.json') });
  assert.not.match(d.reason, /no GPU device node/, d.reason);
  assert.is(d.kind, 'wasm', d.reason);
});

test('a device option takes a device or its name; anything else is an ArgumentError naming the call', async () => {
  const bytes = rnam.save(new rnam.MinGRU(1, 2));
  const loaded = await rnam.load(bytes, { device: 'wasm' });
  assert.is(loaded.model.parameters()[0].device.kind, 'wasm');
  const failure = (p: Promise<unknown>) => p.then(() => null, (e: Error) => e);
  for (const bad of ['gpu', 42, {}] as unknown as rnam.DeviceKind[]) {
    const l = await failure(rnam.load(bytes, { device: bad }));
    assert.ok(l instanceof rnam.ArgumentError && /^load: device must be/.test(l.message), `load ${String(bad)}: ${l}`);
    const t = await failure(rnam.trainTable('x,y\n1,2\n2,3\n3,4\n', { target: 'y', device: bad, log: null }));
    assert.ok(t instanceof rnam.ArgumentError && /^trainTable: device must be/.test(t.message), `trainTable ${String(bad)}: ${t}`);
  }
  const d = await failure(rnam.device('cuda' as rnam.DeviceKind));
  assert.ok(d instanceof rnam.ArgumentError && /unknown device kind 'cuda'/.test(d.message), String(d));
});

test.run();
