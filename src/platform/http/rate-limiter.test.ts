import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

describe('rate limiter', () => {
  it('lets `limit` requests per key through in a window, then says how long to wait', () => {
    let clock = 1_000_000;
    const limiter = createRateLimiter(3, 60_000, () => clock);
    expect([1, 2, 3].map(() => limiter.take('a'))).toEqual([0, 0, 0]);
    expect(limiter.take('a')).toBe(60);
    expect(limiter.take('b')).toBe(0);
    clock += 45_000;
    expect(limiter.take('a')).toBe(15);
    clock += 15_000;
    expect(limiter.take('a')).toBe(0);
  });

  it('stays bounded under many distinct keys', () => {
    const limiter = createRateLimiter(1, 60_000, () => 0, 100);
    for (let i = 0; i < 1000; i++) expect(limiter.take(`k${i}`)).toBe(0);
  });
});
