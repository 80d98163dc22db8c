/**
 * Reading a JWT without verifying it: for id tokens that were verified when they arrived and
 * now come back out of the cache. Never use this on a token straight from the network.
 */
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { ClientAuthError } from '../errors.js'

/**
 * The claims of a JWT, unverified.
 * @throws ClientAuthError `invalid_id_token` when it is not a compact JWS with a JSON payload
 *   (the message does not quote the token).
 */
export function decodeJwtClaims(jwt: string): Record<string, unknown> {
  try {
    return decodeJwt(jwt) as Record<string, unknown>
  } catch (cause) {
    throw new ClientAuthError('invalid_id_token', 'The id token is not a well-formed JWT (three base64url parts with a JSON payload).', { cause: scrub(cause) })
  }
}

/** The protected header of a JWT, unverified; undefined when it does not decode. */
export function decodeJwtHeader(jwt: string): Record<string, unknown> | undefined {
  try {
    return decodeProtectedHeader(jwt) as Record<string, unknown>
  } catch {
    return undefined
  }
}

/** jose's messages do not quote tokens, but keep only the class and code to be sure. */
function scrub(cause: unknown): Error {
  const code = (cause as { code?: unknown })?.code
  return new Error(typeof code === 'string' ? code : 'decode failed')
}
