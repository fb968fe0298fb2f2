// The one dispatcher of serializable jobs (a kind and a JSON payload in, a JSON result out), which
// local worker threads and queue workers (`rnam worker`) both call. No kind is registered here.
import { ArgumentError } from '../errors.js';

export async function runJob(kind: string, payload: unknown): Promise<unknown> {
  void payload;
  throw new ArgumentError(`runJob: unknown job kind '${kind}'`);
}
