import { describe, expect, it } from 'vitest';
import { conditionsHold } from './conditions.ts';
import type { ConditionGroup, ConditionRule } from './model.ts';

/** The trigger's data as a detractor's response gives it (the shape of trigger-data.ts). */
const event = {
  type: 'response.completed',
  response: {
    id: 41,
    npsScore: 4,
    answers: { nps: 4, why: 'The sizing guide is WRONG', plan: 'gold', tags: ['shipping', 'sizing'] },
    embedded: { sfAccountId: '001B', empty: '' },
    language: null,
    submittedAt: '2026-03-10T09:00:00Z',
  },
  contact: { id: 7, email: 'alan@gogetcloudy.com', role: 'DECISION_MAKER', roles: [], attributes: {} },
  account: { id: 3, name: 'Get Cloudy Consulting', team: { ACCOUNT_OWNER: 'owner.b@cloudkicks.example' } },
};

const all = (...rules: (ConditionRule | ConditionGroup)[]): ConditionGroup => ({ match: 'all', rules });
const any = (...rules: (ConditionRule | ConditionGroup)[]): ConditionGroup => ({ match: 'any', rules });
const rule = (field: string, op: ConditionRule['op'], value?: unknown): ConditionRule =>
  value === undefined ? { field, op } : { field, op, value };
const holds = (r: ConditionRule) => conditionsHold(all(r), event);

