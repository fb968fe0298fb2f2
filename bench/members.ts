// Wall and CPU time of trainTable with its defaults (5 members) on the shipped clinical panels, and
// the test metrics, to compare two checkouts (e.g. members trained side by side against one after
// another) on the same seeds: the metrics must be identical, the times are the machine's.
//   node --import tsx bench/members.ts [--data nafld,csl] [--rounds 3]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rnam from '../src/index.js';

const root = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..');
const args = process.argv.slice(2);
const flag = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const options: Record<string, rnam.TrainTableOptions> = {
  nafld: { id: 'id', time: 'day', target: 'died_within_5y' },
  csl: { id: 'id', time: 'day', target: 'died_within_3y' },
  flchain: { id: 'row', target: 'died_within_5y' },
};
const device = await rnam.device('wasm');
for (let round = 1; round <= Number(flag('rounds') ?? 1); round++) {
  for (const name of (flag('data') ?? 'nafld,csl').split(',')) {
    const csv = readFileSync(join(root, 'examples', 'data', `${name}.csv`), 'utf8');
    const started = Date.now(), cpu = process.cpuUsage();
    const trained = await rnam.trainTable(csv, { ...options[name], seed: 0, device, log: null, progress: false });
    const used = process.cpuUsage(cpu);
    console.log(JSON.stringify({
      data: name, wall: (Date.now() - started) / 1000, cpu: (used.user + used.system) / 1e6,
      epochs: trained.report.members.map((m) => m.epochs), test: trained.report.metrics.test,
    }));
  }
}
