// The Redis connection the queue runs on. ioredis retries a refused connection forever by default;
// here the first connection is tried once (a refused, unknown or silent host is a QueueError within
// CONNECT_TIMEOUT_MS), and a connection lost later is retried with backoff for about two minutes
// (a Redis restart or failover) before the coordinator or worker gives up with an error.
import { QueueError } from '../errors.js';
import type { QueueModules, RedisClient } from './load.js';
import type { RedisTarget } from './url.js';

/** How long the first connection may take before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 3000;
/** Reconnection tries after a connection that worked is lost: delays of 0.5 s, 1 s, ... up to 5 s, about 2 minutes in all. */
export const RECONNECT_TRIES = 30;

export interface RedisConnection {
  client: RedisClient;
  /** Rejects (QueueError 'unreachable') when the connection is lost for good; never resolves. */
  lost: Promise<never>;
  close(): Promise<void>;
}

/** ioredis options for the target, for BullMQ's own connections (made once connectRedis has reached it). */
export function redisOptions(target: RedisTarget): import('bullmq').RedisOptions {
  return {
    host: target.host, port: target.port, db: target.db, username: target.username, password: target.password,
    tls: target.tls ? { servername: target.host } : undefined, connectTimeout: CONNECT_TIMEOUT_MS,
    // BullMQ's blocking commands need requests that wait for a reconnection instead of failing.
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelay,
  };
}

function reconnectDelay(times: number): number | null {
  return times <= RECONNECT_TRIES ? Math.min(500 * times, 5000) : null;
}

/** Connects to the target, or throws a QueueError (code 'unreachable') naming it and why. */
export async function connectRedis(modules: QueueModules, target: RedisTarget): Promise<RedisConnection> {
  let connected = false, closing = false;
  let lastError: Error | null = null;
  const client = new modules.Redis({
    ...redisOptions(target), lazyConnect: true,
    retryStrategy: (times: number) => (connected ? reconnectDelay(times) : null),
  });
  client.on('error', (err: Error) => { lastError = err; });
  let reportLost: (err: QueueError) => void = () => {};
  const lost = new Promise<never>((_, reject) => { reportLost = reject; });
  lost.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
  try {
    await client.connect();
    await client.ping();
  } catch (err) {
    client.disconnect();
    const why = (lastError as Error | null)?.message || (err as Error).message || String(err);
    throw new QueueError(`cannot reach Redis at ${target.label}: ${why}` +
      (/ECONNREFUSED/.test(why) ? ' (is redis-server running there?)' : /NOAUTH|WRONGPASS/.test(why) ? ' (the password goes into the URL: redis://:PASSWORD@host:port)' : ''),
      'unreachable', { cause: err });
  }
  connected = true;
  client.on('end', () => {
    if (closing) return;
    reportLost(new QueueError(`lost the connection to Redis at ${target.label} and could not reconnect` +
      `${lastError ? `: ${(lastError as Error).message}` : ''}`, 'unreachable', { cause: lastError }));
  });
  return {
    client, lost,
    close: async () => {
      closing = true;
      await client.quit().catch(() => client.disconnect());
    },
  };
}
