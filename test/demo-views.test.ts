// The page's view of a shape function (demo/src/shape-view.ts): curves thinned and sorted, a band
// drawn only where the explanation gives a spread per bin (sd, or lower and upper edges), and a
// categorical term as its levels.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ShapeBin, ShapeFunction } from '../src/index.js';
import { shapeCurve } from '../demo/src/shape-view.js';
import { tickLabels } from '../demo/src/format.js';
import { modelFileName } from '../demo/src/model-file-name.js';
import { guessColumns, guessTarget } from '../demo/src/column-guess.js';
import * as rnam from '../src/index.js';

// Bins as explain() gives them: sd null for a single model, a number across ensemble members.
const bin = (x: number, contribution: number, extra: Record<string, number | null> = { sd: null }): ShapeBin => ({ output: 0, x0: x, x1: x, x, contribution, count: 2, ...extra }) as ShapeBin;

function shape(kind: ShapeFunction['kind'], bins: ShapeBin[], levels?: string[]): ShapeFunction {
  const points = [3, 1, NaN, 2].map((x, sample) => ({ sample, output: 0, x, contribution: x / 10 }));
  return { feature: 'f', term: 0, summary: 'last', originalUnits: true, points, bins, kind, members: 2, ...(levels ? { levels } : {}) } as ShapeFunction;
}

test('a curve without a spread per bin has no band; its samples are sorted by x, those without an x left out', () => {
  const v = shapeCurve(shape('static', [bin(1, 0.1), bin(3, 0.3)]));
  assert.is(v.kind, 'static');
  assert.equal(v.x, [1, 2, 3]);
  assert.equal(v.curve, [0.1, 0.3]);
  assert.is(v.band, undefined);
});

test('an sd per bin (or lower and upper edges) becomes the band around the curve', () => {
  assert.equal(shapeCurve(shape('sequence', [bin(1, 0.1, { sd: 0.05 }), bin(3, 0.3, { sd: 0.1 })])).band, { lower: [0.1 - 0.05, 0.3 - 0.1], upper: [0.1 + 0.05, 0.3 + 0.1] });
  assert.equal(shapeCurve(shape('sequence', [bin(1, 0.1, { lower: 0, upper: 0.2 }), bin(3, 0.3, { lower: 0.1, upper: 0.5 })])).band, { lower: [0, 0.1], upper: [0.2, 0.5] });
  // A spread on some bins only: no band rather than a broken one.
  assert.is(shapeCurve(shape('sequence', [bin(1, 0.1, { sd: 0.05 }), bin(3, 0.3)])).band, undefined);
  assert.is(shapeCurve(shape('sequence', [bin(1, 0.1, { sd: null }), bin(3, 0.3, { sd: null })])).band, undefined);
});

test('a categorical term is one bar per level present, named, with its spread when given', () => {
  const v = shapeCurve(shape('categorical', [bin(0, -0.2, {}), bin(2, 0.4, { sd: 0.1 })], ['other', 'a', 'b']));
  assert.equal(v.x, []);
  assert.equal(v.levels, [{ level: 'other', contribution: -0.2, count: 2 }, { level: 'b', contribution: 0.4, count: 2, lower: 0.4 - 0.1, upper: 0.4 + 0.1 }]);
});


test('a log-scaled feature keeps its log axis on the page', () => {
  assert.is(shapeCurve({ ...shape('static', [bin(1, 0.1)]), logAxis: true }).logAxis, true);
  assert.is(shapeCurve(shape('static', [bin(1, 0.1)])).logAxis, undefined);
});

test('axis tick labels: whole numbers as they are (years), else 3 significant digits, more where neighbours would read the same', () => {
  assert.equal(tickLabels([1995, 1997, 1999, 2001]), ['1995', '1997', '1999', '2001']);
  assert.equal(tickLabels([0.25, 0.5, 0.75]), ['0.25', '0.5', '0.75']);
  assert.equal(tickLabels([100.2, 100.4, 100.6]), ['100.2', '100.4', '100.6']);
  assert.equal(tickLabels([2000.5, 2001, 2001.5]), ['2000.5', '2001', '2001.5']);
  assert.equal(tickLabels([0.0001, 0.0002]), ['1.0e-4', '2.0e-4']);
  assert.equal(tickLabels([12500.5, 23500.5]), ['12500', '23500']);
  assert.equal(tickLabels([2e6, 4e6]), ['2000000', '4000000']);
  assert.equal(tickLabels([2.5e7, 5e7]), ['2.5e+7', '5.0e+7']);
  // A log axis's unlabelled ticks (null) stay blank.
  assert.equal(tickLabels([1, null, null, 10, null]), ['1', '', '', '10', '']);
  assert.equal(tickLabels([0.5, null, 1.5]), ['0.5', '', '1.5']);
});

