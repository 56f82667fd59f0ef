import { describe, expect, it } from 'vitest';
import { createLoginThrottle } from './login-throttle.ts';

describe('login throttle', () => {
  it('blocks an (address, email) pair after N failures until the oldest leaves the window', () => {
    let now = 0;
    const throttle = createLoginThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(throttle.retryAfterSeconds('1.1.1.1', 'a@x.test')).toBe(0);
      throttle.recordFailure('1.1.1.1', 'A@x.test');
      now += 1000;
    }
    expect(throttle.retryAfterSeconds('1.1.1.1', 'a@x.test')).toBe(57);
    expect(throttle.retryAfterSeconds('1.1.1.1', 'b@x.test')).toBe(0);
    now = 60_001;
    expect(throttle.retryAfterSeconds('1.1.1.1', 'a@x.test')).toBe(0);
  });

  it('limits one address spraying many emails', () => {
    const throttle = createLoginThrottle(2, 60_000, () => 0);
    for (let i = 0; i < 10; i++) throttle.recordFailure('2.2.2.2', `user${i}@x.test`);
    expect(throttle.retryAfterSeconds('2.2.2.2', 'fresh@x.test')).toBeGreaterThan(0);
    expect(throttle.retryAfterSeconds('3.3.3.3', 'fresh@x.test')).toBe(0);
  });

  it('forgets the failures of a pair after a success', () => {
    const throttle = createLoginThrottle(2, 60_000, () => 0);
    throttle.recordFailure('1.1.1.1', 'a@x.test');
    throttle.recordSuccess('1.1.1.1', 'a@x.test');
    throttle.recordFailure('1.1.1.1', 'a@x.test');
    expect(throttle.retryAfterSeconds('1.1.1.1', 'a@x.test')).toBe(0);
  });
});
