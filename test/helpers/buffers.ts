// Direct kernel calls for the kernel suites: upload arrays, run, read back.
import type { Backend, DeviceBuffer } from '../../src/index.js';

export class Buffers {
  private readonly owned: DeviceBuffer[] = [];
  constructor(readonly dev: Backend) {}

  upload(values: Float32Array): DeviceBuffer {
    const b = this.dev.alloc(values.length);
    this.dev.write(b, values);
    this.owned.push(b);
    return b;
  }

  /** A buffer filled with NaN, so a kernel that forgets to write an element is caught. */
  output(numel: number): DeviceBuffer {
    return this.upload(new Float32Array(numel).fill(NaN));
  }

  read(b: DeviceBuffer): Promise<Float32Array> {
    return this.dev.read(b);
  }

  freeAll(): void {
    for (const b of this.owned.splice(0)) this.dev.free(b);
  }
}
