/**
 * Reading a JWT without verifying it: for id tokens that were verified when they arrived and
 * now come back out of the cache. Never use this on a token straight from the network.
 * (No jose here: a cache read should not load a crypto library.)
 */
import { ClientAuthError } from '../errors.js'

/**
 * The claims of a JWT, unverified.
 * @throws ClientAuthError `invalid_id_token` when it is not a compact JWS with a JSON object
 *   payload (the message does not quote the token).
 */
export function decodeJwtClaims(jwt: string): Record<string, unknown> {
  const claims = typeof jwt === 'string' ? decodePart(jwt.split('.'), 1) : undefined
  if (!claims) {
    throw new ClientAuthError('invalid_id_token', 'The id token is not a well-formed JWT (three base64url parts with a JSON payload).')
  }
  return claims
}

/** The protected header of a JWT, unverified; undefined when it does not decode. */
export function decodeJwtHeader(jwt: string): Record<string, unknown> | undefined {
  return typeof jwt === 'string' ? decodePart(jwt.split('.'), 0) : undefined
}

function decodePart(parts: string[], index: number): Record<string, unknown> | undefined {
  const part = parts[index]
  if (parts.length !== 3 || !part || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}
