/**
 * The org's daily API request allocation: every authenticated call under /services/data counts
 * (the version list does not), the count is reported on each answer as
 * `Sforce-Limit-Info: api-usage=N/M`, and once it reaches the maximum calls are refused with
 * REQUEST_LIMIT_EXCEEDED. The emulator's day never rolls over: tests reset it.
 */
export function createApiUsage(max: number) {
  let used = 0;
  let limit = max;
  return {
    /** Counts a call; false when the allocation is used up (the call is refused, not counted). */
    tryCount(): boolean {
      if (used >= limit) return false;
      used++;
      return true;
    },
    header: () => `api-usage=${used}/${limit}`,
    snapshot: () => ({ used, max: limit, remaining: Math.max(0, limit - used) }),
    set(next: { used?: number; max?: number }) {
      if (next.used !== undefined) used = next.used;
      if (next.max !== undefined) limit = next.max;
    },
  };
}

export type ApiUsage = ReturnType<typeof createApiUsage>;
