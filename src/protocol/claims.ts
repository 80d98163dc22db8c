/**
 * The `claims` request parameter: a claims challenge (CAE, Conditional Access auth context)
 * merged with the client's declared capabilities.
 * @see https://learn.microsoft.com/entra/identity-platform/claims-challenge
 */
import { ClientConfigurationError } from '../errors.js'

/**
 * Merges client capabilities into a `claims` request as msal-common's
 * `addClientCapabilitiesToClaims` does: `{"access_token":{"xms_cc":{"values":[...]}}}`.
 * Returns undefined when there is nothing to send.
 * @throws ClientConfigurationError `invalid_claims` when `claims` is not a JSON object.
 */
export function mergeClaims(claims: string | undefined, capabilities: readonly string[]): string | undefined {
  if (!claims && capabilities.length === 0) return undefined
  let parsed: Record<string, unknown> = {}
  if (claims) {
    let value: unknown
    try {
      value = JSON.parse(claims)
    } catch (cause) {
      throw new ClientConfigurationError('invalid_claims', 'request.claims must be a JSON object (decode a base64 claims challenge first).', { cause })
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ClientConfigurationError('invalid_claims', 'request.claims must be a JSON object such as {"access_token":{"acrs":{"essential":true,"value":"c1"}}}.')
    }
    parsed = value as Record<string, unknown>
    if (capabilities.length === 0) return claims
  }
  const accessToken = typeof parsed.access_token === 'object' && parsed.access_token !== null ? { ...(parsed.access_token as Record<string, unknown>) } : {}
  accessToken.xms_cc = { values: [...capabilities] }
  return JSON.stringify({ ...parsed, access_token: accessToken })
}
