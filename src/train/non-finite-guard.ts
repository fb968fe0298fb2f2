// fit's step guard: stops training before a non-finite loss or gradient reaches the weights, on
// every backend, without reading anything per step. Each step first runs flag_nonfinite over the
// loss and every gradient into one device float; the optimizer's update kernels skip when it is
// set (Optimizer.step with a guard). The flag is sticky and holds the first bad step's mark, so
// the weights stay as they were before that step however late the flag is read (check()).
import { Tensor } from '../tensor.js';
import { NonFiniteError, deviceMismatch } from '../errors.js';
import type { Backend } from '../backend/backend.js';
import type { Optimizer } from '../optim/optimizer.js';

/** Marks are exact float32 integers; steps past this many share the last mark. */
const MAX_MARK = 2 ** 24;

export class NonFiniteGuard {
  private readonly flag: Tensor;
  private readonly steps: { epoch: number; step: number }[] = [];

  constructor(readonly device: Backend) {
    this.flag = Tensor.empty([1], device);
    device.fill({ out: this.flag.buffer, n: 1, value: 0 });
  }

  /** opt.step(), unless `loss` or a gradient is non-finite (or an earlier step was): then nothing changes. */
  step(opt: Optimizer, loss: Tensor, epoch: number, step: number): void {
    if (this.steps.length < MAX_MARK) this.steps.push({ epoch, step });
    const mark = this.steps.length;
    if (loss.device !== this.device) throw deviceMismatch('NonFiniteGuard.step', this.device, loss.device, 'the loss is on another device than the model');
    this.device.flag_nonfinite({ x: loss.buffer, flag: this.flag.buffer, n: loss.numel, mark });
    opt.step({ flag: this.flag, mark });
  }

  /** The first skipped step, or null when every step so far was taken (one read of one float). */
  async firstSkipped(): Promise<{ epoch: number; step: number } | null> {
    const [mark] = await this.flag.toArray();
    return mark ? this.steps[mark - 1] : null;
  }

  /** Throws a NonFiniteError naming the first skipped step (epoch, step counted from 1), if any. */
  async check(where = 'fit'): Promise<void> {
    const bad = await this.firstSkipped();
    if (bad) {
      throw new NonFiniteError(`${where}: the loss or a gradient is NaN or infinite at epoch ${bad.epoch}, step ${bad.step + 1}; ` +
        'that step and any after it were skipped, so the weights are those from before it');
    }
  }

  dispose(): void {
    this.flag.dispose();
  }
}
