// The Redis address of a queue: redis://[user:password@]host[:port][/db], or rediss:// for TLS.
import { QueueError } from '../errors.js';

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  tls: boolean;
  username?: string;
  password?: string;
  /** The URL without its password, for messages and logs. */
  label: string;
}

const EXAMPLE = 'redis://HOST:PORT, rediss://HOST:PORT for TLS, with an optional user:password@ and /DB';

/** Parses a Redis URL; anything else is a QueueError (code 'bad-url') that shows the expected form. */
export function parseRedisUrl(url: unknown): RedisTarget {
  const bad = (why: string): never => {
    throw new QueueError(`bad Redis URL ${typeof url === 'string' ? `'${redact(url)}'` : String(url)}: ${why} (expected ${EXAMPLE})`, 'bad-url');
  };
  if (typeof url !== 'string' || url.trim() === '') return bad('it is empty');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return bad('not a URL');
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') bad(`the scheme is '${u.protocol.replace(/:$/, '')}', not redis or rediss`);
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host === '') bad('no host');
  const port = u.port === '' ? 6379 : Number(u.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) bad(`port ${u.port}`);
  const path = u.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(path)) bad(`the database '${path}' is not a number`);
  if (u.search !== '' || u.hash !== '') bad('options after ? or # are not read');
  const username = u.username === '' ? undefined : decodeURIComponent(u.username);
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  return { host, port, db: path === '' ? 0 : Number(path), tls: u.protocol === 'rediss:', username, password, label: redact(url) };
}

/** The URL with its password replaced by ***, so it can go into messages and logs. */
function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** The queue name a coordinator and its workers share when none is given. */
export const DEFAULT_QUEUE = 'rnam';

/** A queue name: letters, digits, '.', '_' and '-' (BullMQ puts it into its Redis keys, split at ':'). */
export function checkQueueName(name: unknown): string {
  if (name === undefined) return DEFAULT_QUEUE;
  if (typeof name !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(name)) {
    throw new QueueError(`bad queue name ${typeof name === 'string' ? `'${name}'` : String(name)}: use letters, digits, '.', '_' and '-'`, 'bad-url');
  }
  return name;
}
