// A queue worker process for test/queue.test.ts: node --import tsx test/helpers/queue-worker.ts URL QUEUE [runJob].
// Runs queueTestJob (or with 'runJob', rnam's own jobs: folds and trials) with short stall settings, prints each log line on stdout, and closes on SIGTERM
// (finishing the running job), as `rnam worker` does.
import { runJob, startQueueWorker } from '../../src/index.js';
import { queueTestJob } from './queue-job.js';
import { TEST_STALL } from './queue-stall.js';

const [url, queue, handler] = process.argv.slice(2);
const worker = await startQueueWorker({ url, queue, handle: handler === 'runJob' ? runJob : queueTestJob, log: (line) => console.log(line), ...TEST_STALL });
process.on('SIGTERM', () => { worker.close().catch(() => {}); });
console.log('ready');
await worker.done;
console.log('closed');
