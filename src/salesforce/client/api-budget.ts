import { SalesforceStop } from './sf-errors.ts';

/**
 * The share of the org's daily API requests a run may use. Salesforce reports the org-wide count
 * on every answer (`Sforce-Limit-Info: api-usage=N/M`): the run stops cleanly, before its next
 * call, once the count reaches the share it was given, leaving the rest of the day to the org's
 * other integrations.
 */
export class ApiBudget {
  readonly percent: number;
  used: number | null = null;
  max: number | null = null;
  startedAt: number | null = null;

  constructor(percent: number) {
    this.percent = Math.min(100, Math.max(1, percent));
  }

  /** From a `Sforce-Limit-Info` header or jsforce's conn.limitInfo. */
  observe(used: number | undefined, max: number | undefined) {
    if (used === undefined || max === undefined || !Number.isFinite(used) || !Number.isFinite(max)) return;
    this.used = used;
    this.max = max;
    this.startedAt ??= used;
  }

  observeHeader(header: string | null | undefined) {
    const m = /api-usage=(\d+)\/(\d+)/.exec(header ?? '');
    if (m) this.observe(Number(m[1]), Number(m[2]));
  }

  get allowed(): number | null {
    return this.max === null ? null : Math.floor((this.max * this.percent) / 100);
  }

  /** Throws when the next call would go over the share. */
  check(what: string) {
    const allowed = this.allowed;
    if (allowed === null || this.used === null) return;
    if (this.used >= allowed) {
      throw new SalesforceStop(
        'api_budget',
        `Stopped before ${what}: the org has used ${this.used} of its ${this.max} daily API requests, ` +
          `and Rapport may use up to ${this.percent}% of them (${allowed}). Nothing was loaded; ` +
          'the next run starts where this one would have. Raise the share in the sync options, or wait for the allocation to reset.',
      );
    }
  }

  snapshot() {
    return { before: this.startedAt, after: this.used, max: this.max, percent: this.percent };
  }
}
