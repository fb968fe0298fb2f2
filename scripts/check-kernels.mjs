// Checks the compiled wasm modules against the kernel spec (src/kernels/spec.ts): every spec kernel
// is exported, every export is a kernel or an internal helper (wasmInternalSpec), and each export's parameter and result types are the spec's ('ptr' is i32). The
// plans call exports positionally, so a parameter list that drifts from the spec would pass
// wrong numbers silently; this turns that into a build error naming the kernel and the parameter.
// The op codes of rows with `ops` are compared with the constants assembly/<family>.ts declares.
// Run by scripts/build.mjs after asc; alone: node scripts/check-kernels.mjs [file.wasm ...]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** asc re-exports the imported memory (importMemory in asconfig.json). */
const allowedNonFunctions = { memory: 'memory' };

/** The spec, bundled from TypeScript by esbuild and imported from memory. */
async function loadSpec() {
  const { outputFiles } = await esbuild.build({
    stdin: {
      contents: "export { kernelSpec, wasmInternalSpec } from './src/kernels/spec.ts'; export { wasmParams } from './src/kernels/types.ts';",
      resolveDir: root, loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'error',
  });
  return import(`data:text/javascript;base64,${Buffer.from(outputFiles[0].contents).toString('base64')}`);
}

const VALUE_TYPES = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128', 0x70: 'funcref', 0x6f: 'externref' };
const EXPORT_KINDS = ['function', 'table', 'memory', 'global', 'tag'];

/** The exports of a wasm binary: name -> { kind, params, result } (params and result for functions). */
export function readExports(bytes) {
  let p = 8; // magic and version
  const u32 = () => {
    let result = 0, shift = 0, b;
    do {
      b = bytes[p++];
      result += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return result;
  };
  const name = () => {
    const n = u32();
    const s = new TextDecoder().decode(bytes.subarray(p, p + n));
    p += n;
    return s;
  };
  const valueType = () => VALUE_TYPES[bytes[p++]] ?? `0x${bytes[p - 1].toString(16)}`;
  const limits = () => {
    const flags = bytes[p++];
    u32();
    if (flags & 1) u32();
  };
  const types = [], funcTypes = [], exports = [];
  while (p < bytes.length) {
    const id = bytes[p++], size = u32(), end = p + size;
    if (id === 1) { // type
      for (let i = u32(); i > 0; i--) {
        if (bytes[p++] !== 0x60) throw new Error('check-kernels: unsupported type form');
        const params = Array.from({ length: u32() }, valueType);
        const results = Array.from({ length: u32() }, valueType);
        types.push({ params, results });
      }
    } else if (id === 2) { // import: imported functions come first in the function index space
      for (let i = u32(); i > 0; i--) {
        name();
        name();
        const kind = bytes[p++];
        if (kind === 0) funcTypes.push(u32());
        else if (kind === 1) { p++; limits(); }
        else if (kind === 2) limits();
        else if (kind === 3) { valueType(); p++; }
        else if (kind === 4) { p++; u32(); }
      }
    } else if (id === 3) { // function
      for (let i = u32(); i > 0; i--) funcTypes.push(u32());
    } else if (id === 7) { // export
      for (let i = u32(); i > 0; i--) exports.push({ name: name(), kind: EXPORT_KINDS[bytes[p++]], index: u32() });
    }
    p = end;
  }
  return new Map(exports.map(({ name, kind, index }) => {
    if (kind !== 'function') return [name, { kind }];
    const type = types[funcTypes[index]];
    if (type.results.length > 1) throw new Error(`check-kernels: ${name} returns ${type.results.length} values`);
    return [name, { kind, params: type.params, result: type.results[0] ?? 'nothing' }];
  }));
}

/** The mismatches between one module's exports and the spec, as messages. */
function compare(exports, expected) {
  const problems = [];
  for (const [name, want] of expected) {
    const got = exports.get(name);
    if (!got) {
      problems.push(`${name}: in the spec but not exported`);
      continue;
    }
    if (got.kind !== 'function') {
      problems.push(`${name}: exported as a ${got.kind}, the spec has a function`);
      continue;
    }
    if (got.params.length !== want.params.length) {
      problems.push(`${name}: ${got.params.length} parameters in the module (${got.params.join(', ')}), `
        + `${want.params.length} in the spec (${want.params.map(([param, type]) => `${param}: ${type}`).join(', ')})`);
    }
    for (let i = 0; i < Math.min(got.params.length, want.params.length); i++) {
      const [param, type] = want.params[i];
      if (got.params[i] !== type) problems.push(`${name}: parameter ${i} (${param}) is ${got.params[i]} in the module, ${type} in the spec`);
    }
    if (got.result !== want.result) problems.push(`${name}: returns ${got.result} in the module, ${want.result} in the spec`);
  }
  for (const [name, got] of exports) {
    if (expected.has(name)) continue;
    if (allowedNonFunctions[name] === got.kind) continue;
    problems.push(`${name}: exported (${got.kind}) but not in the kernel spec`);
  }
  return problems;
}

/** The mismatches between the spec rows' `ops` and the op constants of their AssemblyScript files. */
function compareOps(kernelSpec) {
  const problems = [];
  const sources = new Map();
  for (const [kernel, spec] of Object.entries(kernelSpec)) {
    if (!spec.ops) continue;
    const file = `assembly/${spec.family}.ts`;
    if (!sources.has(file)) sources.set(file, readFileSync(join(root, file), 'utf8').replace(/\/\/[^\n]*/g, ''));
    const code = sources.get(file);
    spec.ops.forEach((op, value) => {
      const name = op.toUpperCase();
      const declared = [...code.matchAll(new RegExp(`\\b${name}\\s*=\\s*(\\d+)\\b`, 'g'))].map((m) => Number(m[1]));
      if (declared.length !== 1) problems.push(`${file}: ${kernel}'s op ${op} needs one constant ${name} = ${value}, found ${declared.length}`);
      else if (declared[0] !== value) problems.push(`${file}: ${name} = ${declared[0]}, the spec's ${kernel} ops give ${op} the code ${value}`);
    });
  }
  return [...new Set(problems)];
}

/** Throws, listing every mismatch, unless each of `files` matches the spec. */
export async function checkKernels(files) {
  const { kernelSpec, wasmInternalSpec, wasmParams } = await loadSpec();
  const wasmType = (t) => (t === 'ptr' ? 'i32' : t);
  const params = (name) => wasmParams(name).map(([param, type]) => [param, wasmType(type)]);
  const expected = new Map([
    ...Object.entries(kernelSpec).map(([k, spec]) => [k, { params: params(k), result: spec.returns === 'count' ? 'i32' : 'nothing' }]),
    ...Object.entries(wasmInternalSpec).map(([k, spec]) => [k, { params: params(k), result: spec.returns === null ? 'nothing' : wasmType(spec.returns) }]),
  ]);
  const problems = [
    ...files.flatMap((file) => compare(readExports(readFileSync(file)), expected).map((m) => `${relative(root, file)}: ${m}`)),
    ...compareOps(kernelSpec),
  ];
  if (problems.length) throw new Error(`the wasm exports do not match src/kernels/spec.ts:\n  ${problems.join('\n  ')}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = process.argv.length > 2 ? process.argv.slice(2)
    : Object.values(JSON.parse(readFileSync(join(root, 'asconfig.json'), 'utf8')).targets).map((t) => join(root, t.outFile));
  try {
    await checkKernels(files);
    console.log(`check-kernels: ${files.length} modules match the kernel spec`);
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
