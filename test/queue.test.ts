// The job queue on a real redis-server (started here on a free loopback port, stopped at the end):
// two worker processes run 6 training jobs; one is killed with SIGKILL while it runs a job, which
// another worker runs again after its lock expires; every job's result arrives exactly once and
// equals the same job run in this process. Also: a coordinator run again reuses finished results
// (and refuses an id reused for other work), a job that fails names its id and the worker's
// message, close() lets the running job finish, a large input travels once as a blob, `rnam worker`
// runs jobs and stops on SIGTERM, and a missing bullmq, a bad URL and a refused connection are typed
// errors within seconds.
// Without redis-server the suite is a skip naming why; under RNAM_REQUIRE_WEBGPU=1 or CI a failure.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { Generator, QueueError, QueueExecutor, runJobsOnQueue, search, startQueueWorker, parseRedisUrl, type QueueResult } from '../src/index.js';
import { loadQueueModules } from '../src/queue/load.js';
import { blobKey } from '../src/queue/blobs.js';
import { freePort, redisServerMissing, startRedis, type RedisServer } from './helpers/redis.js';
import { queueTestJob, syntheticCsv } from './helpers/queue-job.js';
import { TEST_STALL } from './helpers/queue-stall.js';
import { parseWorkerArgs, UsageError } from '../src/cli/args.js';
import { main } from '../src/cli/main.js';

const requireTools = process.env.RNAM_REQUIRE_WEBGPU === '1' || !!process.env.CI;
const root = fileURLToPath(new URL('..', import.meta.url));
const test = suite('job queue (BullMQ on redis-server)');

async function rejects(run: () => Promise<unknown>): Promise<QueueError> {
  try {
    await run();
  } catch (err) {
    assert.instance(err, QueueError, String(err));
    return err as QueueError;
  }
  throw new assert.Assertion({ message: 'expected a QueueError', generated: false, operator: 'rejects', expects: 'QueueError', actual: 'no error' });
}

// Needs no server: the URL, the loader, a refused connection.
test('a bad Redis URL is a QueueError (bad-url) naming it, with the password hidden', async () => {
  for (const url of ['', 'localhost:6379', 'http://h:1', 'redis://h:99999', 'redis://h/x', 'redis://:secret@/0']) {
    const err = await rejects(async () => parseRedisUrl(url));
    assert.is(err.code, 'bad-url', url);
    assert.not.match(err.message, 'secret');
  }
  assert.equal(parseRedisUrl('rediss://u:p%40ss@example.com:6380/3'), { host: 'example.com', port: 6380, db: 3, tls: true, username: 'u', password: 'p@ss', label: 'rediss://u:***@example.com:6380/3' });
  assert.is(parseRedisUrl('redis://127.0.0.1').port, 6379);
  const err = await rejects(() => runJobsOnQueue({ url: 'redis//x', jobs: [] }));
  assert.is(err.code, 'bad-url');
});

test('without bullmq the loader is a QueueError (missing-package) saying `npm install bullmq ioredis`', async () => {
  const missing = () => Promise.reject(Object.assign(new Error("Cannot find package 'bullmq' imported from /app/node_modules/rnam/dist/rnam.node.js"), { code: 'ERR_MODULE_NOT_FOUND' }));
  const err = await rejects(() => loadQueueModules(missing));
  assert.is(err.code, 'missing-package');
  assert.match(err.message, 'npm install bullmq ioredis');
  assert.match(err.message, "Cannot find package 'bullmq'");
});

test('a refused connection is a QueueError (unreachable) within a few seconds, for the coordinator and the worker', async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  await loadQueueModules(); // the first import of bullmq is not the connection's time
  for (const start of [() => runJobsOnQueue({ url, jobs: [{ id: 'a', kind: 'train', payload: {} }] }), () => startQueueWorker({ url, handle: () => null })]) {
    const t0 = Date.now();
    const err = await rejects(start);
    assert.is(err.code, 'unreachable');
    assert.match(err.message, /ECONNREFUSED/);
    assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  }
});

