// The backends the shared op suites run on: every one that is available here.
import * as rnam from '../../src/index.js';

export async function availableBackends(): Promise<rnam.Backend[]> {
  return [await rnam.device('wasm')];
}
