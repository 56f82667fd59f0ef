/**
 * Wall-clock time per phase of an import run ("contacts: copy raw", "merge contacts: write" …),
 * summed when a phase repeats. The run logs them at debug level and bench/import.ts prints them,
 * so a slow import says where its time went.
 */
export class PhaseTimer {
  readonly #ms = new Map<string, number>();

  async time<T>(phase: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.#ms.set(phase, (this.#ms.get(phase) ?? 0) + performance.now() - started);
    }
  }

  /** Phases in the order they first ran, in milliseconds. */
  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.#ms].map(([phase, ms]) => [phase, Math.round(ms)]));
  }
}

/** Does nothing but run the work: for callers that do not measure. */
export const untimed = { time: <T>(_phase: string, work: () => Promise<T>) => work() };

export type Timer = Pick<PhaseTimer, 'time'>;