test('a downloaded model is named after its target, so models of two targets do not overwrite each other', () => {
  const csv = (target: string) => modelFileName({ kind: 'csv', text: '', mapping: { target } });
  assert.is(csv('died_within_3y'), 'rnam-died_within_3y.safetensors');
  assert.is(csv('Weight (kg)/day'), 'rnam-Weight_kg_day.safetensors');
  assert.is(csv('../x'), 'rnam-x.safetensors');
  assert.is(csv('  '), 'rnam-model.safetensors');
  assert.is(modelFileName({ kind: 'weather' }), 'rnam-weather.safetensors');
});

test('the target guess: a column named as an outcome, else the last numeric column', () => {
  // The shipped files and R exports: the outcome by its name, wherever it stands.
  assert.is(guessTarget(['prot', 'age', 'sex', 'died_within_3y'], ['prot', 'age', 'died_within_3y']), 'died_within_3y');
  assert.is(guessTarget(['deny', 'pirat', 'hirat', 'unemp'], ['pirat', 'hirat', 'unemp']), 'deny');
  assert.is(guessTarget(['species', 'island', 'body_mass_g'], ['body_mass_g']), 'species');
  assert.is(guessTarget(['resp', 'age', 'smoke'], ['resp', 'age', 'smoke']), 'resp');
  assert.is(guessTarget(['age', 'diedWithin5y'], ['age']), 'diedWithin5y');
  // Not words inside other words: 'classroom', 'ystem'.
  assert.is(guessTarget(['classroom', 'system', 'score'], ['classroom', 'score']), 'score');
  assert.is(guessTarget(['crim', 'rm', 'medv'], ['crim', 'rm', 'medv']), 'medv');
  assert.is(guessTarget(['a', 'b'], []), undefined);
});

test('the id and time guess: names propose, the data decides', () => {
  const guess = (csv: string) => {
    const t = rnam.readCsv(csv);
    const numeric = t.columns.filter((_, j) => t.rows.every((r) => !Number.isNaN(Number(r[j]))));
    return guessColumns(t, numeric, rnam.missingSpellings);
  };
  // A loan table: 'Time' is a term in months, repeated across rows with no id: not a time column.
  assert.equal(guess('Status,Time,Age,Income\ngood,60,30,129\nbad,36,58,131\ngood,60,46,200\nbad,48,24,182\n'), { target: 'Status' });
  // Children measured yearly: 'age' rises within each subject, so it is the time.
  const yearly = 'subject,age,exercise,group\n100,8,2.7,patient\n100,10,1.9,patient\n101,8,0.5,control\n101,10,0.9,control\n101,12,1.1,control\n';
  assert.equal(guess(yearly), { id: 'subject', time: 'age', target: 'exercise' });
  // A panel whose age is one value per id (a static feature) keeps 'day' as its time, not 'age'.
  assert.equal(guess('id,age,day,lab,died\n1,50,0,1.1,0\n1,50,30,1.3,0\n2,61,0,0.9,1\n2,61,45,1.0,1\n'), { id: 'id', time: 'day', target: 'died' });
  // No id named as one: the entity column that tells a year's repeated rows apart (a state's years).
  assert.equal(guess('state,year,beertax,fatal\nal,1982,1.5,839\nal,1983,1.8,930\naz,1982,0.2,724\naz,1983,0.2,675\nar,1982,0.6,588\nar,1983,0.6,601\n'), { id: 'state', time: 'year', target: 'fatal' });
  // A survival table: times mostly unique, a tumour's thickness repeated by rounding: no panel in it.
  const survival = ['time,status,thickness,age', ...Array.from({ length: 40 }, (_, i) => `${i < 4 ? 100 : 100 + i * 7},${i % 3 === 0 ? 1 : 2},${(1 + (i % 8) * 0.32).toFixed(2)},${40 + (i % 9)}`)];
  assert.equal(guess(survival.join('\n') + '\n'), { target: 'status' });
  // A plain table ending with a class of a few text levels: that is the target; ending with names, the last numeric column.
  assert.equal(guess('pregnant,glucose,age,diabetes\n6,148,50,pos\n1,85,31,neg\n8,183,32,pos\n'), { target: 'diabetes' });
  assert.equal(guess('x,medv,name\n1,24,Ann\n2,21,Bo\n3,34,Cy\n4,33,Di\n5,36,Ed\n6,28,Fa\n7,22,Gu\n8,27,Ho\n9,16,Ia\n10,18,Jo\n11,15,Ka\n'), { target: 'medv' });
  // One series: a date on every row, each different.
  assert.equal(guess('date,temp,pm25\n2020-01-01,3.1,12\n2020-01-02,2.5,15\n2020-01-03,1.9,11\n'), { time: 'date', target: 'pm25' });
  // A column of no time name rising within every id of repeated rows is its time; one that does not rise is not.
  assert.equal(guess('patient_id,tt,score\na,1,5\na,4,6\nb,2,3\nb,7,2\n'), { id: 'patient_id', time: 'tt', target: 'score' });
  assert.equal(guess('patient_id,tt,score\na,4,5\na,1,6\nb,2,3\nb,7,2\n').time, undefined);
});

test.run();
