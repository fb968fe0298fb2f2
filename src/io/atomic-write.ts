// Files written so that a crash or kill never leaves a half-written one: each goes to a temporary
// file in its own folder, is flushed to disk, then renamed over its final name (a rename within a
// folder is atomic). A group is renamed only once every member is on disk, so a run's outputs
// replace the previous ones together; until then the previous files stay whole. Node only: node:fs
// is looked up when called, so browser bundles never reach it.
import { RnamError } from '../errors.js';

/** A Node built-in, looked up when called (browser bundles never reach it). */
function nodeModule<T>(id: string): T {
  const getBuiltin = typeof process !== 'undefined' ? (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule : undefined;
  if (typeof getBuiltin !== 'function') throw new RnamError('writing files needs Node (>= 20.16); elsewhere use rnam.save with your own storage');
  return getBuiltin(id) as T;
}

const nodeFs = () => nodeModule<typeof import('node:fs/promises')>('node:fs/promises');

let counter = 0;
/** The temporary files of this process not yet renamed or removed: what an interrupted run removes. */
const live = new Set<string>();
const host = () => nodeModule<typeof import('node:os')>('node:os').hostname().replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * A new temporary name next to `path`, naming this host and process. A temporary file of `path`
 * left by a process of this host that is gone (killed part-way) is removed first.
 */
function tempName(path: string): string {
  const { basename, dirname, join } = nodeModule<typeof import('node:path')>('node:path');
  const fs = nodeModule<typeof import('node:fs')>('node:fs');
  const prefix = `${basename(path)}.tmp-${host()}-`, dir = dirname(path);
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir).filter((n) => n.startsWith(prefix));
  } catch {
    // an unreadable folder: opening the temporary file says why
  }
  for (const name of names) {
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && !alive(pid)) fs.rmSync(join(dir, name), { force: true });
  }
  const temp = `${join(dir, prefix)}${process.pid}-${++counter}`;
  live.add(temp);
  return temp;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes this process's temporary files at once (a signal ends the run before they are renamed). */
export function removeTemporaryFiles(): void {
  const fs = nodeModule<typeof import('node:fs')>('node:fs');
  for (const temp of live) fs.rmSync(temp, { force: true });
  live.clear();
}

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
    for (const [temp, path] of temps) {
      await fs.rename(temp, path);
      live.delete(temp);
    }
  } catch (err) {
    await Promise.all(temps.map(([temp]) => fs.rm(temp, { force: true })));
    for (const [temp] of temps) live.delete(temp);
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
    live.delete(temp);
  } catch (err) {
    await fs.rm(temp, { force: true });
    live.delete(temp);
    throw err;
  }
}
