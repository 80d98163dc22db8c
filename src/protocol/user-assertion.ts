/**
 * The key on-behalf-of tokens are cached under: base64url(SHA-256(incoming assertion)), as
 * msal-node's `CryptoProvider.hashString` computes it, so caches interoperate and the assertion
 * itself is never stored.
 */
import { createHash } from 'node:crypto'

export function hashUserAssertion(assertion: string): string {
  return createHash('sha256').update(assertion, 'utf8').digest('base64url')
}
