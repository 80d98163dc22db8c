/**
 * Token endpoint responses, success and error, parsed at the boundary: status first, then
 * content, then a zod schema. A success becomes a typed `TokenResponse`; everything else a typed
 * error naming the endpoint. No error carries the body or any token.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */
import * as z from 'zod/mini'
import { ClientAuthError, InteractionRequiredAuthError, ServerError, isInteractionRequired } from '../errors.js'

/** What protocol parsers need of an HTTP response (the transport's `HttpResponse` fits). */
export interface WireResponse {
  status: number
  headers: Headers
  body: string
  correlationId: string
  /** `Retry-After` as milliseconds from now, already read by the transport. */
  retryAfterMs?: number | undefined
}

export interface ParseContext {
  /** `token endpoint https://login.../oauth2/v2.0/token`, for messages. */
  endpoint: string
  /** User flows turn `invalid_grant` into `InteractionRequiredAuthError`. */
  userFlow?: boolean | undefined
}

/** Seconds as a JSON number, or a string of digits (v1.0 and ADFS endpoints send strings). */
const seconds = z.union([z.number(), z.string().check(z.regex(/^\d+(\.\d+)?$/))])

const TokenResponseSchema = z.looseObject({
  token_type: z.string().check(z.minLength(1)),
  access_token: z.string().check(z.minLength(1)),
  expires_in: seconds,
  ext_expires_in: z.optional(seconds),
  refresh_in: z.optional(seconds),
  refresh_token_expires_in: z.optional(seconds),
  scope: z.optional(z.string()),
  refresh_token: z.optional(z.string().check(z.minLength(1))),
  id_token: z.optional(z.string().check(z.minLength(1))),
  client_info: z.optional(z.string()),
  foci: z.optional(z.string()),
})

const ErrorResponseSchema = z.looseObject({
  error: z.string().check(z.minLength(1)),
  error_description: z.optional(z.string()),
  error_codes: z.optional(z.array(z.number())),
  suberror: z.optional(z.string()),
  timestamp: z.optional(z.string()),
  trace_id: z.optional(z.string()),
  correlation_id: z.optional(z.string()),
  claims: z.optional(z.string()),
  error_uri: z.optional(z.string()),
})

/** Longest lifetime we accept for an access token: anything beyond a year is a broken server. */
export const MAX_EXPIRES_IN_SECONDS = 365 * 24 * 3600

export interface TokenResponse {
  token_type: string
  access_token: string
  expires_in: number
  ext_expires_in?: number | undefined
  refresh_in?: number | undefined
  refresh_token_expires_in?: number | undefined
  scope?: string | undefined
  refresh_token?: string | undefined
  id_token?: string | undefined
  client_info?: string | undefined
  foci?: string | undefined
}

export type EntraErrorResponse = z.infer<typeof ErrorResponseSchema>

/**
 * Parses a token endpoint response.
 * @throws ServerError or InteractionRequiredAuthError for an OAuth error body;
 *   ClientAuthError `invalid_response` for a 200 that is not a token response,
 *   `http_error` for a non-OAuth error page (a proxy's HTML, say).
 */
export function parseTokenResponse(res: WireResponse, ctx: ParseContext): TokenResponse {
  if (res.status !== 200) throw parseErrorResponse(res, ctx)
  const json = readJson(res, ctx)
  const parsed = TokenResponseSchema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => describeIssue(i.path, i.code)).join('; ')
    throw new ClientAuthError('invalid_response', `The ${ctx.endpoint} answered 200 but the body is not a token response: ${problems}.`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: ctx.endpoint,
      cause: redactIssues(parsed.error.issues),
    })
  }
  const v = parsed.data
  const expiresIn = toSeconds(v.expires_in, 'expires_in', res, ctx, { min: 1, max: MAX_EXPIRES_IN_SECONDS })
  const result: TokenResponse = {
    token_type: v.token_type,
    access_token: v.access_token,
    expires_in: expiresIn,
    ext_expires_in: v.ext_expires_in === undefined ? undefined : toSeconds(v.ext_expires_in, 'ext_expires_in', res, ctx, { min: 0, max: 2 * MAX_EXPIRES_IN_SECONDS }),
    refresh_in: v.refresh_in === undefined ? undefined : toSeconds(v.refresh_in, 'refresh_in', res, ctx, { min: 0, max: MAX_EXPIRES_IN_SECONDS }),
    refresh_token_expires_in:
      v.refresh_token_expires_in === undefined ? undefined : toSeconds(v.refresh_token_expires_in, 'refresh_token_expires_in', res, ctx, { min: 0, max: 10 * MAX_EXPIRES_IN_SECONDS }),
    scope: v.scope,
    refresh_token: v.refresh_token,
    id_token: v.id_token,
    client_info: v.client_info,
    foci: v.foci,
  }
  return result
}

