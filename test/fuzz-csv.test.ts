// Seeded mutations of the CSV a user gives `rnam train` and `rnam predict`: every outcome is a
// result or one of rnam's typed errors (an RnamError naming what and where), never a TypeError,
// RangeError, a hang or NaN predictions. Counts per outcome are printed with RNAM_FUZZ_TABLE=1.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';

const test = suite('fuzz: CSV input');

function panelCsv(): string {
  const gen = new rnam.Generator(21), lines = ['patient,day,lab,age,ward,outcome'];
  for (let p = 0; p < 24; p++) {
    let day = 0;
    for (let v = 0; v < 3 + (p % 3); v++) {
      day += 1 + gen.int(9);
      lines.push(`P${p},${day},${gen.uniform() < 0.2 ? '' : gen.normal().toFixed(3)},${40 + p},${['n', 's'][p % 2]},${p % 3 === 0 ? 'dead' : 'alive'}`);
    }
  }
  return lines.join('\n') + '\n';
}

const junk = ['', 'NA', 'abc', '1e400', '-1e400', 'Infinity', '0x10', '"', '""', ',', '\n', '=1+1', '-', '.', '1,5', ' 3 ', '\u0000', 'é', '2015-02-30', '9'.repeat(400)];

/** One seeded mutation of the CSV text. */
function mutate(text: string, gen: rnam.Generator): string {
  const lines = text.split('\n');
  const row = 1 + gen.int(lines.length - 2), cells = lines[row].split(',');
  switch (gen.int(9)) {
    case 0: cells[gen.int(cells.length)] = junk[gen.int(junk.length)]; break;
    case 1: cells.splice(gen.int(cells.length), 1); break;
    case 2: cells.push(junk[gen.int(junk.length)]); break;
    case 3: lines.splice(row, 1); break;
    case 4: lines[0] = lines[0].split(',').map((h, i) => (i === gen.int(6) ? junk[gen.int(junk.length)] : h)).join(','); break;
    case 5: lines.splice(row, 0, lines[row]); break; // a duplicated row: two rows at one time
    case 6: return text.slice(0, gen.int(text.length)); // truncated anywhere
    case 7: { const at = gen.int(text.length); return text.slice(0, at) + String.fromCharCode(gen.int(128)) + text.slice(at); }
    default: lines[0] = lines[0].replace('outcome', 'patient'); break; // a header naming a column twice
  }
  if (gen.int(4) !== 0) lines[row] = cells.join(',');
  return lines.join('\n');
}

test('seeded mutations of a training and a prediction CSV: a result or a typed error, every time', async () => {
  const base = panelCsv(), gen = new rnam.Generator(5);
  const options = { id: 'patient', time: 'day', target: 'outcome' } as const;
  const trained = await rnam.trainTable(base, { ...options, epochs: 1, members: 1, device: 'wasm', log: null });
  const outcomes = new Map<string, number>();
  const count = (k: string) => outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  const started = Date.now();
  for (let i = 0; i < 400; i++) {
    let text = base;
    for (let k = 0; k <= gen.int(3); k++) text = mutate(text, gen);
    for (const path of ['fit', 'predict'] as const) {
      const t0 = Date.now();
      try {
        if (path === 'fit') rnam.Preprocessing.fit(rnam.readCsv(text), options);
        else {
          const p = await rnam.predictTable(trained, text);
          assert.ok(Array.from(p.prediction).every(Number.isFinite), `case ${i}: a prediction is not finite\n${text}`);
        }
        count(`${path}: ok`);
      } catch (err) {
        if (!(err instanceof rnam.RnamError)) assert.unreachable(`case ${i} (${path}): ${(err as Error).name}: ${(err as Error).message}\n${text}`);
        count(`${path}: ${(err as Error).name}`);
      }
      assert.ok(Date.now() - t0 < 5000, `case ${i} (${path}) took ${Date.now() - t0} ms`);
    }
  }
  if (process.env.RNAM_FUZZ_TABLE) console.log([...outcomes].sort().map(([k, n]) => `${k}: ${n}`).join('\n'), `\n${(Date.now() - started) / 1000} s`);
  assert.ok((outcomes.get('fit: ok') ?? 0) > 20 && (outcomes.get('predict: ok') ?? 0) > 20, JSON.stringify([...outcomes]));
});

test.run();
