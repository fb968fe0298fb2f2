// The command line's files: reading inputs with a usage error naming the file, checking an output
// path before any work, and writing outputs atomically (src/io/atomic-write.ts).
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from './args.js';

export function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new UsageError(`cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** An input read later as a stream: it must exist, be a file and be readable now (a usage error naming it). */
export function checkInputFile(path: string, what: string): void {
  try {
    accessSync(path, constants.R_OK);
    if (statSync(path).isDirectory()) throw Object.assign(new Error(), { code: 'EISDIR' });
  } catch (err) {
    throw new UsageError(`cannot read ${what} '${path}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** The model file a path names: the file itself, or the model.safetensors in a folder `rnam train --out` wrote. */
export function modelPath(path: string): string {
  if (!existsSync(path) || !statSync(path).isDirectory()) return path;
  const inFolder = join(path, 'model.safetensors');
  if (!existsSync(inFolder)) throw new UsageError(`the model folder '${path}' holds no model.safetensors (the file rnam train --out writes)`);
  return inFolder;
}

const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));

/** An output folder: made when missing; a file there, or a folder that cannot be written, is a usage error now, not after training. */
export function checkOutDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`--out '${dir}' is a file; it must be a folder (made if missing)`);
  try {
    makeFolder(dir);
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new UsageError(`--out '${dir}' cannot be written: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** An output file: not one of the inputs, not a folder, in a folder that exists and can be written. */
export function checkOutFile(path: string, inputs: readonly string[]): void {
  const target = real(path);
  const clash = inputs.find((p) => real(p) === target);
  if (clash !== undefined) throw new UsageError(`--out '${path}' is the input '${clash}': choose another file, the input would be overwritten`);
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`--out '${path}' is a folder; it must name a file`);
  // A file made and removed: permissions alone do not tell (root passes them where nothing can be made, /proc)
  const probe = join(dirname(resolve(path)), `.rnam-probe-${process.pid}`);
  try {
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (err) {
    throw new UsageError(`--out '${path}': its folder cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

/**
 * A folder and its missing parents, one at a time: Node's recursive mkdirSync loops forever where a
 * parent refuses new folders with ENOENT (/proc).
 */
function makeFolder(dir: string): void {
  const missing: string[] = [];
  for (let p = resolve(dir); !existsSync(p); p = dirname(p)) {
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const folder of missing.reverse()) mkdirSync(folder);
}
