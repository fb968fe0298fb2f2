// A private redis-server for a test: on a free loopback port, in a temporary directory, with no
// persistence; stopped by the test. Not a system service: nothing outlives the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where the tests look for redis-server (Debian: apt-get install redis-server). */
export const REDIS_SERVER = process.env.RNAM_REDIS_SERVER ?? '/usr/bin/redis-server';

export function redisServerMissing(): string | null {
  return existsSync(REDIS_SERVER) ? null : `no redis-server at ${REDIS_SERVER} (apt-get install redis-server, or set RNAM_REDIS_SERVER)`;
}

export interface RedisServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server (redis-server has no --port 0: a free port is picked first, and picked again if it was taken meanwhile). */
export async function startRedis(): Promise<RedisServer> {
  let lastError = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'rnam-redis-'));
    const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
      '--maxmemory-policy', 'noeviction'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const ready = await new Promise<boolean>((resolve) => {
      let out = '';
      const timer = setTimeout(() => resolve(false), 10_000);
      const read = (chunk: Buffer) => {
        out += chunk;
        if (/Ready to accept connections/.test(out)) { clearTimeout(timer); resolve(true); }
      };
      child.stdout!.on('data', read);
      child.stderr!.on('data', read);
      child.once('exit', () => { clearTimeout(timer); lastError = out.slice(-500); resolve(false); });
    });
    if (ready) return { url: `redis://127.0.0.1:${port}`, port, stop: () => stop(child, dir) };
    await stop(child, dir);
  }
  throw new Error(`redis-server did not start: ${lastError}`);
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
}
