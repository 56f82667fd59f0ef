/**
 * Fixed-window request counting per key (an address, a link token …): cheap enough for the hot
 * respondent path (one Map lookup), bounded in memory, and honest about when to come back.
 * Kept in memory: each API process counts on its own.
 */
export interface RateLimiter {
  /** Counts one request for the key; returns 0 when it may go ahead, else seconds to wait. */
  take(key: string): number;
}

export function createRateLimiter(
  limit: number,
  windowMs = 60_000,
  now: () => number = Date.now,
  maxKeys = 200_000,
): RateLimiter {
  let windowStart = now();
  let counts = new Map<string, number>();
  return {
    take(key) {
      const t = now();
      if (t - windowStart >= windowMs) {
        windowStart = t - ((t - windowStart) % windowMs);
        counts = new Map();
      }
      const used = (counts.get(key) ?? 0) + 1;
      // Under a spray of distinct keys the window is cut short rather than memory growing.
      if (counts.size >= maxKeys && used === 1) counts = new Map();
      counts.set(key, used);
      return used > limit ? Math.max(1, Math.ceil((windowStart + windowMs - t) / 1000)) : 0;
    },
  };
}
