// Files written so that a crash or kill never leaves a half-written one: each goes to a temporary
// file in its own folder, is flushed to disk, then renamed over its final name (a rename within a
// folder is atomic). A group is renamed only once every member is on disk, so a run's outputs
// replace the previous ones together; until then the previous files stay whole. Node only: node:fs
// is looked up when called, so browser bundles never reach it.
import { RnamError } from '../errors.js';

function nodeFs(): typeof import('node:fs/promises') {
  const getBuiltin = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  if (typeof getBuiltin !== 'function') throw new RnamError('writing files needs Node (>= 20.16); elsewhere use rnam.save with your own storage');
  return getBuiltin('node:fs/promises') as typeof import('node:fs/promises');
}

let counter = 0;
const tempName = (path: string) => `${path}.tmp-${process.pid}-${++counter}`;

/** Writes every [path, contents] pair atomically, then renames them into place together. */
export async function writeFilesAtomically(files: readonly (readonly [string, string | Uint8Array])[]): Promise<void> {
  const fs = nodeFs();
  const temps: [string, string][] = [];
  try {
    for (const [path, contents] of files) {
      const temp = tempName(path);
      temps.push([temp, path]);
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(contents);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    for (const [temp, path] of temps) await fs.rename(temp, path);
  } catch (err) {
    await Promise.all(temps.map(([temp]) => fs.rm(temp, { force: true })));
    throw err;
  }
}

/**
 * Writes the pieces of one file as they come (a stream's output, never held whole) to a temporary
 * file, flushes it and renames it over `path`; if a piece fails to come (an error in the source),
 * the temporary file is removed and `path` keeps what it held.
 */
export async function writeFileAtomicallyFrom(path: string, pieces: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<void> {
  const fs = nodeFs();
  const temp = tempName(path);
  const handle = await fs.open(temp, 'wx');
  try {
    try {
      // writeFile on an open handle writes all of a piece at the current position.
      for await (const piece of pieces) await handle.writeFile(piece);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, path);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}
