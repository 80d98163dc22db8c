/**
 * The device authorization grant (RFC 8628) as Entra runs it: ask `/devicecode` for a user code,
 * hand it to the app's callback to show the user, then poll the token endpoint every `interval`
 * seconds until the user has signed in elsewhere. `authorization_pending` keeps polling,
 * `slow_down` adds 5 s to the interval (RFC 8628 §3.5; Entra does not document it, MSAL Python
 * and openid-client honour it), and `expired_token`, `authorization_declined`, `access_denied`
 * and `bad_verification_code` end it with a `ServerError` carrying that code.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code
 * @see https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
import { lazy } from '../lazy.js'
import { ClientAuthError, ClientConfigurationError, ServerError } from '../errors.js'
import { mergeClaims } from '../protocol/claims.js'
import { withOidcScopes } from '../protocol/scopes.js'
import { buildDeviceAuthorizationBody, buildDeviceCodeTokenBody } from '../protocol/token-request.js'
import { newCorrelationId, postTokenRequest, tokenFields, type FlowContext } from './context.js'
import type { AuthenticationResult } from './result.js'
import { checkUserScopes, handleUserTokenResponse, nowSeconds, requestAuthority } from './user-tokens.js'

const loadDeviceCodeProtocol = lazy(() => import('../protocol/device-code.js'))

/** What the app shows the user (msal-node's `DeviceCodeResponse`). */
export interface DeviceCodeResponse {
  userCode: string
  /** The device code itself; the app has no use for it but msal-node passes it. Do not log it. */
  deviceCode: string
  verificationUri: string
  /** Seconds until the code expires. */
  expiresIn: number
  /** Seconds between polls. */
  interval: number
  /** Entra's ready-made sentence: "To sign in, use a web browser to open the page ... and enter the code ...". */
  message: string
}

/** msal-node's `DeviceCodeRequest`. */
export interface DeviceCodeRequest {
  scopes: string[]
  deviceCodeCallback: (response: DeviceCodeResponse) => void
  /** Stop polling after this many seconds (msal-node's unit), even if the code is still valid. */
  timeout?: number | undefined
  /** Set to true (at any time) to stop polling; msal-node's cancellation flag. */
  cancel?: boolean | undefined
  signal?: AbortSignal | undefined
  claims?: string | undefined
  authority?: string | undefined
  correlationId?: string | undefined
}

export interface DeviceCodeDeps {
  /** Waits `ms` milliseconds; setTimeout by default, so fake timers drive it. Rejects when `signal` aborts. */
  sleep?: ((ms: number, signal?: AbortSignal) => Promise<void>) | undefined
}

/** Seconds RFC 8628 §3.5 adds to the interval on `slow_down`. */
export const SLOW_DOWN_SECONDS = 5

/** Most polls ever sent for one code, whatever the server says: a bound on a misbehaving server. */
const MAX_POLLS = 10_000

/**
 * Runs the device code flow to a token.
 * @throws ServerError `expired_token`, `authorization_declined`, `access_denied`, `bad_verification_code` (and any other Entra error);
 *   ClientAuthError `device_code_cancelled` (cancel flag or AbortSignal), `device_code_expired` (the code's lifetime passed locally),
 *   `timeout` (request.timeout passed); ClientConfigurationError for a missing callback.
 */
