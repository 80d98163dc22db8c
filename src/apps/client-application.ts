/**
 * What msal-node's `PublicClientApplication` and `ConfidentialClientApplication` share (its
 * `ClientApplication`): the two-step authorization code flow, silent acquisition, refresh token
 * redemption, the token cache and its accounts. Thin: every method hands its request to a flow.
 */
import { lazy } from '../lazy.js'
import type { AccountInfo } from '../cache/accounts.js'
import type { TokenCache } from '../cache/token-cache.js'
import { acquireTokenByCode, getAuthCodeUrl, type AuthorizationCodePayload, type AuthorizationCodeRequest, type AuthorizationUrlRequest } from '../flows/auth-code.js'
import type { FlowContext } from '../flows/context.js'
import type { RefreshTokenRequest } from '../flows/refresh-token.js'
import type { AuthenticationResult } from '../flows/result.js'
import { acquireTokenSilent, type SilentFlowRequest } from '../flows/silent.js'
import { createFlowContext, type Configuration } from './configuration.js'

const loadRefreshTokenFlow = lazy(() => import('../flows/refresh-token.js'))

export abstract class ClientApplication {
  readonly #ctx: FlowContext

  /** @throws ClientConfigurationError when the configuration cannot work. */
  protected constructor(config: Configuration, kind: 'public' | 'confidential') {
    this.#ctx = createFlowContext(config, kind)
  }

  /** The flow context, for the subclasses' own methods. */
  protected get context(): FlowContext {
    return this.#ctx
  }

  /**
   * The URL to send the user's browser to. Public clients should pass a PKCE `codeChallenge`
   * (`cryptoProvider.generatePkceCodes()`) and a `state`.
   * @throws ClientConfigurationError for a missing redirectUri, bad scopes or claims.
   * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
   */
  getAuthCodeUrl(request: AuthorizationUrlRequest): Promise<string> {
    return getAuthCodeUrl(this.#ctx, request)
  }

  /**
   * Redeems the `code` of the redirect (with the PKCE `codeVerifier`), validates the id token and
   * caches the tokens and the account. Pass the redirect's parameters as `authCodePayload` to have
   * its `state` (and `nonce`) checked.
   * @throws ClientConfigurationError `invalid_request` when the code is missing (nothing is sent);
   *   ClientAuthError `state_mismatch`, `invalid_id_token`, `nonce_mismatch`; InteractionRequiredAuthError
   *   for an expired or reused code; ServerError for other Entra errors.
   */
  acquireTokenByCode(request: AuthorizationCodeRequest, authCodePayload?: AuthorizationCodePayload): Promise<AuthenticationResult> {
    return acquireTokenByCode(this.#ctx, request, authCodePayload)
  }

  /**
   * A token for a signed-in account without user interaction: from the cache (`fromCache: true`)
   * or by redeeming its refresh token. Concurrent identical calls share one request.
   * @throws InteractionRequiredAuthError when the user must sign in again: call an interactive
   *   flow (the recommended pattern of Microsoft's desktop pages).
   * @see https://learn.microsoft.com/entra/identity-platform/scenario-desktop-acquire-token#recommended-pattern
   */
  acquireTokenSilent(request: SilentFlowRequest): Promise<AuthenticationResult> {
    return acquireTokenSilent(this.#ctx, request)
  }

  /**
   * Redeems a refresh token obtained elsewhere (migration from ADAL or another cache); the
   * resulting tokens are cached.
   * @throws InteractionRequiredAuthError when Entra refuses the refresh token.
   */
  async acquireTokenByRefreshToken(request: RefreshTokenRequest): Promise<AuthenticationResult | null> {
    // A one-off migration step: loaded when used, like the other rarely used flows.
    const { acquireTokenByRefreshToken } = await loadRefreshTokenFlow()
    return acquireTokenByRefreshToken(this.#ctx, request)
  }

  /** The application's token cache (accounts, serialization, plugin hooks). */
  getTokenCache(): TokenCache {
    return this.#ctx.cache
  }

  /** Every account signed in to this application's cache. */
  getAllAccounts(): Promise<AccountInfo[]> {
    return this.#ctx.cache.getAllAccounts()
  }

  /** Closes pooled connections (optional: idle ones close by themselves). */
  async close(): Promise<void> {
    await this.#ctx.transport.close()
  }
}
