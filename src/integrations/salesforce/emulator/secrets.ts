import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares secrets in constant time, whatever their lengths. */
export const sameSecret = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));