export async function acquireTokenByDeviceCode(ctx: FlowContext, request: DeviceCodeRequest, deps: DeviceCodeDeps = {}): Promise<AuthenticationResult> {
  if (typeof request?.deviceCodeCallback !== 'function') {
    throw new ClientConfigurationError('invalid_request', 'request.deviceCodeCallback is missing: pass a function that shows response.message to the user.')
  }
  const sleep = deps.sleep ?? defaultSleep
  const scopes = withOidcScopes(checkUserScopes(request.scopes))
  const authority = requestAuthority(ctx, request.authority)
  const correlationId = request.correlationId ?? newCorrelationId()
  const endpoints = await ctx.endpoints.resolve(authority, { correlationId, signal: request.signal })
  const deviceEndpoint = endpoints.device_authorization_endpoint
  if (deviceEndpoint === undefined) {
    throw new ClientConfigurationError('invalid_authority_metadata', `The authority ${authority.url} publishes no device_authorization_endpoint; device code sign-in is not available there.`)
  }
  const url = new URL(deviceEndpoint)
  const endpointName = `device authorization endpoint ${url.origin}${url.pathname}`
  const res = await ctx.transport.send({
    method: 'POST',
    url,
    endpoint: 'device authorization endpoint',
    form: buildDeviceAuthorizationBody(tokenFields(ctx, mergeClaims(request.claims, ctx.clientCapabilities)), scopes),
    correlationId,
    signal: request.signal,
  })
  // zod loads with the first response, not at start-up.
  const { parseDeviceAuthorizationResponse } = await loadDeviceCodeProtocol()
  const device = parseDeviceAuthorizationResponse(res, endpointName)
  const startedAt = ctx.now()
  const codeExpiresAt = startedAt + device.expiresIn * 1000
  const deadline = request.timeout === undefined ? codeExpiresAt : Math.min(codeExpiresAt, startedAt + request.timeout * 1000)
  ctx.logger.info(`Device code issued; polling every ${device.interval} s for up to ${Math.round((deadline - startedAt) / 1000)} s`, correlationId)
  request.deviceCodeCallback({
    userCode: device.userCode,
    deviceCode: device.deviceCode,
    verificationUri: device.verificationUri,
    expiresIn: device.expiresIn,
    interval: device.interval,
    message: device.message,
  })

  let interval = device.interval
  const claims = mergeClaims(request.claims, ctx.clientCapabilities)
  for (let poll = 1; poll <= MAX_POLLS; poll++) {
    checkCancelled(request, correlationId)
    const remaining = deadline - ctx.now()
    if (remaining <= 0) throw expired(request, deadline === codeExpiresAt, correlationId)
    try {
      await sleep(Math.min(interval * 1000, remaining), request.signal)
    } catch {
      throw cancelled(correlationId)
    }
    checkCancelled(request, correlationId)
    if (ctx.now() >= deadline) throw expired(request, deadline === codeExpiresAt, correlationId)
    const requestedAt = nowSeconds(ctx)
    try {
      const response = await postTokenRequest(ctx, {
        endpoints,
        body: buildDeviceCodeTokenBody(tokenFields(ctx, claims), device.deviceCode, {}),
        correlationId,
        userFlow: true,
        signal: request.signal,
      })
      return await handleUserTokenResponse(ctx, response, { authority, endpoints, correlationId, requestedScopes: scopes, requestedAt, signal: request.signal })
    } catch (error) {
      if (error instanceof ServerError && error.errorCode === 'authorization_pending') {
        ctx.logger.trace(`Poll ${poll}: authorization pending`, correlationId)
        continue
      }
      if (error instanceof ServerError && error.errorCode === 'slow_down') {
        interval += SLOW_DOWN_SECONDS
        ctx.logger.verbose(`Poll ${poll}: slow_down; interval now ${interval} s`, correlationId)
        continue
      }
      if (error instanceof ClientAuthError && error.errorCode === 'aborted') throw cancelled(correlationId)
      throw error
    }
  }
  throw expired(request, false, correlationId)
}

function checkCancelled(request: DeviceCodeRequest, correlationId: string): void {
  if (request.cancel === true || request.signal?.aborted) throw cancelled(correlationId)
}

function cancelled(correlationId: string): ClientAuthError {
  return new ClientAuthError('device_code_cancelled', 'Device code sign-in was cancelled (request.cancel or the AbortSignal) before the user finished.', { correlationId })
}

function expired(request: DeviceCodeRequest, codeLifetime: boolean, correlationId: string): ClientAuthError {
  return codeLifetime
    ? new ClientAuthError('device_code_expired', 'The device code expired before the user finished signing in. Call acquireTokenByDeviceCode again for a new code.', { correlationId })
    : new ClientAuthError('timeout', `The user did not finish device code sign-in within request.timeout (${request.timeout} s).`, { correlationId })
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
