/**
 * `acquireTokenInteractive`: sign-in in the system browser with a loopback redirect (RFC 8252).
 * A listener on 127.0.0.1 at an ephemeral port receives the redirect; PKCE protects the code,
 * `state` ties the redirect to this sign-in, `nonce` ties the id token to it. The browser tab is
 * held until the code is redeemed, then told the outcome ("you can close this tab").
 * @see https://learn.microsoft.com/entra/identity-platform/scenario-desktop-acquire-token-interactive
 * @see https://www.rfc-editor.org/rfc/rfc8252
 */
import type { AccountInfo } from '../cache/accounts.js'
import { AuthError, ClientAuthError, ClientConfigurationError } from '../errors.js'
import { buildAuthorizeUrl, type Prompt } from '../protocol/authorize-url.js'
import { mergeClaims } from '../protocol/claims.js'
import { generatePkceCodes, generateRandomValue } from '../protocol/pkce.js'
import { acquireTokenByCode } from './auth-code.js'
import { newCorrelationId, type FlowContext } from './context.js'
import { startLoopbackListener } from './loopback.js'
import type { AuthenticationResult } from './result.js'
import { openSystemBrowser } from './system-browser.js'
import { checkUserScopes, requestAuthority } from './user-tokens.js'

/** msal-node's `InteractiveRequest`, plus a time limit and an AbortSignal. */
export interface InteractiveRequest {
  scopes: string[]
  /** Opens the URL for the user; resolves once the browser is launched. Default: the system's default browser. */
  openBrowser?: ((url: string) => Promise<void>) | undefined
  /** HTML shown in the tab after a successful sign-in. */
  successTemplate?: string | undefined
  /** HTML shown in the tab after a failed sign-in. */
  errorTemplate?: string | undefined
  loginHint?: string | undefined
  prompt?: Prompt | undefined
  domainHint?: string | undefined
  /** `http://localhost[:port][/path]` or `http://127.0.0.1...`; default `http://localhost:<ephemeral port>`. */
  redirectUri?: string | undefined
  /** Milliseconds to wait for the redirect. Default 5 minutes. */
  timeout?: number | undefined
  signal?: AbortSignal | undefined
  account?: AccountInfo | undefined
  claims?: string | undefined
  authority?: string | undefined
  correlationId?: string | undefined
  extraQueryParameters?: Record<string, string> | undefined
  tokenQueryParameters?: Record<string, string> | undefined
  /** Accepted for msal-node compatibility (used by brokers only). */
  windowHandle?: unknown
}

export const DEFAULT_INTERACTIVE_TIMEOUT_MS = 5 * 60_000

/**
 * Signs the user in through the browser and returns the tokens.
 * @throws ServerError / InteractionRequiredAuthError for an `error=` redirect (the user cancelled:
 *   `access_denied`, `subError` `cancel`); ClientAuthError `timeout`, `aborted`,
 *   `browser_open_failed`, `loopback_server_error`, `invalid_id_token`, `nonce_mismatch`;
 *   ClientConfigurationError for a redirect URI that is not loopback.
 */
export async function acquireTokenInteractive(ctx: FlowContext, request: InteractiveRequest): Promise<AuthenticationResult> {
  const scopes = checkUserScopes(request?.scopes)
  const authority = requestAuthority(ctx, request.authority)
  const correlationId = request.correlationId ?? newCorrelationId()
  const timeoutMs = request.timeout ?? DEFAULT_INTERACTIVE_TIMEOUT_MS
  if (!(timeoutMs > 0)) throw new ClientConfigurationError('invalid_request', 'request.timeout must be a positive number of milliseconds.')
  if (request.signal?.aborted) throw new ClientAuthError('aborted', 'The interactive sign-in was cancelled by its AbortSignal before it started.', { correlationId })
  const endpoints = await ctx.endpoints.resolve(authority, { correlationId, signal: request.signal })
  if (endpoints.authorization_endpoint === undefined) {
    throw new ClientConfigurationError('invalid_authority_metadata', `The authority ${authority.url} publishes no authorization_endpoint.`)
  }
  const pkce = generatePkceCodes()
  const state = generateRandomValue()
  const nonce = generateRandomValue()
  const listener = await startLoopbackListener({
    redirectUri: request.redirectUri,
    successTemplate: request.successTemplate,
    errorTemplate: request.errorTemplate,
    logger: ctx.logger,
    correlationId,
  })
  try {
    const url = buildAuthorizeUrl(endpoints.authorization_endpoint, {
      clientId: ctx.clientId,
      clientInfo: ctx.protocolMode === 'AAD',
      redirectUri: listener.redirectUri,
      scopes,
      responseMode: 'query',
      state,
      nonce,
      prompt: request.prompt,
      loginHint: request.loginHint ?? request.account?.username,
      domainHint: request.domainHint,
      claims: mergeClaims(request.claims, ctx.clientCapabilities),
      codeChallenge: pkce.challenge,
      codeChallengeMethod: pkce.method,
      extraQueryParameters: request.extraQueryParameters,
    })
    const redirected = listener.waitForRedirect({ state, timeoutMs, signal: request.signal })
    redirected.catch(() => undefined)
    // The browser may hold on to its promise for as long as it likes; only a launch failure matters.
    const launchFailed = new Promise<never>((_, reject) => {
      Promise.resolve()
        .then(() => (request.openBrowser ?? openSystemBrowser)(url.href))
        .catch((error: unknown) => {
          reject(error instanceof AuthError ? error : new ClientAuthError('browser_open_failed', `openBrowser failed: ${(error as Error)?.message ?? 'unknown error'}.`, { cause: error, correlationId }))
        })
    })
    launchFailed.catch(() => undefined)
    ctx.logger.info('Waiting for the sign-in redirect on the loopback listener', correlationId)
    const redirect = await Promise.race([redirected, launchFailed])
    try {
      const result = await acquireTokenByCode(ctx, {
        code: redirect.code,
        codeVerifier: pkce.verifier,
        redirectUri: listener.redirectUri,
        scopes,
        nonce,
        state,
        claims: request.claims,
        authority: request.authority,
        correlationId,
        tokenQueryParameters: request.tokenQueryParameters,
        signal: request.signal,
      })
      await listener.finish({ ok: true })
      return result
    } catch (error) {
      await listener.finish({ ok: false, errorCode: error instanceof AuthError ? error.errorCode : 'error' })
      throw error
    }
  } finally {
    await listener.close()
  }
}
