// The dispatcher: rnam.device('auto' | 'wasm' | 'webgpu').
// WebGPU comes from navigator.gpu in a browser and from the optional `webgpu` package (Dawn) in
// Node, imported only when a device is asked for (the browser bundle replaces it with a stub).
import type { Backend } from './backend.js';
import { WebGPUBackend, type WebGPUBackendOptions } from './webgpu/backend.js';
import { cpu } from './default-device.js';
import { ArgumentError, DeviceError, describeValue } from '../errors.js';

export { cpu };

export type DeviceKind = 'auto' | 'wasm' | 'webgpu';

/** A backend as rnam.device() returns it: `reason` says why the latest device() call chose it. */
export type Device = Backend & { readonly reason: string };

export interface DeviceInfo {
  backend: Backend;
  /** Why 'auto' chose this backend. */
  reason: string;
}

export interface DeviceOptions extends WebGPUBackendOptions {
  /** With 'auto', take a WebGPU adapter even when it is a CPU emulation (SwiftShader); default false. */
  allowCpuEmulation?: boolean;
}

let lastReason = 'wasm: the default CPU backend';
let gpuBackend: Promise<WebGPUBackend> | null = null;
let dawnGpu: unknown = null;

const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** The WebGPU entry point of this environment, or an Error saying why there is none. */
async function gpuEntry(): Promise<unknown> {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav?.gpu) return nav.gpu;
  if (!isNode) {
    throw new Error(nav ? 'this browser has no WebGPU (navigator.gpu is undefined; it needs a secure context and a browser with WebGPU enabled)'
      : 'no navigator.gpu in this environment');
  }
  let mod: { create: (flags: string[]) => unknown };
  try {
    mod = await import('webgpu');
  } catch (err) {
    throw new DeviceError(`in Node, WebGPU comes from the 'webgpu' package (Dawn), an optional peer dependency of rnam that is ` +
      `not installed or could not be loaded; install it next to rnam with \`npm install webgpu\` ` +
      `(${(err as Error).message.split('\n')[0]})`, { cause: err });
  }
  // Dawn's GPU object must outlive its devices (collecting it while a device lives crashes Dawn).
  dawnGpu ??= mod.create([]);
  return dawnGpu;
}

/**
 * Why a hardware WebGPU adapter cannot exist here, or null when one may (then Dawn is asked). On
 * Linux every GPU driver Dawn can use (Vulkan) opens a device node: a DRM render node in /dev/dri,
 * NVIDIA's /dev/nvidia*, or WSL's /dev/dxg. Without one, Dawn's probe finds no hardware adapter and
 * prints Vulkan warnings on stderr; 'auto' skips it. A Vulkan driver named in the environment
 * (VK_ICD_FILENAMES, VK_DRIVER_FILES, VK_ADD_DRIVER_FILES: SwiftShader, say) is always probed.
 */
function noGpuDeviceNode(): string | null {
  if (!isNode || process.platform !== 'linux') return null;
  if (['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'VK_ADD_DRIVER_FILES'].some((v) => process.env[v])) return null;
  const getBuiltin = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof getBuiltin !== 'function') return null;
  const fs = getBuiltin('node:fs') as typeof import('node:fs');
  const entries = (dir: string): string[] => {
    try {
      return fs.readdirSync(dir);
    } catch {
      return [];
    }
  };
  if (entries('/dev/dri').length > 0 || entries('/dev').some((n) => n.startsWith('nvidia') || n === 'dxg')) return null;
  return 'this Linux machine has no GPU device node (/dev/dri, /dev/nvidia*, /dev/dxg), so Dawn was not asked';
}

/** The default CPU backend, its threads started. */
async function readyCpu(): Promise<typeof cpu> {
  // The default backend is lazy (nothing starts at import); asking for a device is where its
  // workers start and are waited for. A failed start leaves it on one thread (see threadsReason).
  await cpu.ready().catch(() => undefined);
  return cpu;
}

function label<T extends Backend>(backend: T, reason: string): T & Device {
  lastReason = reason;
  Object.defineProperty(backend, 'reason', { value: reason, configurable: true, enumerable: false, writable: false });
  return backend as T & Device;
}

/** The process-wide WebGPU backend (one device, shared by every device('webgpu') call). */
async function webgpu(options: WebGPUBackendOptions): Promise<WebGPUBackend> {
  if (!gpuBackend) {
    gpuBackend = gpuEntry().then((gpu) => WebGPUBackend.create({ ...options, gpu }));
    gpuBackend.catch(() => { gpuBackend = null; });
  }
  const backend = await gpuBackend;
  if (backend.lost) {
    gpuBackend = null;
    return webgpu(options);
  }
  return backend;
}

/**
 * Picks a backend. 'wasm' is the CPU; 'webgpu' is the GPU or an error saying why there is none;
 * 'auto' takes WebGPU when a hardware adapter exists and otherwise wasm, saying why in
 * `device.reason` and `rnam.deviceReason()` (on Linux without a GPU device node, without asking Dawn). A CPU-emulated adapter (SwiftShader) is slower than
 * the wasm backend, so 'auto' passes it over unless `allowCpuEmulation` is set.
 */
export async function device(kind: DeviceKind = 'auto', options: DeviceOptions = {}): Promise<Device> {
  switch (kind) {
    case 'wasm':
      return label(await readyCpu(), 'wasm: asked for by name');
    case 'webgpu': {
      let backend: WebGPUBackend;
      try {
        backend = await webgpu(options);
      } catch (err) {
        throw new DeviceError(`device('webgpu'): WebGPU is not available: ${(err as Error).message}`, { cause: err });
      }
      return label(backend, `webgpu: asked for by name (${backend.description})`);
    }
    case 'auto': {
      const noNode = options.allowCpuEmulation ? null : noGpuDeviceNode();
      if (noNode) return label(await readyCpu(), `wasm: WebGPU is not available (${noNode})`);
      let backend: WebGPUBackend;
      try {
        backend = await webgpu(options);
      } catch (err) {
        return label(await readyCpu(), `wasm: WebGPU is not available (${(err as Error).message})`);
      }
      if (backend.cpuEmulation && !options.allowCpuEmulation) {
        return label(await readyCpu(), `wasm: the only WebGPU adapter is a CPU emulation (${backend.adapterName}), slower than the wasm backend`);
      }
      return label(backend, `webgpu: ${backend.description}`);
    }
    default:
      throw new ArgumentError(`device(): unknown device kind ${describeValue(kind)} (expected 'auto', 'wasm' or 'webgpu')`);
  }
}

/** Why the last device() call chose what it chose. */
export function deviceReason(): string {
  return lastReason;
}

/** Checks a `device` option as the library takes it (a device, or 'auto', 'wasm', 'webgpu'): an ArgumentError naming `where` otherwise. */
export function checkDeviceOption(where: string, value: unknown): void {
  const named = value === 'auto' || value === 'wasm' || value === 'webgpu';
  if (!named && !(typeof value === 'object' && value !== null && typeof (value as Partial<Backend>).alloc === 'function')) {
    throw new ArgumentError(`${where}: device must be 'auto', 'wasm', 'webgpu' or a device from rnam.device(), got ${describeValue(value)}`);
  }
}

/** A checked `device` option: a device as it is, a kind's name chosen by device(). */
export async function deviceOption<B extends Backend>(where: string, value: DeviceKind | B): Promise<B | Device> {
  checkDeviceOption(where, value);
  return typeof value === 'string' ? device(value) : value;
}
