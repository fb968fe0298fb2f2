// A local pool's worker thread (src/jobs/local-pool.ts): each message is one job, answered with
// runJob's result or the error it threw (its class name, message and fields).
import { parentPort } from 'node:worker_threads';
import { runJob } from '../index.js';

parentPort!.on('message', async ({ kind, payload }: { kind: string; payload: unknown }) => {
  try {
    parentPort!.postMessage({ value: await runJob(kind, payload) });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    const fields = Object.fromEntries(Object.entries(e).filter(([k, v]) => k !== 'name' && (v === null || ['string', 'number', 'boolean'].includes(typeof v))));
    parentPort!.postMessage({ error: { name: e.name, message: e.message, stack: e.stack, fields } });
  }
});
