// bullmq and ioredis are optional dependencies: loaded on first use, so rnam without them installs,
// imports and trains as before, and only the queue says what to install.
import { QueueError } from '../errors.js';

export type BullMQ = typeof import('bullmq');
export type RedisClass = typeof import('ioredis').Redis;
export type RedisClient = import('ioredis').Redis;

export interface QueueModules {
  bullmq: BullMQ;
  Redis: RedisClass;
}

/** How the two packages are imported; tests pass one that fails to see the error a user gets. */
export type QueueImporter = () => Promise<{ bullmq: BullMQ; ioredis: typeof import('ioredis') }>;

const importBoth: QueueImporter = async () => ({ bullmq: await import('bullmq'), ioredis: await import('ioredis') });

let loaded: Promise<QueueModules> | null = null;

/** bullmq and ioredis, or a QueueError (code 'missing-package') that says `npm install bullmq ioredis`. */
export function loadQueueModules(importer?: QueueImporter): Promise<QueueModules> {
  const load = () => (importer ?? importBoth)().then(
    ({ bullmq, ioredis }) => ({ bullmq, Redis: ioredis.Redis ?? (ioredis as unknown as { default: RedisClass }).default }),
    (err: unknown) => {
      throw new QueueError('the job queue needs the optional packages bullmq and ioredis; install them next to rnam with ' +
        `\`npm install bullmq ioredis\` (${String((err as Error)?.message ?? err).split('\n')[0]})`, 'missing-package', { cause: err });
    },
  );
  if (importer) return load();
  loaded ??= load().catch((err) => { loaded = null; throw err; });
  return loaded;
}
