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
import type { TokenCache } from '../cache/token-cache.js'
import type { FlowContext } from '../flows/context.js'
import { acquireTokenByClientCredential, type ClientCredentialRequest } from '../flows/client-credential.js'
import type { AuthenticationResult } from '../flows/result.js'
import { createFlowContext, type Configuration } from './configuration.js'

export class ConfidentialClientApplication {
  readonly #ctx: FlowContext

  /** @throws ClientConfigurationError when the configuration cannot work (no credential, bad authority, ...). */
  constructor(config: Configuration) {
    this.#ctx = createFlowContext(config, 'confidential')
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
    return acquireTokenByClientCredential(this.#ctx, request)
  }

  /** The application's token cache. */
  getTokenCache(): TokenCache {
    return this.#ctx.cache
  }

  /** Closes pooled connections (optional: idle ones close by themselves). */
  async close(): Promise<void> {
    await this.#ctx.transport.close()
  }
}
