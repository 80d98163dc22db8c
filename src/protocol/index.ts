/**
 * `entra-oauth/protocol`: the pure protocol steps on their own, for callers who want to drive
 * HTTP themselves. Each is a function from values to values; none does I/O.
 */
export * from './scopes.js'
export * from './token-request.js'
export * from './token-response.js'
export * from './client-assertion.js'
export * from './pem.js'
export * from './claims.js'
export * from './clouds.js'
export * from './openid-configuration.js'
export * from './pkce.js'
export * from './authorize-url.js'
export * from './client-info.js'
export * from './id-token.js'
export * from './jwt.js'
export * from './device-code.js'
export * from './user-assertion.js'
