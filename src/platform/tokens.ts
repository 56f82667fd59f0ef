import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, URL-safe: for session cookies, API tokens, links. */
export const randomToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

/** Tokens are high-entropy, so a fast hash is enough to make a stolen table useless. */
export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
