/**
 * msal-node's `PublicClientApplication`: a desktop app, CLI or device that cannot keep a secret.
 * Signs users in with the system browser (loopback redirect + PKCE), device code, or (discouraged)
 * username and password; then serves tokens silently from the cache and refresh tokens.
 *
 * @example The pattern Microsoft's desktop page prescribes: silent first, interactive on failure.
 * ```ts
 * import { PublicClientApplication, InteractionRequiredAuthError } from 'entra-oauth'
 * const pca = new PublicClientApplication({ auth: { clientId: '...', authority: 'https://login.microsoftonline.com/organizations' } })
 * const [account] = await pca.getAllAccounts()
 * let result
 * try {
 *   if (!account) throw new InteractionRequiredAuthError('no_account', 'No account signed in yet.')
 *   result = await pca.acquireTokenSilent({ account, scopes: ['User.Read'] })
 * } catch (error) {
 *   if (!(error instanceof InteractionRequiredAuthError)) throw error
 *   result = await pca.acquireTokenInteractive({ scopes: ['User.Read'], openBrowser: async (url) => console.log(`Open ${url}`) })
 * }
 * ```
 */
import { lazy } from '../lazy.js'
import type { DeviceCodeRequest } from '../flows/device-code.js'
import type { InteractiveRequest } from '../flows/interactive.js'
import type { AuthenticationResult } from '../flows/result.js'
import type { UsernamePasswordRequest } from '../flows/username-password.js'
import { ClientApplication } from './client-application.js'
import type { Configuration } from './configuration.js'

const loadInteractiveFlow = lazy(() => import('../flows/interactive.js'))
const loadDeviceCodeFlow = lazy(() => import('../flows/device-code.js'))
const loadUsernamePasswordFlow = lazy(() => import('../flows/username-password.js'))

export class PublicClientApplication extends ClientApplication {
  /** @throws ClientConfigurationError for a bad configuration, or one holding a client secret/certificate/assertion. */
  constructor(config: Configuration) {
    super(config, 'public')
  }

  /**
   * Signs the user in with the system browser: a loopback listener on 127.0.0.1 at an ephemeral
   * port receives the redirect; PKCE, `state` and `nonce` are handled for you. The browser opens
   * through `openBrowser(url)` when given, else the system's default browser. The tab then says
   * the user can close it.
   * @throws ServerError `access_denied` (subError `cancel`) when the user cancels;
   *   ClientAuthError `timeout` (default 5 minutes), `aborted` (request.signal), `browser_open_failed`.
   */
  async acquireTokenInteractive(request: InteractiveRequest): Promise<AuthenticationResult> {
    // The loopback server and browser launcher load when a sign-in happens, not with the app:
    // most runs of a CLI are served silently from the cache.
    const { acquireTokenInteractive } = await loadInteractiveFlow()
    return acquireTokenInteractive(this.context, request)
  }

  /**
   * Device code sign-in (RFC 8628): `deviceCodeCallback` receives the code and message to show
   * the user, who signs in on another device; polling honours `interval` and `slow_down`.
   * @throws ServerError `expired_token`, `authorization_declined`, `access_denied`, `bad_verification_code`;
   *   ClientAuthError `device_code_cancelled` (request.cancel), `device_code_expired`, `timeout`.
   */
  async acquireTokenByDeviceCode(request: DeviceCodeRequest): Promise<AuthenticationResult | null> {
    const { acquireTokenByDeviceCode } = await loadDeviceCodeFlow()
    return acquireTokenByDeviceCode(this.context, request)
  }

  /**
   * Username/password (ROPC). **Discouraged**: no MFA, no Conditional Access, no personal or
   * federated accounts; use only where nothing else works. The password is never logged.
   * @throws ServerError `invalid_grant` (AADSTS50126) for a wrong password; InteractionRequiredAuthError for MFA/consent.
   * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth-ropc
   */
  async acquireTokenByUsernamePassword(request: UsernamePasswordRequest): Promise<AuthenticationResult | null> {
    const { acquireTokenByUsernamePassword } = await loadUsernamePasswordFlow()
    return acquireTokenByUsernamePassword(this.context, request)
  }
}
