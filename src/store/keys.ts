import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API key format: `sg_<id>_<secret>`, id 16 hex characters (public: listed, used to revoke),
 * secret 43 base64url characters (256 random bits, never stored). Stores keep SHA-256 of the
 * secret: the secret is random and long, so a slow password hash would add nothing.
 */
const KEY = /^sg_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function newKey(): { id: string; key: string; hash: Buffer } {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, key: `sg_${id}_${secret}`, hash: hashSecret(secret) };
}

export function parseKey(key: string): { id: string; secret: string } | undefined {
  const m = KEY.exec(key);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, stored: Uint8Array): boolean {
  const h = hashSecret(secret);
  return stored.byteLength === h.byteLength && timingSafeEqual(h, stored);
}
