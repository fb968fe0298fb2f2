// `rnam worker`: runs jobs from a queue on Redis until stopped. The first SIGINT or SIGTERM lets the
// running job finish and takes no new one; a second stops at once (the job's lock expires and
// another worker runs it again).
import { runJob, startQueueWorker } from '../index.js';
import type { WorkerArgs } from './args.js';
import type { Log } from './train.js';
import { onSignals } from './signals.js';

export async function workerCommand(a: WorkerArgs, log: Log): Promise<void> {
  const worker = await startQueueWorker({ url: a.queue, queue: a.queueName, concurrency: a.concurrency, handle: (kind, payload) => runJob(kind, payload), log });
  const signals = onSignals(
    (signal) => {
      log(`${signal}: finishing the running job${a.concurrency === 1 ? '' : 's'}, taking no new one (${signal} again to stop at once)`);
      worker.close().catch(() => {});
    },
    (signal) => log(`${signal}: stopping at once; the running job goes back to the queue when its lock expires`));
  try {
    await worker.done;
  } finally {
    signals.dispose();
  }
}
