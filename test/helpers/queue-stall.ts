// The stall settings of the queue tests: a killed worker's job is back in the queue within about
// 4 s instead of 60 to 90 s (LOCK_DURATION_MS + STALLED_INTERVAL_MS); two stalls allowed, as by
// default, so a lock renewal delayed on a busy machine does not fail a job.
export const TEST_STALL = { lockDuration: 3000, stalledInterval: 1000, maxStalledCount: 2 };
