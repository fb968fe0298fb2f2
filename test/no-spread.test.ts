// No spread of a data-sized array into a call's arguments anywhere in src/: `Math.max(...xs)`,
// `out.push(...items)`, `String.fromCharCode(...bytes)` put every element on the stack and throw a
// RangeError past about 100,000 elements. The scan reads every src/**/*.ts with the TypeScript
// parser; a spread of an array literal (`...[a, b]`, or a map of one) is small by construction, and any other
// known-small spread carries `// spread-ok: <why>` on its line. The last test builds panel data
// with 150,000 ids, one sample each (every length is spread-free).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import * as rnam from '../src/index.js';

const test = suite('no-spread');
const root = new URL('..', import.meta.url).pathname;
const ALLOW = /\/\/\s*spread-ok:\s*\S/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** An array literal, or a map/filter/slice of one: as long as the source text makes it. */
function literalSized(e: ts.Expression): boolean {
  if (ts.isArrayLiteralExpression(e)) return !e.elements.some(ts.isSpreadElement);
  return ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression)
    && ['map', 'filter', 'slice'].includes(e.expression.name.text) && literalSized(e.expression.expression);
}

/** Every spread into call or `new` arguments in `text`: its line (1-based) and the source of the call. */
export function spreads(fileName: string, text: string): { line: number; call: string }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: { line: number; call: string }[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments) {
      for (const arg of node.arguments) {
        if (!ts.isSpreadElement(arg) || literalSized(arg.expression)) continue;
        const line = source.getLineAndCharacterOfPosition(arg.getStart(source)).line + 1;
        found.push({ line, call: node.getText(source).replace(/\s+/g, ' ').slice(0, 100) });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const lines = text.split('\n');
  return found.filter((f) => !ALLOW.test(lines[f.line - 1]));
}

test('the scanner finds spreads into arguments, skips array literals and allowed lines', () => {
  const text = [
    'Math.max(...xs);',
    'out.push(a, ...items);',
    'new Foo(...args);',
    'f(...[a, b]);',
    'Math.max(...[a, b].map(g));',
    'Math.max(...[...xs].map(g));',
    'g(...pair); // spread-ok: a [start, end] pair',
    'const copy = [...xs], o = { ...p };',
    'function h(...rest: number[]) { return rest; }',
  ].join('\n');
  assert.equal(spreads('x.ts', text).map((s) => s.line), [1, 2, 3, 6]);
});

test('src/ has no spread into call arguments except known-small ones marked spread-ok', () => {
  const all = files(join(root, 'src'));
  assert.ok(all.length > 50, `${all.length} files`);
  const bad = all.flatMap((path) => spreads(path, readFileSync(path, 'utf8')).map((s) => `${relative(root, path)}:${s.line}: ${s.call}`));
  assert.equal(bad, [], `spreads of possibly large arrays into arguments (use a loop or reduce, or mark a known-small one // spread-ok: why):\n${bad.join('\n')}`);
});

test('panel data with 150,000 ids (one row each) builds without a stack overflow', () => {
  const n = 150_000;
  const rows = Array.from({ length: n }, (_, i) => ({ id: `s${i}`, t: 0, x: i % 7, y: i % 3 }));
  const t0 = performance.now();
  const sets = rnam.datasetsFromRows(rows, { id: 'id', time: 't', target: 'y', features: ['x'], mode: 'panel' } as never);
  const total = sets.train.samples + (sets.validation?.samples ?? 0) + (sets.test?.samples ?? 0);
  assert.is(total, n);
  assert.ok(performance.now() - t0 < 60_000, 'not a hang');
});

test.run();
