// The dispatcher: rnam.device('auto' | 'wasm' | 'webgpu').
import type { Backend } from './backend.js';
import { WasmBackend } from './wasm.js';

export type DeviceKind = 'auto' | 'wasm' | 'webgpu';

/** The CPU backend every tensor lands on unless told otherwise; ready when the package is imported. */
export const cpu: WasmBackend = await WasmBackend.create();

export interface DeviceInfo {
  backend: Backend;
  /** Why 'auto' chose this backend. */
  reason: string;
}

let lastReason = 'wasm: the default CPU backend';

/** Picks a backend. 'auto' prefers WebGPU when it exists and falls back to wasm, saying why in reason(). */
export async function device(kind: DeviceKind = 'auto'): Promise<Backend> {
  switch (kind) {
    case 'wasm':
      lastReason = "wasm: asked for by name";
      return cpu;
    case 'auto':
      lastReason = 'wasm: this build of rnam has no WebGPU backend yet';
      return cpu;
    case 'webgpu':
      throw new Error("device('webgpu'): this build of rnam has no WebGPU backend yet; use 'wasm' or 'auto'");
    default:
      throw new Error(`device(): unknown device kind '${String(kind)}' (expected 'auto', 'wasm' or 'webgpu')`);
  }
}

/** Why the last device() call chose what it chose. */
export function deviceReason(): string {
  return lastReason;
}
