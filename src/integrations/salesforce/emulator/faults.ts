/**
 * Faults a test injects to prove a client copes: a session that expires (401
 * INVALID_SESSION_ID, the refresh path), the daily limit (403 REQUEST_LIMIT_EXCEEDED), a server
 * error (500/503, retries), or latency. Each fault matches API calls (under /services/data) or,
 * with `path`, any request whose path and query match; it fires `times` times (default once).
 */

export type FaultKind = 'expireSession' | 'requestLimitExceeded' | 'serverError' | 'latency';

export interface FaultSpec {
  kind: FaultKind;
  /** How many matching requests it affects (default 1; Infinity until cancelled). */
  times?: number;
  /** Matched against the path and query (e.g. /\/jobs\/query\//); default: every API call. */
  path?: RegExp;
  method?: string;
  /** serverError: 500 (default) or 503. */
  status?: 500 | 503;
  /** latency: the delay in ms (default 200). */
  ms?: number;
}

export interface InjectedFault {
  readonly spec: FaultSpec;
  /** How many more requests it will affect. */
  remaining(): number;
  cancel(): void;
}

interface ActiveFault {
  spec: FaultSpec;
  left: number;
}

export interface MatchedFaults {
  latencyMs: number;
  failure: FaultSpec | null;
}

export function createFaults() {
  let active: ActiveFault[] = [];

  const matches = (fault: ActiveFault, method: string, target: string, isApiCall: boolean) => {
    if (fault.spec.method && fault.spec.method.toUpperCase() !== method) return false;
    return fault.spec.path ? fault.spec.path.test(target) : isApiCall;
  };

  return {
    inject(spec: FaultSpec): InjectedFault {
      const fault: ActiveFault = { spec, left: spec.times ?? 1 };
      active.push(fault);
      return {
        spec,
        remaining: () => fault.left,
        cancel: () => {
          fault.left = 0;
          active = active.filter((f) => f !== fault);
        },
      };
    },
    clear() {
      active = [];
    },
    /** The faults a request meets: every matching latency, and the first matching failure. */
    take(method: string, target: string, isApiCall: boolean): MatchedFaults {
      let latencyMs = 0;
      let failure: FaultSpec | null = null;
      for (const fault of active) {
        if (fault.left <= 0 || !matches(fault, method, target, isApiCall)) continue;
        if (fault.spec.kind === 'latency') {
          latencyMs += fault.spec.ms ?? 200;
          fault.left--;
        } else if (!failure) {
          failure = fault.spec;
          fault.left--;
        }
      }
      active = active.filter((f) => f.left > 0);
      return { latencyMs, failure };
    },
  };
}

export type Faults = ReturnType<typeof createFaults>;
