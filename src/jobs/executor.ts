// What runs jobs somewhere other than this thread: the local pool, or a remote queue's client.

/** Something that runs jobs elsewhere and answers with runJob's result (plain JSON). */
export interface JobExecutor {
  run(kind: string, payload: unknown): Promise<unknown>;
}
