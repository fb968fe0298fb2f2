// Embeds kernels/*.wgsl into src/backend/wgsl-sources.ts (generated, gitignored), so one bundle
// carries its shaders to Node, bundlers and plain browsers without fetching files.
// kernels/common.wgsl is the shared prelude the runtime prepends to every other file.
//
// The uniform structs and the `@group(0) @binding(N) var` declarations are not written by hand:
// they are generated from the pass table (src/kernels/gpu-passes.ts) and prepended to each file,
// with the op-code constants of the family's spec rows that have `ops` (`const RELU: u32 = 0u;`).
// The build fails when a file declares a binding, a generated struct or an op constant itself, when a pass of the
// table has no `@compute` entry point in its file (or the file one the table lacks), or when two
// passes of a file declare one variable differently.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'kernels');

/** The pass table and the kernel spec, bundled from TypeScript and imported from memory. */
async function loadTables() {
  const result = await esbuild.build({
    stdin: {
      contents: "export { allGpuPasses as gpuPasses } from './src/kernels/derived.ts'; export { kernelSpec } from './src/kernels/spec.ts';",
      resolveDir: root, loader: 'ts',
    },
    bundle: true, format: 'esm', platform: 'neutral', write: false, logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  return import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`);
}

const fail = (message) => {
  throw new Error(`embed-wgsl: ${message}`);
};

const stripComments = (source) => source.replace(/\/\/[^\n]*/g, '');

/** The `@compute` entry points a WGSL source defines. */
const entryPoints = (code) => [...code.matchAll(/@compute\b[\s\S]*?\bfn\s+(\w+)\s*\(/g)].map((m) => m[1]);

const storageType = (mode) => ({
  read: ['read', 'array<f32>'],
  read_write: ['read_write', 'array<f32>'],
  atomic: ['read_write', 'array<atomic<u32>>'],
})[mode] ?? fail(`unknown binding mode '${mode}'`);

/** The generated declarations of one file's passes; throws on a conflict between two of them. */
function declarations(file, passes) {
  const structs = new Map(); // struct name -> fields text
  const vars = new Map(); // variable name -> [declaration, first pass]
  const lines = [];
  const declare = (name, text, pass) => {
    const seen = vars.get(name);
    if (!seen) {
      vars.set(name, [text, pass]);
      lines.push(text);
    } else if (seen[0] !== text) {
      fail(`kernels/${file}.wgsl: '${name}' is declared two ways, by ${seen[1]} (${seen[0]}) and by ${pass} (${text})`);
    }
  };
  for (const [pass, spec] of passes) {
    const { struct, name, fields } = spec.uniform;
    const body = Object.entries(fields).map(([f, t]) => `${f}: ${t}`).join(', ');
    const known = structs.get(struct);
    if (known === undefined) {
      structs.set(struct, body);
      lines.push(`struct ${struct} { ${body} }`);
    } else if (known !== body) {
      fail(`kernels/${file}.wgsl: struct ${struct} has two field lists: { ${known} } and, for ${pass}, { ${body} }`);
    }
    declare(name, `@group(0) @binding(0) var<uniform> ${name}: ${struct};`, pass);
    Object.entries(spec.bindings).forEach(([v, mode], i) => {
      const [access, type] = storageType(mode);
      declare(v, `@group(0) @binding(${i + 1}) var<storage, ${access}> ${v}: ${type};`, pass);
    });
  }
  return { text: lines.join('\n'), structs: [...structs.keys()] };
}

/** The op-code constants of a family's kernels (their `ops`, in capitals); throws when two rows disagree. */
function opConstants(file, kernelSpec) {
  const values = new Map();
  for (const [kernel, spec] of Object.entries(kernelSpec)) {
    if (spec.family !== file || !spec.ops) continue;
    spec.ops.forEach((op, code) => {
      const name = op.toUpperCase();
      if (values.has(name) && values.get(name) !== code) fail(`${kernel}: op ${op} has code ${code}, another ${file} kernel gives it ${values.get(name)}`);
      values.set(name, code);
    });
  }
  return values;
}

/** Checks a hand-written WGSL file against its passes of the table. */
function check(file, source, passes, structs, constants = new Map()) {
  const code = stripComments(source);
  for (const c of constants.keys()) {
    if (new RegExp(`\\b(const|let|var)\\s+${c}\\b`).test(code)) fail(`kernels/${file}.wgsl declares ${c}, which is generated from the spec's ops`);
  }
  if (/@binding\s*\(/.test(code)) fail(`kernels/${file}.wgsl declares its own @binding: bindings are generated from src/kernels/gpu-passes.ts`);
  for (const s of structs) {
    if (new RegExp(`\\bstruct\\s+${s}\\b`).test(code)) fail(`kernels/${file}.wgsl declares struct ${s}, which is generated from src/kernels/gpu-passes.ts`);
  }
  const entries = entryPoints(code);
  const listed = passes.map(([pass]) => pass);
  const missing = listed.filter((p) => !entries.includes(p));
  if (missing.length) fail(`kernels/${file}.wgsl has no @compute entry point for ${missing.join(', ')} (listed in src/kernels/gpu-passes.ts)`);
  const unlisted = entries.filter((e) => !listed.includes(e));
  if (unlisted.length) fail(`kernels/${file}.wgsl has @compute entry points src/kernels/gpu-passes.ts does not list: ${unlisted.join(', ')}`);
}

/** Each kernel's passes live in the WGSL file of its family. */
function checkFamilies(gpuPasses, kernelSpec) {
  for (const [kernel, spec] of Object.entries(kernelSpec)) {
    const own = spec.gpuMain === false ? [] : [kernel];
    for (const pass of [...own, ...(spec.gpuPasses ?? [])]) {
      const file = gpuPasses[pass]?.file ?? fail(`${kernel}'s pass ${pass} is not in src/kernels/gpu-passes.ts`);
      if (file !== spec.family) fail(`${kernel}'s pass ${pass} is in kernels/${file}.wgsl, not in its family's kernels/${spec.family}.wgsl`);
    }
  }
}

const { gpuPasses, kernelSpec } = await loadTables();
checkFamilies(gpuPasses, kernelSpec);

const files = readdirSync(dir).filter((f) => f.endsWith('.wgsl')).map((f) => f.replace(/\.wgsl$/, '')).sort();
if (!files.includes('common')) fail('kernels/common.wgsl is missing');
const common = readFileSync(join(dir, 'common.wgsl'), 'utf8');
check('common', common, [], []);

const tableFiles = new Set(Object.values(gpuPasses).map((p) => p.file));
for (const f of tableFiles) if (!files.includes(f)) fail(`src/kernels/gpu-passes.ts names kernels/${f}.wgsl, which does not exist`);

const sources = {};
for (const file of files.filter((f) => f !== 'common')) {
  const source = readFileSync(join(dir, `${file}.wgsl`), 'utf8');
  const passes = Object.entries(gpuPasses).filter(([, p]) => p.file === file);
  const { text, structs } = declarations(file, passes);
  const constants = opConstants(file, kernelSpec);
  check(file, source, passes, structs, constants);
  const ops = [...constants].map(([name, value]) => `const ${name}: u32 = ${value}u;\n`).join('');
  sources[file] = `// ---- generated from src/kernels/gpu-passes.ts and src/kernels/spec.ts by scripts/embed-wgsl.mjs\n${ops}${text}\n// ---- kernels/${file}.wgsl\n${source}`;
}

const out = join(root, 'src', 'backend', 'wgsl-sources.ts');
writeFileSync(
  out,
  '// Generated by scripts/embed-wgsl.mjs from kernels/*.wgsl and src/kernels/gpu-passes.ts. Do not edit.\n' +
    `export const wgslCommon: string = ${JSON.stringify(common)};\n` +
    `export const wgslSources: Record<string, string> = ${JSON.stringify(sources, null, 2)};\n`,
);
export const embedded = Object.keys(sources);
if (import.meta.url === `file://${process.argv[1]}`) console.log(`embed-wgsl: ${embedded.join(', ')}`);
