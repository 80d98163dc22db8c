/**
 * msal-node's `ConfidentialClientApplication`: a web app, web API or daemon that can keep a
 * secret, a certificate or an assertion.
 *
 * @example
 * ```ts
 * import { ConfidentialClientApplication } from 'entra-oauth'
 * const cca = new ConfidentialClientApplication({
 *   auth: { clientId: process.env.CLIENT_ID!, authority: `https://login.microsoftonline.com/${process.env.TENANT_ID}`, clientSecret: process.env.CLIENT_SECRET },
 * })
 * const { accessToken } = await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })
 * ```
 */
import { lazy } from '../lazy.js'
import { acquireTokenByClientCredential, type ClientCredentialRequest } from '../flows/client-credential.js'
import type { OnBehalfOfRequest } from '../flows/on-behalf-of.js'
import type { AuthenticationResult } from '../flows/result.js'
import { ClientApplication } from './client-application.js'
import type { Configuration } from './configuration.js'

const loadOnBehalfOfFlow = lazy(() => import('../flows/on-behalf-of.js'))

export class ConfidentialClientApplication extends ClientApplication {
  /** @throws ClientConfigurationError when the configuration cannot work (no credential, bad authority, ...). */
  constructor(config: Configuration) {
    super(config, 'confidential')
  }

  /**
   * An app-only token for one `{resource}/.default` scope, from the cache when a valid one is
   * there (`fromCache: true`), else from the token endpoint. Concurrent calls for the same scope
   * share one request.
   * @throws ClientConfigurationError for a scope that is not `{resource}/.default` (nothing is sent);
   *   ServerError for an Entra error (e.g. AADSTS70011 invalid scope, AADSTS7000215 bad secret);
   *   ClientAuthError for network failures, timeouts and unusable responses.
   */
  acquireTokenByClientCredential(request: ClientCredentialRequest): Promise<AuthenticationResult> {
    return acquireTokenByClientCredential(this.context, request)
  }

  /**
   * On-behalf-of: exchanges the user token your API received for a token to a downstream API.
   * Cached by the SHA-256 of the incoming token, as msal-node does.
   * @throws InteractionRequiredAuthError when the user must consent or pass MFA (return the
   *   claims challenge to your client); ServerError for other Entra errors.
   * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow
   */
  async acquireTokenOnBehalfOf(request: OnBehalfOfRequest): Promise<AuthenticationResult | null> {
    // Loaded on first use, as the public client's interactive and device code flows are.
    const { acquireTokenOnBehalfOf } = await loadOnBehalfOfFlow()
    return acquireTokenOnBehalfOf(this.context, request)
  }
}
