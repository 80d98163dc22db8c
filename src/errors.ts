/**
 * Every error the library throws. The surface is MSAL's (`AuthError`, `ServerError`,
 * `ClientAuthError`, `ClientConfigurationError`, `InteractionRequiredAuthError`, each with
 * `errorCode`, `errorMessage`, `subError`, `correlationId`), so code written for
 * `@azure/msal-node` catches the same things. Underneath, our own codes are closed unions,
 * AADSTS codes stay numbers, and `instanceof` works across duplicate installs through a
 * `Symbol.for` brand (after undici).
 *
 * Messages never contain a token, secret, assertion, password, code or raw response body.
 */

/** Codes the library itself raises for client-side and transport failures. */
export type ClientAuthErrorCode =
  | 'network_error'
  | 'timeout'
  | 'aborted'
  | 'invalid_response'
  | 'response_too_large'
  | 'http_error'
  | 'redirect_not_followed'
  | 'throttled'
  | 'invalid_id_token'
  | 'nonce_mismatch'
  | 'state_mismatch'
  | 'user_cancelled'
  | 'no_account'
  | 'no_tokens_found'
  | 'device_code_expired'
  | 'device_code_declined'
  | 'device_code_cancelled'
  | 'loopback_server_error'
  | 'browser_open_failed'
  | 'cache_error'
  | 'cache_locked'
  | 'cache_corrupt'

/** Codes for a configuration or request that cannot work, raised before anything is sent. */
export type ClientConfigurationErrorCode =
  | 'invalid_client_id'
  | 'invalid_authority'
  | 'insecure_authority'
  | 'untrusted_authority'
  | 'invalid_authority_metadata'
  | 'invalid_cloud_discovery_metadata'
  | 'missing_client_credential'
  | 'conflicting_client_credentials'
  | 'invalid_certificate'
  | 'invalid_private_key'
  | 'invalid_scopes'
  | 'invalid_request'
  | 'invalid_region'
  | 'invalid_claims'
  | 'invalid_proxy'
  | 'invalid_cache_options'

/** OAuth 2.0 and Entra `error` values; the server may send others. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'temporarily_unavailable'
  | 'server_error'
  | 'interaction_required'
  | 'consent_required'
  | 'login_required'
  | 'authorization_pending'
  | 'authorization_declined'
  | 'slow_down'
  | 'expired_token'
  | 'bad_verification_code'

/** The parts of an Entra error response (and of the HTTP exchange) an error keeps. */
export interface ServerErrorDetails {
  subError?: string | undefined
  correlationId?: string | undefined
  /** AADSTS numbers from `error_codes`, e.g. `[70011]`. */
  errorCodes?: readonly number[] | undefined
  traceId?: string | undefined
  timestamp?: string | undefined
  /** HTTP status of the response. */
  status?: number | undefined
  /** Which endpoint answered, e.g. `token endpoint https://login.microsoftonline.com/contoso/oauth2/v2.0/token`. */
  endpoint?: string | undefined
  /** The `claims` challenge the server returned, if any (JSON string). */
  claims?: string | undefined
  /** Seconds the server asked us to wait (`Retry-After`), when throttled. */
  retryAfterSeconds?: number | undefined
}

const BRANDS = Symbol.for('entra-oauth.error.brands')

function hasBrand(value: unknown, brand: string): boolean {
  if (typeof value !== 'object' || value === null) return false
  const brands = (value as { [BRANDS]?: unknown })[BRANDS]
  return brands instanceof Set && brands.has(brand)
}

function brand(target: object, name: string): void {
  const existing = (target as { [BRANDS]?: Set<string> })[BRANDS]
  if (existing) {
    existing.add(name)
  } else {
    Object.defineProperty(target, BRANDS, { value: new Set([name]), enumerable: false })
  }
}

/** Base class of every error the library throws. */
export class AuthError extends Error {
  override name = 'AuthError'
  /** Machine-readable code: one of ours, or the server's `error`. */
  readonly errorCode: string
  /** Human-readable description, without secrets. */
  readonly errorMessage: string
  /** Entra's `suberror`, when present. */
  readonly subError: string
  /** The `client-request-id` of the request, to quote when reporting a problem. */
  correlationId: string
  /** AADSTS numbers from the response's `error_codes`. */
  readonly errorCodes: readonly number[]
  readonly traceId: string | undefined
  readonly timestamp: string | undefined
  readonly status: number | undefined
  readonly endpoint: string | undefined
  /** Seconds the server asked us to wait before trying again, when it throttled us. */
  readonly retryAfterSeconds: number | undefined

