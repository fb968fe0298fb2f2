// Progress reporting for fit(): a one-line bar redrawn in place on a terminal, nothing otherwise
// (the per-epoch lines are printed either way).

interface Stream {
  isTTY?: boolean;
  columns?: number;
  write(text: string): unknown;
}

function terminalStream(): Stream | null {
  const proc = (globalThis as { process?: { stderr?: Stream } }).process;
  return proc?.stderr?.isTTY ? proc.stderr : null;
}

export class ProgressBar {
  private readonly stream: Stream | null;
  private readonly started = Date.now();

  constructor(private readonly label: string, private readonly total: number, enabled?: boolean) {
    this.stream = enabled === false ? null : terminalStream();
  }

  update(done: number, loss: number): void {
    if (!this.stream) return;
    const elapsedText = `${((Date.now() - this.started) / 1000).toFixed(0)}s`;
    if (!(this.total > 0)) { // a stream: its length is known only at its end
      this.stream.write(`\r${this.label} step ${done} loss ${loss.toFixed(6)} ${elapsedText} \x1b[K`);
      return;
    }
    const width = 24, filled = Math.round((done / this.total) * width);
    const elapsed = (Date.now() - this.started) / 1000;
    const eta = done > 0 ? (elapsed / done) * (this.total - done) : 0;
    const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
    this.stream.write(`\r${this.label} [${bar}] ${done}/${this.total} loss ${loss.toFixed(6)} ${elapsed.toFixed(0)}s<${eta.toFixed(0)}s \x1b[K`);
  }

  done(): void {
    this.stream?.write('\r\x1b[K');
  }
}
