// Node conveniences over save/load: write and read a model file by path. node:fs is looked up only
// when called (process.getBuiltinModule), so the bundle imports nothing and browsers never reach it.
import type { Module } from '../nn/module.js';
import { saveAsync, load, type LoadOptions, type LoadedModel, type SaveExtras } from './model-file.js';
import { RnamError } from '../errors.js';
import { writeFilesAtomically } from './atomic-write.js';

function fsPromises(where: string): typeof import('node:fs/promises') {
  const getBuiltin = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  if (typeof getBuiltin !== 'function') throw new RnamError(`${where} needs Node (>= 20.16); elsewhere use rnam.save / rnam.load with your own storage`);
  return getBuiltin('node:fs/promises') as typeof import('node:fs/promises');
}

/** Writes save(model, extras) to `path` (Node only; the model may be on any device). */
/** Writes save(model, extras) to `path` atomically (Node only; the model may be on any device): a crash never leaves a partial file. */
export async function saveFile(path: string, model: Module, extras: SaveExtras = {}): Promise<void> {
  fsPromises('saveFile');
  await writeFilesAtomically([[path, await saveAsync(model, extras)]]);
}

/** load() of the file at `path` (Node only). */
export async function loadFile(path: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const fs = fsPromises('loadFile');
  const bytes = await fs.readFile(path);
  return load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), options);
}
