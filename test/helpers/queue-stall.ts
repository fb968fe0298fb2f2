// The stall settings of the queue tests: a killed worker's job is back in the queue within about
// 3 s instead of about 90 s (LOCK_DURATION_MS + STALLED_INTERVAL_MS).
export const TEST_STALL = { lockDuration: 2000, stalledInterval: 1000, maxStalledCount: 1 };