test('jobs the queue cannot carry are QueueErrors (bad-job) before anything is sent', async () => {
  const url = 'redis://127.0.0.1:1'; // never reached: the jobs are checked first
  const cases: [unknown, RegExp][] = [
    [[{ id: '12', kind: 'k', payload: 1 }], /not an integer/],
    [[{ id: 'a:b', kind: 'k', payload: 1 }], /without ':'/],
    [[{ id: 'a', kind: 'k', payload: 1 }, { id: 'a', kind: 'k', payload: 2 }], /twice/],
    [[{ id: 'a', kind: 'k', payload: { x: [1, NaN] } }], /payload\.x\[1\] is NaN/],
    [[{ id: 'a', kind: 'k', payload: { x: new Float32Array(2) } }], /payload\.x is \[object Float32Array\]/],
    [[{ id: 'a', kind: 'k', payload: { x: undefined } }], /payload\.x is undefined/],
  ];
  for (const [jobs, message] of cases) {
    const err = await rejects(() => runJobsOnQueue({ url, jobs: jobs as never }));
    assert.is(err.code, 'bad-job');
    assert.match(err.message, message);
  }
});

test('rnam worker: --queue is required, --concurrency an integer >= 1; an unreachable Redis is one QueueError line, exit code 1', async () => {
  assert.throws(() => parseWorkerArgs([]), (e: Error) => e instanceof UsageError && /--queue is required/.test(e.message));
  assert.throws(() => parseWorkerArgs(['--queue', 'redis://h', '--concurrency', '0']), (e: Error) => e instanceof UsageError && /--concurrency must be an integer >= 1/.test(e.message));
  assert.equal(parseWorkerArgs(['--queue', 'redis://h:1', '--queue-name', 'q', '--concurrency', '3']), { queue: 'redis://h:1', queueName: 'q', concurrency: 3 });
  const log: string[] = [];
  const port = await freePort();
  assert.is(await main(['worker', '--queue', `redis://127.0.0.1:${port}`], (line) => log.push(line)), 1);
  assert.equal(log, [`rnam worker: QueueError: cannot reach Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port} (is redis-server running there?)`]);
});

