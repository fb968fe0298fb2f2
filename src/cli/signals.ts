// Ctrl-C and SIGTERM for a long command: the first asks it to wind down (`first`), a second exits at
// once with the signal's code (after `last` says what that leaves), removing the temporary files of
// writes not yet renamed into place. Node handles a signal only when the event loop turns, which a
// training loop of wasm calls and resolved promises never lets happen: `turn()` lets it, at most
// every TURN_MS.
import { removeTemporaryFiles } from '../io/atomic-write.js';

const TURN_MS = 50;

export interface Signals {
  /** How many signals came. */
  readonly count: number;
  /** Lets the event loop turn (and a signal be handled) if TURN_MS have passed since the last turn. */
  turn(): Promise<void>;
  /** Removes the handlers. */
  dispose(): void;
}

export function onSignals(first: (signal: NodeJS.Signals) => void, last: (signal: NodeJS.Signals) => void = () => {}): Signals {
  let count = 0, turned = Date.now();
  const handle = (signal: NodeJS.Signals) => {
    if (++count === 1) first(signal);
    else {
      last(signal);
      exitNow(signal);
    }
  };
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
  return {
    get count() { return count; },
    async turn() {
      if (Date.now() - turned < TURN_MS) return;
      await new Promise((resolve) => setImmediate(resolve));
      turned = Date.now();
    },
    dispose() {
      process.off('SIGINT', handle);
      process.off('SIGTERM', handle);
    },
  };
}

/** Exits at once with the signal's code (130 for SIGINT, 143 for SIGTERM), this process's temporary files removed. */
export function exitNow(signal: NodeJS.Signals): never {
  removeTemporaryFiles();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