describe('conditions on the trigger’s data', () => {
  it('holds with no conditions or an empty group', () => {
    expect(conditionsHold(null, event)).toBe(true);
    expect(conditionsHold(undefined, event)).toBe(true);
    expect(conditionsHold(all(), event)).toBe(true);
    expect(conditionsHold(any(), event)).toBe(true);
  });

  it('all: every rule must hold; any: one is enough', () => {
    const detractor = rule('response.npsScore', 'lte', 6);
    const promoter = rule('response.npsScore', 'gte', 9);
    const decisionMaker = rule('contact.role', 'eq', 'DECISION_MAKER');
    expect(conditionsHold(all(detractor, decisionMaker), event)).toBe(true);
    expect(conditionsHold(all(detractor, promoter), event)).toBe(false);
    expect(conditionsHold(any(promoter, decisionMaker), event)).toBe(true);
    expect(conditionsHold(any(promoter, rule('contact.role', 'eq', 'END_USER')), event)).toBe(false);
  });

  it('nests groups: (NPS ≤ 6 and a decision maker) or the word "cancel"', () => {
    const group = any(
      all(rule('response.npsScore', 'lte', 6), rule('contact.role', 'eq', 'DECISION_MAKER')),
      rule('response.answers.why', 'contains', 'cancel'),
    );
    expect(conditionsHold(group, event)).toBe(true);
    const endUser = { ...event, contact: { ...event.contact, role: 'END_USER' } };
    expect(conditionsHold(group, endUser)).toBe(false);
    const cancelling = {
      ...endUser,
      response: { ...event.response, answers: { ...event.response.answers, why: 'We will CANCEL' } },
    };
    expect(conditionsHold(group, cancelling)).toBe(true);
    // A nested "all" inside an "all" that fails fails the whole.
    expect(conditionsHold(all(rule('contact.id', 'eq', 7), all(rule('contact.id', 'eq', 8))), event)).toBe(
      false,
    );
  });

  it('reads nested paths, with or without the event. prefix, and array indexes', () => {
    expect(holds(rule('event.account.team.ACCOUNT_OWNER', 'eq', 'owner.b@cloudkicks.example'))).toBe(true);
    expect(holds(rule('account.team.ACCOUNT_OWNER', 'eq', 'owner.b@cloudkicks.example'))).toBe(true);
    expect(holds(rule('response.embedded.sfAccountId', 'eq', '001B'))).toBe(true);
    expect(holds(rule('response.answers.tags[1]', 'eq', 'sizing'))).toBe(true);
    expect(holds(rule('response.answers.tags[0]', 'eq', 'sizing'))).toBe(false);
  });

  it('eq and neq: numbers and their text are equal, text ignores case, lists match any element', () => {
    expect(holds(rule('response.npsScore', 'eq', '4'))).toBe(true);
    expect(holds(rule('response.npsScore', 'eq', 5))).toBe(false);
    expect(holds(rule('contact.role', 'eq', 'decision_maker'))).toBe(true);
    expect(holds(rule('response.answers.tags', 'eq', 'shipping'))).toBe(true);
    expect(holds(rule('response.npsScore', 'neq', 5))).toBe(true);
    expect(holds(rule('response.npsScore', 'neq', 4))).toBe(false);
    expect(holds(rule('contact.role', 'neq', 'Decision_Maker'))).toBe(false);
    expect(holds(rule('response.answers.tags', 'neq', 'shipping'))).toBe(false);
    expect(holds(rule('response.answers.tags', 'neq', 'billing'))).toBe(true);
  });

  it('gt, gte, lt, lte: at the boundary and beyond, on numbers, numeric text and dates', () => {
    const score = (op: ConditionRule['op'], value: unknown) => holds(rule('response.npsScore', op, value));
    expect([score('gt', 3), score('gt', 4), score('gt', 5)]).toEqual([true, false, false]);
    expect([score('gte', 3), score('gte', 4), score('gte', 5)]).toEqual([true, true, false]);
    expect([score('lt', 3), score('lt', 4), score('lt', 5)]).toEqual([false, false, true]);
    expect([score('lte', 3), score('lte', 4), score('lte', 5)]).toEqual([false, true, true]);
    // 10 > 9 as numbers, although "10" < "9" as text.
    expect(conditionsHold(all(rule('n', 'gt', '9')), { n: '10' })).toBe(true);
    expect(holds(rule('response.submittedAt', 'gt', '2026-03-01'))).toBe(true);
    expect(holds(rule('response.submittedAt', 'lt', '2026-03-10T08:00:00Z'))).toBe(false);
    // Text and a number cannot be ordered: the rule does not hold either way.
    expect(holds(rule('contact.role', 'gt', 3))).toBe(false);
    expect(holds(rule('contact.role', 'lte', 3))).toBe(false);
  });

  it('contains and not_contains: in text (any case) and in lists', () => {
    expect(holds(rule('response.answers.why', 'contains', 'sizing guide is wrong'))).toBe(true);
    expect(holds(rule('response.answers.why', 'contains', 'price'))).toBe(false);
    expect(holds(rule('response.answers.why', 'not_contains', 'price'))).toBe(true);
    expect(holds(rule('response.answers.tags', 'contains', 'Sizing'))).toBe(true);
    expect(holds(rule('response.answers.tags', 'not_contains', 'sizing'))).toBe(false);
    // A number does not contain anything.
    expect(holds(rule('response.npsScore', 'contains', '4'))).toBe(false);
  });

  it('in and not_in: the value among a list; a list value when any of its elements is', () => {
    expect(holds(rule('contact.role', 'in', ['INFLUENCER', 'DECISION_MAKER']))).toBe(true);
    expect(holds(rule('contact.role', 'in', ['INFLUENCER', 'END_USER']))).toBe(false);
    expect(holds(rule('contact.role', 'not_in', ['INFLUENCER', 'END_USER']))).toBe(true);
    expect(holds(rule('contact.role', 'not_in', ['decision_maker']))).toBe(false);
    expect(holds(rule('response.npsScore', 'in', ['0', '1', '2', '3', '4']))).toBe(true);
    expect(holds(rule('response.answers.tags', 'in', ['billing', 'shipping']))).toBe(true);
    expect(holds(rule('response.answers.tags', 'not_in', ['billing', 'shipping']))).toBe(false);
    // A single value is read as a list of one.
    expect(holds(rule('response.answers.plan', 'in', 'gold'))).toBe(true);
  });

  it('is_empty and is_not_empty: null, missing, blank text, empty lists and objects', () => {
    expect(holds(rule('response.language', 'is_empty'))).toBe(true);
    expect(holds(rule('response.embedded.empty', 'is_empty'))).toBe(true);
    expect(holds(rule('contact.roles', 'is_empty'))).toBe(true);
    expect(holds(rule('contact.attributes', 'is_empty'))).toBe(true);
    expect(holds(rule('contact.missingField', 'is_empty'))).toBe(true);
    expect(holds(rule('contact.email', 'is_empty'))).toBe(false);
    expect(holds(rule('response.npsScore', 'is_not_empty'))).toBe(true);
    expect(conditionsHold(all(rule('n', 'is_not_empty')), { n: 0 })).toBe(true);
    expect(conditionsHold(all(rule('n', 'is_empty')), { n: '   ' })).toBe(true);
    expect(holds(rule('response.answers.tags', 'is_not_empty'))).toBe(true);
    expect(holds(rule('response.language', 'is_not_empty'))).toBe(false);
  });

  it('missing values: comparisons do not hold, negations do', () => {
    expect(holds(rule('contact.nothing.deeper', 'eq', 'x'))).toBe(false);
    expect(holds(rule('contact.nothing.deeper', 'neq', 'x'))).toBe(true);
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      expect(holds(rule('response.missingScore', op, 0)), op).toBe(false);
      expect(holds(rule('response.language', op, 0)), op).toBe(false);
    }
    expect(holds(rule('response.missingText', 'contains', 'a'))).toBe(false);
    expect(holds(rule('response.missingText', 'not_contains', 'a'))).toBe(true);
    expect(holds(rule('response.missingText', 'in', ['a']))).toBe(false);
    expect(holds(rule('response.missingText', 'not_in', ['a']))).toBe(true);
    // No contact at all (an anonymous response).
    expect(
      conditionsHold(all(rule('contact.role', 'eq', 'DECISION_MAKER')), { ...event, contact: null }),
    ).toBe(false);
  });
});
