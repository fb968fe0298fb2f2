// safeCsvCell: text a spreadsheet would run as a formula gets a leading apostrophe; numbers,
// plain text and non-string values pass through; { raw: true } writes everything as it is.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as rnam from '../src/index.js';

const test = suite('csv-cells');
const { safeCsvCell, isFormulaLike } = rnam;

test('text starting with = + - @ (or tab, carriage return) is prefixed with an apostrophe', () => {
  const cases: [string, string][] = [
    ['=1+1', "'=1+1"], ['=HYPERLINK("http://x","y")', `'=HYPERLINK("http://x","y")`], ['+cmd|/c calc', "'+cmd|/c calc"],
    ['-2+3+cmd|x', "'-2+3+cmd|x"], ['@SUM(A1:A2)', "'@SUM(A1:A2)"], ['\t=1', "'\t=1"], ['\r=1', "'\r=1"],
    ['-', "'-"], ['+', "'+"], ['=', "'="], ['-1-1', "'-1-1"], ['--1', "'--1"], ['-1e', "'-1e"], ['-NaN', "'-NaN"], ['- 1', "'- 1"],
  ];
  for (const [cell, want] of cases) {
    assert.is(safeCsvCell(cell), want, JSON.stringify(cell));
    assert.ok(isFormulaLike(cell), JSON.stringify(cell));
  }
});

test('numbers written as text, plain text and non-strings pass through', () => {
  for (const cell of ['-1.5', '+3', '-0', '-.5', '-1e-7', '+2.5E+10', '-Infinity', '+Infinity', '12', 'abc', '', ' =1', "'=1", 'a=b', 'x-1', 'NaN', 'é=']) {
    assert.is(safeCsvCell(cell), cell, JSON.stringify(cell));
    assert.not.ok(isFormulaLike(cell), JSON.stringify(cell));
  }
  for (const v of [-1.5, 0, NaN, -Infinity, true, null, undefined]) assert.ok(Object.is(safeCsvCell(v), v), String(v));
});

test('{ raw: true } keeps every cell; a bad option is an ArgumentError', () => {
  assert.is(safeCsvCell('=1+1', { raw: true }), '=1+1');
  assert.is(safeCsvCell('=1+1', { raw: false }), "'=1+1");
  assert.throws(() => safeCsvCell('=1', { raw: 'yes' as never }), (e: Error) => e instanceof rnam.ArgumentError && /options\.raw must be a boolean/.test(e.message));
  assert.throws(() => safeCsvCell('=1', null as never), (e: Error) => e instanceof rnam.ArgumentError);
});

test.run();
