/**
 * Slows password guessing: after `maxFailures` failed logins for one (IP, email) within the
 * window, or 5× that from one IP across emails, further attempts are refused until the oldest
 * failure leaves the window. Only failures count, so a colleague behind the same NAT who types
 * the right password is not locked out by someone else's typos.
 *
 * Kept in memory: each API process limits on its own (N processes allow N× the attempts).
 */
export interface LoginThrottle {
  /** Seconds to wait, or 0 when an attempt may go ahead. */
  retryAfterSeconds(ip: string, email: string): number;
  recordFailure(ip: string, email: string): void;
  recordSuccess(ip: string, email: string): void;
}

export function createLoginThrottle(maxFailures: number, windowMs = 15 * 60_000, now = () => Date.now()) {
  const failures = new Map<string, number[]>();
  const perIpMax = maxFailures * 5;

  const recent = (key: string): number[] => {
    const cutoff = now() - windowMs;
    const kept = (failures.get(key) ?? []).filter((t) => t > cutoff);
    if (kept.length) failures.set(key, kept);
    else failures.delete(key);
    return kept;
  };
  const wait = (times: number[], max: number) =>
    times.length < max ? 0 : Math.ceil((times[times.length - max]! + windowMs - now()) / 1000);
  const pairKey = (ip: string, email: string) => `${ip}\u0000${email.trim().toLowerCase()}`;

  const throttle: LoginThrottle = {
    retryAfterSeconds(ip, email) {
      return Math.max(wait(recent(pairKey(ip, email)), maxFailures), wait(recent(ip), perIpMax));
    },
    recordFailure(ip, email) {
      for (const key of [pairKey(ip, email), ip]) failures.set(key, [...recent(key), now()]);
      // Bound memory under a spray of random emails: forget the oldest keys.
      if (failures.size > 100_000) {
        for (const key of [...failures.keys()].slice(0, 10_000)) failures.delete(key);
      }
    },
    recordSuccess(ip, email) {
      failures.delete(pairKey(ip, email));
    },
  };
  return throttle;
}
