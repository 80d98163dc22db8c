/**
 * Properties of every function that reads untrusted input (extending the token-response property
 * in test/protocol/token-response.test.ts): on arbitrary input each returns a typed value or throws
 * one of our typed errors, never a TypeError, SyntaxError or ZodError, and the error never quotes a
 * secret the input carried (tokens, codes, device codes, keys, raw bodies).
 */
import fc from 'fast-check'
import { SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { AuthError, ClientConfigurationError } from '../../src/errors.js'
import { parseAuthorizeRedirect } from '../../src/protocol/authorize-url.js'
import { mergeClaims } from '../../src/protocol/claims.js'
import { decodeClientInfo } from '../../src/protocol/client-info.js'
import { parseDeviceAuthorizationResponse } from '../../src/protocol/device-code.js'
import { parseJwksResponse, validateIdToken } from '../../src/protocol/id-token.js'
import { decodeJwtClaims, decodeJwtHeader } from '../../src/protocol/jwt.js'
import { parseOpenIdConfiguration, parsePinnedOpenIdConfiguration } from '../../src/protocol/openid-configuration.js'
import { parseErrorResponse, parseTokenResponse, type WireResponse } from '../../src/protocol/token-response.js'
import { CLIENT_ID } from '../msw/entra.js'
import { testJwks } from '../flows/fake-entra.js'

const SECRET = 'SeCrEt-0b7c-must-never-be-quoted'
const RUNS = { numRuns: 400 }

/** Text of an error as a user or a log would see it, cause included. */
function everything(error: unknown): string {
  const e = error as Error
  return `${String(e)} ${e.stack ?? ''} ${String(e.cause ?? '')} ${JSON.stringify(e)}`
}

/** Runs `fn`; a throw must be one of our errors and quote no secret. Returns the value or undefined. */
function typed<T>(fn: () => T): T | undefined {
  try {
    return fn()
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError)
    expect(everything(error)).not.toContain(SECRET)
    return undefined
  }
}

/** JSON values that may carry the secret anywhere except in fields a server uses to explain itself. */
const valueWithSecret = fc.oneof(fc.constant(SECRET), fc.constant(`${SECRET}.${SECRET}.${SECRET}`), fc.jsonValue({ maxDepth: 2 }), fc.integer(), fc.constant(null))
const field = (names: string[]): fc.Arbitrary<Record<string, unknown>> => fc.dictionary(fc.oneof(fc.constantFrom(...names), fc.string({ maxLength: 8 })), valueWithSecret, { maxKeys: 8 })

const TOKEN_FIELDS = ['token_type', 'access_token', 'refresh_token', 'id_token', 'expires_in', 'ext_expires_in', 'refresh_in', 'scope', 'client_info', 'foci']
const METADATA_FIELDS = ['issuer', 'token_endpoint', 'authorization_endpoint', 'device_authorization_endpoint', 'jwks_uri', 'end_session_endpoint', 'keys']
const DEVICE_FIELDS = ['device_code', 'user_code', 'verification_uri', 'verification_url', 'expires_in', 'interval', 'message']

/** Bodies: JSON with the secret in some field, HTML or text around the secret, truncated JSON, nothing. */
const body = fc.oneof(
  field([...TOKEN_FIELDS, ...METADATA_FIELDS, ...DEVICE_FIELDS]).map((v) => JSON.stringify(v)),
  fc.record({ keys: fc.array(fc.dictionary(fc.constantFrom('kty', 'kid', 'use', 'alg', 'n', 'e', 'x5c'), valueWithSecret), { maxLength: 3 }) }).map((v) => JSON.stringify(v)),
  fc.string().map((s) => `<html><body>${s}${SECRET}</body></html>`),
  fc.string().map((s) => `${s}${SECRET}`),
  field(TOKEN_FIELDS).map((v) => JSON.stringify(v).slice(0, -3)),
  fc.constant(''),
  fc.jsonValue().map((v) => JSON.stringify(v)),
)

const wire = fc
  .record({
    status: fc.constantFrom(200, 200, 200, 201, 204, 400, 401, 404, 429, 500, 503),
    body,
    type: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', ''),
    retryAfterMs: fc.option(fc.nat({ max: 120_000 }), { nil: undefined }),
  })
  .map(({ status, body: text, type, retryAfterMs }): WireResponse => ({ status, headers: new Headers(type ? { 'content-type': type } : {}), body: text, correlationId: 'corr-prop', retryAfterMs }))

