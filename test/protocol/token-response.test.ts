import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { AuthError, ClientAuthError, InteractionRequiredAuthError, ServerError } from '../../src/errors.js'
import { parseErrorResponse, parseTokenResponse, type ParseContext, type WireResponse } from '../../src/protocol/token-response.js'

const ctx: ParseContext = { endpoint: 'token endpoint https://login.microsoftonline.com/t/oauth2/v2.0/token' }
function wire(status: number, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' }, extra: Partial<WireResponse> = {}): WireResponse {
  return { status, headers: new Headers(headers), body: typeof body === 'string' ? body : JSON.stringify(body), correlationId: 'corr-1', ...extra }
}
const good = { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'AT-secret-value', refresh_token: 'RT-secret-value' }

function fails(res: WireResponse, c = ctx): AuthError {
  try {
    parseTokenResponse(res, c)
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError)
    const text = `${String(error)} ${(error as Error).stack ?? ''} ${String((error as Error).cause ?? '')}`
    expect(text).not.toMatch(/AT-secret-value|RT-secret-value/)
    return error as AuthError
  }
  throw new Error('expected parseTokenResponse to throw')
}

describe('parseTokenResponse', () => {
  it('parses a token response, coercing numeric strings only', () => {
    expect(parseTokenResponse(wire(200, good), ctx)).toMatchObject({ token_type: 'Bearer', expires_in: 3599, access_token: 'AT-secret-value', refresh_token: 'RT-secret-value' })
    expect(parseTokenResponse(wire(200, { ...good, expires_in: '3600', refresh_in: '1800' }), ctx)).toMatchObject({ expires_in: 3600, refresh_in: 1800 })
  })

  it('walks the error ladder, each step a typed error naming the endpoint and holding no token', () => {
    const ladder: [string, WireResponse, string, RegExp][] = [
      ['HTML from a proxy', wire(200, '<html>Sign in to the proxy</html>', { 'content-type': 'text/html' }), 'invalid_response', /text\/html/],
      ['not JSON', wire(200, '{"access_token": "AT-secret-value', { 'content-type': 'application/json' }), 'invalid_response', /not valid JSON/],
      ['an array', wire(200, []), 'invalid_response', /not a token response/],
      ['missing access_token', wire(200, { ...good, access_token: undefined }), 'invalid_response', /"access_token" is missing/],
      ['missing token_type', wire(200, { ...good, token_type: undefined }), 'invalid_response', /"token_type"/],
      ['expires_in a word', wire(200, { ...good, expires_in: 'soon' }), 'invalid_response', /"expires_in"/],
      ['expires_in negative', wire(200, { ...good, expires_in: -5 }), 'invalid_response', /"expires_in" = -5/],
      ['expires_in absurd', wire(200, { ...good, expires_in: 1e12 }), 'invalid_response', /outside 1\.\.31536000/],
      ['expires_in zero', wire(200, { ...good, expires_in: 0 }), 'invalid_response', /"expires_in" = 0/],
      ['access_token a number', wire(200, { ...good, access_token: 42 }), 'invalid_response', /"access_token"/],
      ['empty body', wire(200, '', {}), 'invalid_response', /an empty body/],
    ]
    for (const [label, res, code, message] of ladder) {
      const error = fails(res)
      expect(error, label).toBeInstanceOf(ClientAuthError)
      expect(error.errorCode, label).toBe(code)
      expect(error.message, label).toMatch(message)
      expect(error.message, label).toContain(ctx.endpoint)
      expect(error.correlationId, label).toBe('corr-1')
    }
  })

  it('turns an Entra error body into a ServerError with every field', () => {
    const error = fails(
      wire(400, {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.\r\nTrace ID: t\r\nCorrelation ID: c\r\nTimestamp: x',
        error_codes: [7000215],
        timestamp: '2026-11-21 10:00:00Z',
        trace_id: 'trace-1',
        correlation_id: 'corr-server',
        error_uri: 'https://login.microsoftonline.com/error?code=7000215',
      }),
    ) as ServerError
    expect(error).toBeInstanceOf(ServerError)
    expect(error).toMatchObject({
      errorCode: 'invalid_client',
      errorMessage: 'AADSTS7000215: Invalid client secret provided.',
      errorCodes: [7000215],
      aadsts: [7000215],
      errorNo: '7000215',
      traceId: 'trace-1',
      correlationId: 'corr-server',
      timestamp: '2026-11-21 10:00:00Z',
      status: 400,
    })
  })

  it('makes invalid_grant an interaction error on user flows only', () => {
    const body = { error: 'invalid_grant', error_description: 'AADSTS700082: The refresh token has expired due to inactivity.', error_codes: [700082], suberror: 'bad_token' }
    expect(fails(wire(400, { ...body, suberror: undefined }), { ...ctx, userFlow: true })).toBeInstanceOf(InteractionRequiredAuthError)
    expect(fails(wire(400, { ...body, suberror: undefined }), ctx)).not.toBeInstanceOf(InteractionRequiredAuthError)
    expect(fails(wire(400, body), ctx)).toBeInstanceOf(InteractionRequiredAuthError) // bad_token suberror
    for (const error of ['interaction_required', 'consent_required', 'login_required']) {
      const e = fails(wire(400, { error, error_codes: [50076] }), ctx)
      expect(e, error).toBeInstanceOf(InteractionRequiredAuthError)
      expect(e.errorCode).toBe(error)
    }
  })

  it('an error page that is not OAuth JSON is http_error; a bare 429 is throttled with its Retry-After', () => {
    expect(fails(wire(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' }))).toMatchObject({ errorCode: 'http_error', status: 502 })
    const throttled = fails(wire(429, '', {}, { retryAfterMs: 30_000 }))
    expect(throttled).toBeInstanceOf(ServerError)
    expect(throttled).toMatchObject({ errorCode: 'throttled', retryAfterSeconds: 30 })
  })

  it('never throws anything but our typed errors, on arbitrary input (property)', () => {
    const anyBody = fc.oneof(
      fc.string(),
      fc.json(),
      fc.anything().map((v) => {
        try {
          return JSON.stringify(v) ?? ''
        } catch {
          return ''
        }
      }),
      fc.record({ token_type: fc.anything(), access_token: fc.anything(), expires_in: fc.anything(), scope: fc.anything() }).map((v) => JSON.stringify(v)),
      fc.record({ error: fc.anything(), error_codes: fc.anything(), error_description: fc.anything() }).map((v) => JSON.stringify(v)),
    )
    fc.assert(
      fc.property(fc.constantFrom(200, 200, 400, 401, 429, 500, 503), anyBody, fc.constantFrom('application/json', 'text/html', ''), (status, body, type) => {
        const res = wire(status, body, type ? { 'content-type': type } : {})
        try {
          const parsed = parseTokenResponse(res, ctx)
          expect(typeof parsed.access_token).toBe('string')
          expect(Number.isInteger(parsed.expires_in) && parsed.expires_in > 0).toBe(true)
        } catch (error) {
          expect(error).toBeInstanceOf(AuthError)
        }
        const e = parseErrorResponse(res, ctx)
        expect(e).toBeInstanceOf(AuthError)
      }),
      { numRuns: 500 },
    )
  })
})
