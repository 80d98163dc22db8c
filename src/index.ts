/**
 * entra-oauth: an OAuth 2.0 / OpenID Connect client for the Microsoft identity platform with
 * msal-node's API, speaking the protocol itself. See README.md.
 */
export { ConfidentialClientApplication } from './apps/confidential-client-application.js'
export { PublicClientApplication } from './apps/public-client-application.js'
export { ClientApplication } from './apps/client-application.js'
export { CryptoProvider, cryptoProvider } from './apps/crypto-provider.js'
export type { AuthorizationUrlRequest, AuthorizationCodeRequest, AuthorizationCodePayload } from './flows/auth-code.js'
export type { InteractiveRequest } from './flows/interactive.js'
export type { DeviceCodeRequest, DeviceCodeResponse } from './flows/device-code.js'
export type { UsernamePasswordRequest } from './flows/username-password.js'
export type { SilentFlowRequest } from './flows/silent.js'
export type { RefreshTokenRequest } from './flows/refresh-token.js'
export type { OnBehalfOfRequest } from './flows/on-behalf-of.js'
export type { Configuration, AuthOptions, CacheOptions, SystemOptions } from './apps/configuration.js'
export type { ClientCredentialRequest } from './flows/client-credential.js'
export type { AuthenticationResult, AccountInfo, IdTokenClaims, TenantProfileInfo } from './flows/result.js'
export type { ClientCertificate, ClientAssertionCallback, ClientAssertionConfig } from './credentials/client-credential.js'
export { TokenCache } from './cache/token-cache.js'
export type { CachePlugin, TokenCacheContext } from './cache/token-cache.js'
export { createFileCachePlugin, FileCachePlugin } from './cache/file-cache-plugin.js'
export type { FileCachePluginOptions } from './cache/file-cache-plugin.js'
export {
  AuthError,
  ServerError,
  ClientAuthError,
  ClientConfigurationError,
  InteractionRequiredAuthError,
} from './errors.js'
export type { ClientAuthErrorCode, ClientConfigurationErrorCode, OAuthErrorCode } from './errors.js'
export { LogLevel, Logger } from './logger.js'
export type { LoggerOptions } from './logger.js'
