/**
 * id_token validation (OpenID Connect Core §3.1.3.7) with jose: the signature against the
 * authority's JWKS, an allowlist of asymmetric algorithms (`none` and HMAC refused), `iss`
 * (Entra's `{tenantid}` placeholder of common/organizations replaced by the token's `tid`, any
 * alias host of the cloud accepted), `aud` = the client id, `exp`/`nbf` with a small skew, and
 * `nonce` when one was sent. The clock is injected; nothing here does I/O.
 * @see https://openid.net/specs/openid-connect-core-1_0.html#IDTokenValidation
 * @see https://learn.microsoft.com/entra/identity-platform/id-tokens#validate-tokens
 */
import { createLocalJWKSet, jwtVerify, errors as joseErrors, type JSONWebKeySet, type JWTPayload } from 'jose'
import * as z from 'zod/mini'
import { ClientAuthError } from '../errors.js'
import { decodeJwtHeader } from './jwt.js'
import { parseErrorResponse, type WireResponse } from './token-response.js'

/** Signature algorithms accepted on id tokens: RSA, RSA-PSS and ECDSA. Never `none`, never HMAC. */
export const ID_TOKEN_ALGORITHMS: readonly string[] = Object.freeze(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'])

/** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. */
export const ID_TOKEN_CLOCK_SKEW_SECONDS = 120

export interface IdTokenValidationOptions {
  /** The client id: the only audience accepted. */
  clientId: string
  /** The metadata's `issuer`, possibly with Entra's `{tenantid}` placeholder. */
  issuer: string
  /** Hosts that may appear in `iss` besides the issuer's own (the cloud's aliases). */
  issuerHosts?: readonly string[] | undefined
  /** The nonce sent on the authorize URL, if any: the token must carry it. */
  nonce?: string | undefined
  /** Milliseconds since the epoch. */
  now: number
  skewSeconds?: number | undefined
  /** Where the keys came from, for messages. */
  jwksUri?: string | undefined
}

export type IdTokenClaimSet = JWTPayload & Record<string, unknown>

/** The `kid` in a JWT's header, if any (to tell whether a JWKS can verify it). */
export function idTokenKeyId(jwt: string): string | undefined {
  const kid = decodeJwtHeader(jwt)?.kid
  return typeof kid === 'string' ? kid : undefined
}

/** Whether a JWKS holds a key for `kid` (a token without `kid` can only be tried against all keys). */
export function jwksHasKey(jwks: JSONWebKeySet, kid: string | undefined): boolean {
  if (kid === undefined) return jwks.keys.length > 0
  return jwks.keys.some((k) => k.kid === kid)
}

/**
 * Validates an id token and returns its claims.
 * @throws ClientAuthError `invalid_id_token` (signature, algorithm, issuer, audience, expiry,
 *   malformed) or `nonce_mismatch`. Messages name the check that failed and never quote the token.
 */
export async function validateIdToken(jwt: string, jwks: JSONWebKeySet, options: IdTokenValidationOptions): Promise<IdTokenClaimSet> {
  const skew = options.skewSeconds ?? ID_TOKEN_CLOCK_SKEW_SECONDS
  let payload: JWTPayload
  try {
    const result = await jwtVerify(jwt, createLocalJWKSet(jwks), {
      algorithms: [...ID_TOKEN_ALGORITHMS],
      audience: options.clientId,
      clockTolerance: skew,
      currentDate: new Date(options.now),
      requiredClaims: ['iss', 'aud', 'exp'],
    })
    payload = result.payload
  } catch (cause) {
    throw new ClientAuthError('invalid_id_token', `The id token was refused: ${describeJoseError(cause, options)}.`, { cause: scrub(cause) })
  }
  checkIssuer(payload, options)
  if (options.nonce !== undefined && payload.nonce !== options.nonce) {
    throw new ClientAuthError(
      'nonce_mismatch',
      `The id token's nonce ${payload.nonce === undefined ? 'is missing' : 'does not match the one sent on the authorize URL'}; the response may be replayed. Start the sign-in again.`,
    )
  }
  return payload as IdTokenClaimSet
}

/** The issuer the token must carry: the metadata's, with `{tenantid}` replaced by the token's `tid`. */
export function expectedIssuer(issuerTemplate: string, tid: unknown): string | undefined {
  if (!issuerTemplate.includes('{tenantid}')) return issuerTemplate
  if (typeof tid !== 'string' || !/^[0-9a-zA-Z-]+$/.test(tid)) return undefined
  return issuerTemplate.replace('{tenantid}', tid)
}

function checkIssuer(payload: JWTPayload, options: IdTokenValidationOptions): void {
  const expected = expectedIssuer(options.issuer, payload.tid)
  if (expected === undefined) {
    throw new ClientAuthError('invalid_id_token', 'The id token has no usable "tid" claim, so its issuer cannot be checked against a multi-tenant authority.')
  }
  const actual = payload.iss ?? ''
  if (actual === expected) return
  // The same issuer under another host of the same cloud (login.windows.net for login.microsoftonline.com).
  const want = safeUrl(expected)
  const got = safeUrl(actual)
  const hosts = new Set([want?.host, ...(options.issuerHosts ?? [])].filter((h): h is string => h !== undefined).map((h) => h.toLowerCase()))
  if (want && got && got.protocol === want.protocol && hosts.has(got.host.toLowerCase()) && got.pathname === want.pathname && got.search === '' && want.search === '') return
  throw new ClientAuthError('invalid_id_token', `The id token's issuer "${actual}" is not the authority's ("${expected}"); it was issued by another tenant or provider.`)
}

function safeUrl(value: string): URL | undefined {
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

function describeJoseError(cause: unknown, options: IdTokenValidationOptions): string {
  const keys = options.jwksUri ? ` at ${options.jwksUri}` : ''
  if (cause instanceof joseErrors.JOSEAlgNotAllowed) return `its algorithm is not allowed (only ${ID_TOKEN_ALGORITHMS.join(', ')}; never "none" or HMAC)`
  if (cause instanceof joseErrors.JWSSignatureVerificationFailed) return `its signature does not verify against the authority's keys${keys}`
  if (cause instanceof joseErrors.JWKSNoMatchingKey) return `no key${keys} matches its header (kid)`
  if (cause instanceof joseErrors.JWKSMultipleMatchingKeys) return `several keys${keys} match its header and none verifies it`
  if (cause instanceof joseErrors.JWTExpired) return `it expired (exp is past, beyond ${options.skewSeconds ?? ID_TOKEN_CLOCK_SKEW_SECONDS} s of clock skew); check the system clock`
  if (cause instanceof joseErrors.JWTClaimValidationFailed) {
    if (cause.claim === 'aud') return `its audience (aud) is not this application's client id ${options.clientId}`
    if (cause.claim === 'nbf') return 'it is not valid yet (nbf is in the future); check the system clock'
    if (cause.claim === 'iat') return 'it was issued in the future (iat); check the system clock'
    return `its "${cause.claim}" claim is missing or invalid (${cause.reason})`
  }
  if (cause instanceof joseErrors.JWTInvalid || cause instanceof joseErrors.JWSInvalid) return 'it is not a well-formed signed JWT'
  if (cause instanceof joseErrors.JOSENotSupported) return 'its algorithm or key type is not supported'
  return 'it could not be verified'
}

/** Keep only jose's error class and code: its messages may describe the payload. */
function scrub(cause: unknown): Error {
  const err = new Error((cause as { code?: string })?.code ?? 'jose error')
  err.name = (cause as Error)?.name ?? 'Error'
  return err
}

const JwksSchema = z.looseObject({
  keys: z.array(z.looseObject({ kty: z.string().check(z.minLength(1)), kid: z.optional(z.string()), use: z.optional(z.string()), alg: z.optional(z.string()) })),
})

/**
 * Parses a JWKS response (RFC 7517 §5).
 * @throws ServerError `throttled` for a 429; ClientAuthError `http_error` for another non-200, `invalid_response` for a body that is not a key set.
 */
export function parseJwksResponse(res: WireResponse, endpointName: string): JSONWebKeySet {
  // Throttling reads the same at every endpoint (ServerError `throttled` with its Retry-After), so one handler covers them all.
  if (res.status === 429) throw parseErrorResponse(res, { endpoint: endpointName })
  if (res.status !== 200) {
    throw new ClientAuthError('http_error', `The ${endpointName} answered HTTP ${res.status}; the id token cannot be verified without the authority's keys.`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: endpointName,
    })
  }
  let json: unknown
  try {
    json = JSON.parse(res.body)
  } catch {
    json = undefined
  }
  const parsed = JwksSchema.safeParse(json)
  if (!parsed.success) {
    throw new ClientAuthError('invalid_response', `The ${endpointName} did not send a JSON Web Key Set ({"keys": [...]}); a proxy may have answered instead.`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: endpointName,
    })
  }
  // Encryption keys cannot verify signatures; keep the rest.
  return { keys: parsed.data.keys.filter((k) => k.use === undefined || k.use === 'sig') } as JSONWebKeySet
}
