// Large shared inputs (the CSV text every fold and trial reads) travel once: the coordinator moves
// every string of at least BLOB_MIN_CHARS out of the payloads into Redis under a key named by its
// sha256, so equal texts are one key however many jobs use them, and puts { $rnamBlob: hash,
// chars } in their place. A worker fetches each blob once, keeps the last few in memory, and hands
// its handler the payload as the caller wrote it.
import { QueueError } from '../errors.js';
import { BLOB_KEY } from './job-data.js';
import { sha256 } from '../jobs/job-store.js';
import type { RedisClient } from './load.js';

/** Strings this long or longer are stored once as blobs (16 Ki characters). */
export const BLOB_MIN_CHARS = 16 * 1024;
/** How long a blob stays in Redis after the last coordinator that stored it (as long as finished jobs). */
export const BLOB_TTL_SECONDS = 7 * 24 * 3600;

export interface BlobRef {
  [BLOB_KEY]: string;
  chars: number;
}

/** The Redis key of a blob: its queue and the sha256 of its text. */
export function blobKey(queue: string, hash: string): string {
  return `rnam:blob:${queue}:sha256:${hash}`;
}

/** The payload with its long strings replaced by references, and the texts by hash. */
export async function extractBlobs(payload: unknown, blobs: Map<string, string>, minChars = BLOB_MIN_CHARS): Promise<unknown> {
  if (typeof payload === 'string') {
    if (payload.length < minChars) return payload;
    const hash = sha256(payload);
    blobs.set(hash, payload);
    return { [BLOB_KEY]: hash, chars: payload.length } satisfies BlobRef;
  }
  if (Array.isArray(payload)) return Promise.all(payload.map((v) => extractBlobs(v, blobs, minChars)));
  if (payload !== null && typeof payload === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(payload)) out[k] = await extractBlobs(v, blobs, minChars);
    return out;
  }
  return payload;
}

/** Stores each blob unless Redis has it already (then only its expiry is renewed). */
export async function storeBlobs(client: RedisClient, queue: string, blobs: Map<string, string>): Promise<void> {
  for (const [hash, text] of blobs) {
    const key = blobKey(queue, hash);
    if ((await client.expire(key, BLOB_TTL_SECONDS)) === 0) await client.set(key, text, 'EX', BLOB_TTL_SECONDS);
  }
}

/** A worker's blobs: fetched from Redis on first use, the most recent few kept in memory. */
export class BlobCache {
  private readonly texts = new Map<string, Promise<string>>();
  constructor(private readonly client: RedisClient, private readonly queue: string, private readonly keep = 4) {}

  /** The payload with every reference replaced by its text. */
  async resolve(payload: unknown): Promise<unknown> {
    if (Array.isArray(payload)) return Promise.all(payload.map((v) => this.resolve(v)));
    if (payload === null || typeof payload !== 'object') return payload;
    const ref = payload as Partial<BlobRef>;
    if (typeof ref[BLOB_KEY] === 'string') return this.text(ref[BLOB_KEY], ref.chars);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(payload)) out[k] = await this.resolve(v);
    return out;
  }

  private text(hash: string, chars: number | undefined): Promise<string> {
    let text = this.texts.get(hash);
    if (text) {
      this.texts.delete(hash); // re-inserted below: the map's order is the order of last use
    } else {
      text = this.client.get(blobKey(this.queue, hash)).then((t) => {
        if (t === null || (chars !== undefined && t.length !== chars)) {
          throw new QueueError(`the shared input sha256:${hash} of queue '${this.queue}' is ${t === null ? 'missing from' : 'damaged in'} Redis ` +
            '(expired or evicted: Redis must run with maxmemory-policy noeviction; running the coordinator again stores it again)', 'bad-job');
        }
        return t;
      });
      text.catch(() => this.texts.delete(hash));
    }
    this.texts.set(hash, text);
    while (this.texts.size > this.keep) this.texts.delete(this.texts.keys().next().value!);
    return text;
  }
}