/**
 * Turns a non-200 response into the error to throw (it does not throw it). OAuth error bodies
 * become `ServerError` (or `InteractionRequiredAuthError` when the user must act); a body that is
 * not an OAuth error becomes `ClientAuthError` `http_error`, or `ServerError` `throttled` on 429.
 */
export function parseErrorResponse(res: WireResponse, ctx: ParseContext): ServerError | InteractionRequiredAuthError | ClientAuthError {
  const retryAfterSeconds = retryAfter(res)
  let json: unknown
  try {
    json = JSON.parse(res.body)
  } catch {
    json = undefined
  }
  const parsed = ErrorResponseSchema.safeParse(json)
  if (!parsed.success) {
    const kind = contentKind(res)
    if (res.status === 429) {
      return new ServerError('throttled', `The ${ctx.endpoint} throttled the request (HTTP 429)${retryAfterSeconds === undefined ? '' : `; retry after ${retryAfterSeconds} s`}.`, {
        correlationId: res.correlationId,
        status: res.status,
        endpoint: ctx.endpoint,
        retryAfterSeconds,
      })
    }
    return new ClientAuthError('http_error', `The ${ctx.endpoint} answered HTTP ${res.status} with ${kind}, not an OAuth error. A proxy or gateway in between may have answered instead of the identity provider.`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: ctx.endpoint,
      retryAfterSeconds,
    })
  }
  const e = parsed.data
  const details = {
    subError: e.suberror,
    correlationId: e.correlation_id ?? res.correlationId,
    errorCodes: e.error_codes,
    traceId: e.trace_id,
    timestamp: e.timestamp,
    status: res.status,
    endpoint: ctx.endpoint,
    claims: e.claims,
    retryAfterSeconds,
  }
  const description = cleanDescription(e.error_description) || `The ${ctx.endpoint} answered ${e.error} (HTTP ${res.status}).`
  if (isInteractionRequired(e.error, e.suberror, { userFlow: ctx.userFlow ?? false })) {
    return new InteractionRequiredAuthError(e.error, description, details)
  }
  return new ServerError(e.error, description, details)
}

function readJson(res: WireResponse, ctx: ParseContext): unknown {
  const type = res.headers.get('content-type') ?? ''
  if (!/\bjson\b/i.test(type) && !looksLikeJson(res.body)) {
    throw new ClientAuthError('invalid_response', `The ${ctx.endpoint} answered 200 with ${contentKind(res)} instead of JSON. A proxy or captive portal may have answered instead of the identity provider.`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: ctx.endpoint,
    })
  }
  try {
    return JSON.parse(res.body)
  } catch (cause) {
    throw new ClientAuthError('invalid_response', `The ${ctx.endpoint} answered 200 with a body that is not valid JSON (${res.body.length} characters).`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: ctx.endpoint,
      cause: new Error((cause as Error).message.replace(/"[^"]*"/g, '"…"')),
    })
  }
}

function looksLikeJson(body: string): boolean {
  const c = body.trimStart()[0]
  return c === '{' || c === '['
}

function contentKind(res: WireResponse): string {
  const type = (res.headers.get('content-type') ?? '').split(';')[0]?.trim()
  if (type) return type
  if (res.body.trimStart().startsWith('<')) return 'an HTML page'
  return res.body.length === 0 ? 'an empty body' : 'an unlabelled body'
}

function toSeconds(value: number | string, field: string, res: WireResponse, ctx: ParseContext, range: { min: number; max: number }): number {
  const n = typeof value === 'number' ? value : Number(value)
  if (!Number.isFinite(n) || n < range.min || n > range.max) {
    throw new ClientAuthError('invalid_response', `The ${ctx.endpoint} sent "${field}" = ${Number.isFinite(n) ? n : 'a non-number'}, outside ${range.min}..${range.max} seconds; the token's lifetime cannot be trusted.`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: ctx.endpoint,
    })
  }
  return Math.floor(n)
}

function retryAfter(res: WireResponse): number | undefined {
  return res.retryAfterMs === undefined ? undefined : Math.ceil(res.retryAfterMs / 1000)
}

/** Entra's descriptions end with trace/correlation lines we already carry as fields. */
function cleanDescription(description: string | undefined): string {
  if (!description) return ''
  return description.split(/\r?\n/)[0]?.trim() ?? ''
}

function describeIssue(path: readonly PropertyKey[], code: string): string {
  const field = path.length > 0 ? `"${path.map(String).join('.')}"` : 'the body'
  return code === 'invalid_type' ? `${field} is missing or has the wrong type` : `${field} is invalid (${code})`
}

/** A ZodError's issues can quote the input (a token); keep only paths and codes. */
function redactIssues(issues: readonly { path: readonly PropertyKey[]; code: string }[]): Error {
  return new Error(issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.code}`).join('; '))
}
