// The backends the shared op suites run on: wasm always, WebGPU when this machine has it.
// In Node, WebGPU is Dawn (the optional `webgpu` package); without a GPU it runs on SwiftShader,
// the Vulkan CPU driver Debian's chromium package ships, which VK_ICD_FILENAMES points Dawn at.
// Without WebGPU the suites say why and count a skip; RNAM_REQUIRE_WEBGPU=1 (CI) makes that a failure.
// A per-backend suite is written once with forEachBackend, which runs it on each backend in turn.
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { suite, type Test } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../../src/index.js';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
export const requireWebGPU = process.env.RNAM_REQUIRE_WEBGPU === '1';

if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
process.env.XDG_RUNTIME_DIR ??= tmpdir(); // quiets the Vulkan loader

let gpu: Promise<rnam.WebGPUBackend | string> | null = null;

/** The WebGPU backend, or the reason there is none. */
export function webgpuBackend(): Promise<rnam.WebGPUBackend | string> {
  gpu ??= rnam.device('webgpu').then(
    (d) => d as unknown as rnam.WebGPUBackend,
    (err: Error) => `${err.message}${existsSync(SWIFTSHADER_ICD) ? '' : ` (no SwiftShader driver at ${SWIFTSHADER_ICD}: apt-get install chromium libvulkan1)`}`,
  );
  return gpu;
}

/** Registers a skipped test naming the reason (or, under RNAM_REQUIRE_WEBGPU=1, a failing one). */
export function reportUnavailable(what: string, reason: string): void {
  const s = suite(`${what}: WebGPU unavailable`);
  if (requireWebGPU) {
    s(`${what} needs WebGPU (RNAM_REQUIRE_WEBGPU=1)`, () => assert.unreachable(reason));
  } else {
    console.log(`  skipping ${what} on WebGPU: ${reason}`);
    s.skip(`${what} on WebGPU (${reason})`, () => {});
  }
  s.run();
}

export async function availableBackends(what = 'the shared suite'): Promise<rnam.Backend[]> {
  const backends: rnam.Backend[] = [await rnam.device('wasm')];
  const g = await webgpuBackend();
  if (typeof g === 'string') reportUnavailable(what, g);
  else backends.push(g);
  return backends;
}

export interface ForEachBackendOptions {
  /** Only these kinds of backend (default both); a WebGPU-only suite still reports a missing WebGPU. */
  kinds?: readonly rnam.BackendKind[];
}

/**
 * Registers and runs one uvu suite per available backend, named `${name} on ${backend.description}`:
 * body(s, backend) adds the suite's tests. Without WebGPU its suite is a skip naming the reason (a
 * failure under RNAM_REQUIRE_WEBGPU=1). Suites run one after the other, wasm first.
 */
export async function forEachBackend(name: string, body: (s: Test, backend: rnam.Backend) => void | Promise<void>,
  options: ForEachBackendOptions = {}): Promise<void> {
  const kinds = options.kinds ?? ['wasm', 'webgpu'];
  const backends = (await availableBackends(name)).filter((b) => kinds.includes(b.kind));
  for (const backend of backends) {
    const s = suite(`${name} on ${backend.description}`);
    await body(s, backend);
    s.run();
  }
}