const missing = redisServerMissing();
if (missing) {
  if (requireTools) test('the queue suite needs redis-server (RNAM_REQUIRE_WEBGPU=1 / CI)', () => assert.unreachable(missing));
  else {
    console.log(`  skipping the redis-server part of the queue suite: ${missing}`);
    test.skip(`queue suite on redis-server (${missing})`, () => {});
  }
} else {
  let redis: RedisServer;
  const csv = syntheticCsv();
  const jobs = Array.from({ length: 6 }, (_, i) => ({ id: `fit-${i}`, kind: 'train', payload: { csv, seed: 100 + i } }));

  test.before(async () => { redis = await startRedis(); });
  test.after(async () => { await redis?.stop(); });

  /** A worker process; its stdout lines are kept, and `started` resolves with a job's id when one starts. */
  function workerProcess(name: string, queue: string, handler = 'test') {
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/queue-worker.ts', redis.url, queue, handler], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    const waiters: ((line: string) => void)[] = [];
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        for (const w of [...waiters]) w(line);
      }
    });
    const next = (match: RegExp) => new Promise<RegExpMatchArray>((resolve, reject) => {
      const found = lines.map((l) => l.match(match)).find(Boolean);
      if (found) return resolve(found);
      const waiter = (line: string) => {
        const m = line.match(match);
        if (m) { waiters.splice(waiters.indexOf(waiter), 1); resolve(m); }
      };
      waiters.push(waiter);
      child.once('exit', (code, signal) => reject(new Error(`worker ${name} exited (${code ?? signal}) before ${match}: ${lines.join(' | ')}`)));
    });
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));
    const startedJobs = () => lines.map((l) => l.match(/^job '([^']+)' \(\w+\) started/)?.[1]).filter((id): id is string => !!id);
    return { name, child, lines, next, exited, startedJobs };
  }

  test('two worker processes, one killed mid-job: every job finishes exactly once, equal to the job run in-process', async () => {
    const queue = 'kill-test';
    const a = workerProcess('A', queue), b = workerProcess('B', queue);
    try {
      await Promise.all([a.next(/^ready$/), b.next(/^ready$/)]);
      const results: QueueResult[] = [];
      const running = runJobsOnQueue({ url: redis.url, queue, jobs, onResult: (r) => results.push(r) });
      running.catch(() => {});
      // The same jobs in this process, meanwhile (the CPU is idle while the killed job's lock runs out).
      const expected = (async () => {
        const out: unknown[] = [];
        for (const job of jobs) out.push(await queueTestJob(job.kind, job.payload));
        return out;
      })();
      // A's first job: kill A the moment it starts (the job then runs on B once A's lock expires).
      const [, killedJob] = await a.next(/^job '([^']+)' \(train\) started/);
      a.child.kill('SIGKILL');
      assert.is(await a.exited, 'SIGKILL');
      const out = await running;

      assert.is(results.length, jobs.length, 'one onResult per job');
      assert.equal(results.map((r) => r.id).sort(), jobs.map((j) => j.id).sort(), 'each job once');
      assert.ok(results.every((r) => !r.reused));
      assert.ok(b.startedJobs().includes(killedJob), `the killed job ${killedJob} ran again on B: ${b.lines.join(' | ')}`);
      assert.not.ok(a.lines.some((l) => l.startsWith(`job '${killedJob}' finished`)), 'A never finished it');
      const local = await expected;
      for (const [i, job] of jobs.entries()) {
        assert.equal(out[i], local[i], `job ${job.id}: the queue's result equals the in-process one`);
        assert.is(results.find((r) => r.id === job.id)!.index, i);
      }
      const { Redis } = await loadQueueModules();
      const client = new Redis(redis.url);
      try {
        const counts = await Promise.all(['completed', 'failed', 'wait', 'active'].map((s) => client.zcard(`bull:${queue}:${s}`).catch(() => client.llen(`bull:${queue}:${s}`))));
        assert.equal(counts, [jobs.length, 0, 0, 0], 'completed, failed, waiting, active');
        // The CSV is one blob, not in the jobs' data.
        const data = JSON.parse((await client.hget(`bull:${queue}:fit-0`, 'data'))!);
        assert.ok(JSON.stringify(data).length < 1000, 'the job carries a reference, not the CSV');
        const hash = data.payload.csv.$rnamBlob as string;
        assert.is(await client.get(blobKey(queue, hash)), csv);
      } finally {
        client.disconnect();
      }

      // SIGTERM: B closes and exits cleanly.
      b.child.kill('SIGTERM');
      assert.is(await b.exited, 0);
      assert.ok(b.lines.includes('closed'));

      // A coordinator run again with the same jobs and no worker left: every result comes from Redis.
      const again: QueueResult[] = [];
      assert.equal(await runJobsOnQueue({ url: redis.url, queue, jobs, onResult: (r) => again.push(r) }), out);
      assert.ok(again.length === jobs.length && again.every((r) => r.reused));
      // The same id for other work is refused rather than answered with the old result.
      const err = await rejects(() => runJobsOnQueue({ url: redis.url, queue, jobs: [{ ...jobs[0], payload: { csv, seed: 999 } }] }));
      assert.is(err.code, 'stale-job');
      assert.is(err.jobId, 'fit-0');
    } finally {
      for (const w of [a, b]) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    }
  });

  test('a search on the queue, two workers running rnam\'s jobs, one killed mid-fold: every job once, the one-machine result', async () => {
    const queue = 'search-test';
    const gen = new Generator(5), lines = ['id,day,x,kind,y'];
    for (let p = 0; p < 40; p++) {
      const level = gen.normal();
      for (let t = 0; t < 3; t++) lines.push(`p${p},${t * 10},${(level + gen.normal() * 0.4).toFixed(3)},${p % 2 ? 'a' : 'b'},${level > 0 ? 1 : 0}`);
    }
    const panel = lines.join('\n') + '\n';
    // An option left undefined, as the command line leaves unset ones: JSON drops it.
    const options = { id: 'id', time: 'day', target: 'y', members: 1, epochs: 2, patience: undefined, device: 'wasm' as const, log: null, grid: true, final: false, folds: 2 };
    const space = { hiddenDim: [2, 3, 4] };
    const a = workerProcess('A', queue, 'runJob'), b = workerProcess('B', queue, 'runJob');
    try {
      await Promise.all([a.next(/^ready$/), b.next(/^ready$/)]);
      const executor = new QueueExecutor({ url: redis.url, queue });
      const onQueue = search(panel, space, { ...options, executor });
      onQueue.catch(() => {});
      const [, killedJob] = await a.next(/^job '([^']+)' \(fold\) started/);
      a.child.kill('SIGKILL');
      const queued = await onQueue;
      const local = await search(panel, space, { ...options, workers: 1 });
      assert.equal(JSON.stringify(queued.trials), JSON.stringify(local.trials), 'the same trials and metrics as on one machine');
      assert.ok(b.startedJobs().includes(killedJob), `the killed fold ${killedJob} ran again on B`);
      const { Redis } = await loadQueueModules();
      const client = new Redis(redis.url);
      try {
        const counts = await Promise.all(['completed', 'failed', 'wait', 'active'].map((s) => client.zcard(`bull:${queue}:${s}`).catch(() => client.llen(`bull:${queue}:${s}`))));
        assert.equal(counts, [6, 0, 0, 0], 'each of the 3 trials x 2 folds completed once');
      } finally {
        client.disconnect();
      }
    } finally {
      for (const w of [a, b]) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    }
  });

  test('rnam worker (the built command) runs the queue\'s jobs through runJob and stops cleanly on SIGTERM', async () => {
    const queue = 'cli-test';
    const child = spawn(process.execPath, [join(root, 'bin', 'rnam.js'), 'worker', '--queue', redis.url, '--queue-name', queue], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => { err += chunk; });
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal!)));
    try {
      // A kind runJob does not know: the worker's typed error comes back to the coordinator.
      const failed = await rejects(() => runJobsOnQueue({ url: redis.url, queue, attempts: 1, jobs: [{ id: 'unknown-kind', kind: 'no-such-kind', payload: {} }] }));
      assert.is(failed.code, 'job-failed');
      assert.match(failed.message, /^job 'unknown-kind' \(no-such-kind\) failed on its worker after 1 attempt: .*no-such-kind/);
      child.kill('SIGTERM');
      assert.is(await exited, 0, err);
      assert.match(err, /worker on queue 'cli-test'/);
      assert.match(err, /SIGTERM: finishing the running job/);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  test('a coordinator restarted with more jobs runs only the ones not finished before', async () => {
    const queue = 'restart-test';
    const ran: string[] = [];
    const worker = await startQueueWorker({ url: redis.url, queue, ...TEST_STALL,
      handle: (kind, payload) => { ran.push(String((payload as { n: number }).n)); return { square: (payload as { n: number }).n ** 2 }; } });
    try {
      const some = [1, 2, 3].map((n) => ({ id: `sq-${n}`, kind: 'square', payload: { n } }));
      const all = [1, 2, 3, 4, 5].map((n) => ({ id: `sq-${n}`, kind: 'square', payload: { n } }));
      assert.equal(await runJobsOnQueue({ url: redis.url, queue, jobs: some }), [1, 4, 9].map((square) => ({ square })));
      const reused: boolean[] = [];
      assert.equal(await runJobsOnQueue({ url: redis.url, queue, jobs: all, onResult: (r) => { reused[r.index] = r.reused; } }),
        [1, 4, 9, 16, 25].map((square) => ({ square })));
      assert.equal(reused, [true, true, true, false, false]);
      assert.equal(ran, ['1', '2', '3', '4', '5'], 'each job ran once');
    } finally {
      await worker.close();
    }
  });

  test('a job that fails on its worker is a QueueError naming the job and the message; close() lets a running job finish', async () => {
    const queue = 'fail-test';
    let release: () => void = () => {};
    let slowStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => { slowStarted = resolve; });
    const worker = await startQueueWorker({ url: redis.url, queue, ...TEST_STALL, handle: async (kind, payload) => {
      if (kind !== 'wait') return queueTestJob(kind, payload);
      slowStarted();
      await new Promise<void>((resolve) => { release = resolve; });
      return { waited: true };
    } });
    let closed = false;
    try {
      const err = await rejects(() => runJobsOnQueue({ url: redis.url, queue, attempts: 2, jobs: [{ id: 'doomed', kind: 'fail', payload: { message: 'boom' } }] }));
      assert.is(err.code, 'job-failed');
      assert.is(err.jobId, 'doomed');
      assert.match(err.message, "job 'doomed' (fail) failed on its worker after 2 attempts: deliberate failure: boom");

      // close() while a job runs: the job finishes and its result reaches the coordinator.
      const result = runJobsOnQueue({ url: redis.url, queue, jobs: [{ id: 'slow', kind: 'wait', payload: {} }] });
      result.catch(() => {});
      await started;
      const closing = worker.close().then(() => { closed = true; });
      await new Promise((r) => setTimeout(r, 300));
      assert.not.ok(closed, 'close() waits for the running job');
      release();
      await closing;
      assert.equal(await result, [{ waited: true }]);
    } finally {
      if (!closed) await worker.close();
    }
  });
}

test.run();