  constructor(errorCode: string, errorMessage: string, details: ServerErrorDetails & { cause?: unknown } = {}) {
    super(formatMessage(errorCode, errorMessage, details), details.cause === undefined ? undefined : { cause: details.cause })
    this.errorCode = errorCode
    this.errorMessage = errorMessage
    this.subError = details.subError ?? ''
    this.correlationId = details.correlationId ?? ''
    this.errorCodes = Object.freeze([...(details.errorCodes ?? [])])
    this.traceId = details.traceId
    this.timestamp = details.timestamp
    this.status = details.status
    this.endpoint = details.endpoint
    this.retryAfterSeconds = details.retryAfterSeconds
    brand(this, 'AuthError')
  }

  /** Same as `errorCodes`, under the name the style guide uses. */
  get aadsts(): readonly number[] {
    return this.errorCodes
  }

  /** msal-node's `errorNo`: the first AADSTS code as a string. */
  get errorNo(): string | undefined {
    return this.errorCodes[0]?.toString()
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, 'AuthError')
  }
}

function formatMessage(errorCode: string, errorMessage: string, details: ServerErrorDetails): string {
  const extras: string[] = []
  if (details.errorCodes && details.errorCodes.length > 0 && !/AADSTS\d+/.test(errorMessage)) {
    extras.push(`AADSTS${details.errorCodes.join(', AADSTS')}`)
  }
  if (details.correlationId) extras.push(`correlation id ${details.correlationId}`)
  if (details.traceId) extras.push(`trace id ${details.traceId}`)
  return `${errorCode}: ${errorMessage}${extras.length > 0 ? ` (${extras.join('; ')})` : ''}`
}

/** The identity provider answered with an error that is not about user interaction. */
export class ServerError extends AuthError {
  override name = 'ServerError'
  declare readonly errorCode: OAuthErrorCode | (string & {})
  readonly claims: string | undefined

  constructor(errorCode: string, errorMessage: string, details: ServerErrorDetails & { cause?: unknown } = {}) {
    super(errorCode, errorMessage, details)
    this.claims = details.claims
    brand(this, 'ServerError')
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, 'ServerError')
  }
}

/**
 * The user must act (sign in, consent, pass MFA): call an interactive flow.
 * Thrown by `acquireTokenSilent` when the cache cannot serve and no refresh token works.
 */
export class InteractionRequiredAuthError extends AuthError {
  override name = 'InteractionRequiredAuthError'
  declare readonly errorCode: OAuthErrorCode | 'no_tokens_found' | 'refresh_token_expired' | (string & {})
  readonly claims: string | undefined

  constructor(errorCode: string, errorMessage: string, details: ServerErrorDetails & { cause?: unknown } = {}) {
    super(errorCode, errorMessage, details)
    this.claims = details.claims
    brand(this, 'InteractionRequiredAuthError')
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, 'InteractionRequiredAuthError')
  }
}

/** Something failed on our side of the wire: network, timeout, a response we cannot use. */
export class ClientAuthError extends AuthError {
  override name = 'ClientAuthError'
  declare readonly errorCode: ClientAuthErrorCode

  constructor(errorCode: ClientAuthErrorCode, errorMessage: string, details: ServerErrorDetails & { cause?: unknown } = {}) {
    super(errorCode, errorMessage, details)
    brand(this, 'ClientAuthError')
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, 'ClientAuthError')
  }
}

/** The configuration or request cannot work; nothing was sent. */
export class ClientConfigurationError extends AuthError {
  override name = 'ClientConfigurationError'
  declare readonly errorCode: ClientConfigurationErrorCode

  constructor(errorCode: ClientConfigurationErrorCode, errorMessage: string, details: { cause?: unknown } = {}) {
    super(errorCode, errorMessage, details)
    brand(this, 'ClientConfigurationError')
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return hasBrand(value, 'ClientConfigurationError')
  }
}

/** Error values whose presence in `error` or `suberror` means the user must act (after msal-common). */
const INTERACTION_ERRORS = new Set(['interaction_required', 'consent_required', 'login_required', 'bad_token'])
const INTERACTION_SUBERRORS = new Set([
  'message_only',
  'additional_action',
  'basic_action',
  'user_password_expired',
  'consent_required',
  'bad_token',
])

/** Whether a server `error`/`suberror` pair calls for user interaction. `invalid_grant` counts on user flows. */
export function isInteractionRequired(error: string, subError: string | undefined, opts: { userFlow: boolean }): boolean {
  if (INTERACTION_ERRORS.has(error)) return true
  if (subError !== undefined && INTERACTION_SUBERRORS.has(subError)) return true
  // On a user flow an invalid grant means the refresh token or code no longer works: sign in again.
  return opts.userFlow && error === 'invalid_grant' && subError !== 'client_mismatch' && subError !== 'protection_policy_required'
}