describe('wire parsers never throw anything but typed errors, and never quote a secret', () => {
  it('token endpoint (success and error), discovery, JWKS and device authorization responses', () => {
    const endpoint = 'some endpoint https://login.example/x'
    fc.assert(
      fc.property(wire, (res) => {
        const token = typed(() => parseTokenResponse(res, { endpoint, userFlow: true }))
        if (token) {
          expect(token.access_token.length).toBeGreaterThan(0)
          expect(Number.isInteger(token.expires_in) && token.expires_in > 0).toBe(true)
        }
        const error = parseErrorResponse(res, { endpoint })
        expect(error).toBeInstanceOf(AuthError)
        if (!/"error"\s*:/.test(res.body)) expect(everything(error)).not.toContain(SECRET)
        const metadata = typed(() => parseOpenIdConfiguration(res, endpoint))
        if (metadata) expect(typeof metadata.token_endpoint).toBe('string')
        const keys = typed(() => parseJwksResponse(res, endpoint))
        if (keys) expect(Array.isArray(keys.keys)).toBe(true)
        const device = typed(() => parseDeviceAuthorizationResponse(res, endpoint))
        if (device) {
          expect(device.interval).toBeGreaterThanOrEqual(1)
          expect(device.expiresIn).toBeGreaterThan(0)
        }
      }),
      RUNS,
    )
  })

  it('pinned authority metadata (a config string) throws only ClientConfigurationError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), field(METADATA_FIELDS).map((v) => JSON.stringify(v))), (json) => {
        try {
          parsePinnedOpenIdConfiguration(json)
        } catch (error) {
          expect(error).toBeInstanceOf(ClientConfigurationError)
        }
      }),
      RUNS,
    )
  })
})

describe('redirects, JWTs, client_info and claims on arbitrary input', () => {
  it('an authorization redirect yields its code or a typed error that quotes neither code nor state', () => {
    const params = fc
      .record({
        code: fc.option(fc.constantFrom(SECRET, ''), { nil: undefined }),
        state: fc.option(fc.constantFrom('s-1', 's-2', ''), { nil: undefined }),
        error: fc.option(fc.oneof(fc.constantFrom('access_denied', 'login_required', 'interaction_required', 'consent_required', 'server_error'), fc.string()), { nil: undefined }),
        error_description: fc.option(fc.string(), { nil: undefined }),
        error_subcode: fc.option(fc.constantFrom('cancel', 'basic_action', ''), { nil: undefined }),
        junk: fc.dictionary(fc.string({ maxLength: 6 }), fc.string(), { maxKeys: 3 }),
      })
      .map(({ junk, ...known }) => {
        const p = new URLSearchParams(junk)
        for (const [k, v] of Object.entries(known)) if (v !== undefined) p.set(k, v)
        return p
      })
    fc.assert(
      fc.property(params, fc.constantFrom('s-1', undefined), (p, expected) => {
        const redirect = typed(() => parseAuthorizeRedirect(p, expected))
        if (redirect) {
          expect(redirect.code).toBe(p.get('code'))
          if (expected !== undefined) expect(redirect.state).toBe(expected)
        }
      }),
      RUNS,
    )
  })

  it('decodeClientInfo and decodeJwtHeader never throw; decodeJwtClaims throws only invalid_id_token', () => {
    const jwtish = fc.oneof(
      fc.string(),
      fc.array(fc.oneof(fc.base64String(), fc.string(), fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v)).toString('base64url'))), { maxLength: 4 }).map((parts) => parts.join('.')),
    )
    fc.assert(
      fc.property(jwtish, (value) => {
        const info = decodeClientInfo(value)
        if (info) expect(info.uid.length * info.utid.length).toBeGreaterThan(0)
        const header = decodeJwtHeader(value)
        if (header) expect(typeof header).toBe('object')
        try {
          expect(typeof decodeJwtClaims(value)).toBe('object')
        } catch (error) {
          expect(error).toMatchObject({ errorCode: 'invalid_id_token' })
        }
      }),
      RUNS,
    )
  })

  it('validateIdToken refuses arbitrary and tampered tokens with a typed error only', async () => {
    const jwks = await testJwks()
    const good = await new SignJWT({ aud: CLIENT_ID, iss: 'https://issuer.example', sub: SECRET })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('x'.repeat(32)))
    const tampered = fc.record({ part: fc.integer({ min: 0, max: 2 }), at: fc.nat(), char: fc.constantFrom('A', '_', '-', '.', '=', '') }).map(({ part, at, char }) => {
      const parts = good.split('.')
      const p = parts[part]!
      parts[part] = p.slice(0, at % (p.length + 1)) + char + p.slice((at % (p.length + 1)) + 1)
      return parts.join('.')
    })
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), tampered), async (jwt) => {
        try {
          await validateIdToken(jwt, jwks, { clientId: CLIENT_ID, issuer: 'https://issuer.example', now: Date.now() })
          expect.unreachable('a token not signed by the JWKS was accepted')
        } catch (error) {
          expect(error).toBeInstanceOf(AuthError)
          expect((error as AuthError).errorCode).toMatch(/^(invalid_id_token|nonce_mismatch)$/)
          expect(everything(error)).not.toContain(SECRET)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('mergeClaims returns a JSON object carrying the capabilities, or throws invalid_claims', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), fc.array(fc.constantFrom('CP1', 'llt'), { maxLength: 2 }), (claims, caps) => {
        let merged: string | undefined
        try {
          merged = mergeClaims(claims, caps)
        } catch (error) {
          expect(error).toBeInstanceOf(ClientConfigurationError)
          expect((error as ClientConfigurationError).errorCode).toBe('invalid_claims')
          return
        }
        if (merged === undefined) {
          expect(claims === '' && caps.length === 0).toBe(true)
          return
        }
        const value = JSON.parse(merged) as Record<string, { xms_cc?: { values: string[] } }>
        expect(typeof value).toBe('object')
        if (caps.length > 0) expect(value.access_token?.xms_cc?.values).toEqual(caps)
      }),
      RUNS,
    )
  })
})
