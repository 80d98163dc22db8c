/**
 * Token caches in the MSAL unified schema (the JSON msal-node's `serialize()` writes), made
 * deterministically from a size and a clock so that both libraries load byte-identical
 * contents through `getTokenCache().deserialize()`. Runs inside the child processes, before
 * anything is timed.
 */
export const CLIENT_ID = '2b5c3e4f-0a1d-4c6b-9e7f-5a4b3c2d1e0f'
export const CLIENT_SECRET = 'bench-secret-not-a-real-one'
export const ENVIRONMENT = 'login.windows.net'
export const APP_SCOPE = 'https://graph.microsoft.com/.default'
export const USER_SCOPE = 'User.Read'
export const USER_TARGET = 'openid profile User.Read email'
/** The home tenant of every generated user. */
export const HOME_TENANT = '9a1f2c3d-0000-4000-8000-00000000c0de'

/** A GUID-shaped tenant id for index i. */
export function tenantId(i: number): string {
  return `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`
}

/** The object id (uid) of user i. */
export function userObjectId(i: number): string {
  return `10000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`
}

export function homeAccountId(i: number): string {
  return `${userObjectId(i)}.${HOME_TENANT}`
}

/** A JWT-shaped access token of about `bytes` characters, unique per `n`. */
export function accessToken(n: number, tenant: string, bytes: number): string {
  const head = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9'
  const payload = Buffer.from(JSON.stringify({ aud: 'https://graph.microsoft.com', tid: tenant, n })).toString('base64url')
  const sig = `sig${n.toString(36)}`
  const pad = Math.max(0, bytes - head.length - payload.length - sig.length - 2)
  return `${head}.${payload}${'A'.repeat(pad)}.${sig}`
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

export function idTokenClaims(i: number, nowSeconds: number): Record<string, unknown> {
  return {
    aud: CLIENT_ID,
    iss: `https://login.microsoftonline.com/${HOME_TENANT}/v2.0`,
    iat: nowSeconds - 60,
    nbf: nowSeconds - 60,
    exp: nowSeconds + 3600,
    name: `User ${i}`,
    oid: userObjectId(i),
    preferred_username: `user${i}@contoso.example`,
    sub: `sub-${i}`,
    tid: HOME_TENANT,
    ver: '2.0',
  }
}

function idToken(i: number, nowSeconds: number): string {
  return `${b64url({ typ: 'JWT', alg: 'RS256', kid: 'bench' })}.${b64url(idTokenClaims(i, nowSeconds))}.bench-signature`
}

/** The AccountInfo of user i, as both libraries return it (built without asking either). */
export function accountInfo(i: number, nowSeconds: number): Record<string, unknown> {
  return {
    homeAccountId: homeAccountId(i),
    environment: ENVIRONMENT,
    tenantId: HOME_TENANT,
    username: `user${i}@contoso.example`,
    localAccountId: userObjectId(i),
    name: `User ${i}`,
    idTokenClaims: idTokenClaims(i, nowSeconds),
  }
}

interface Serialized {
  Account: Record<string, unknown>
  IdToken: Record<string, unknown>
  AccessToken: Record<string, unknown>
  RefreshToken: Record<string, unknown>
  AppMetadata: Record<string, unknown>
}

function emptyCache(): Serialized {
  return { Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} }
}

function times(nowSeconds: number): Record<string, string> {
  return { cached_at: String(nowSeconds - 60), expires_on: String(nowSeconds + 3600), extended_expires_on: String(nowSeconds + 3600) }
}

/**
 * N app-only tokens (client credentials) for `scope`, one per tenant `tenantId(0..n-1)`, as a
 * multi-tenant daemon accumulates them.
 */
export function appTokenCache(n: number, nowSeconds: number, tokenBytes: number): string {
  const cache = emptyCache()
  for (let i = 0; i < n; i++) {
    const realm = tenantId(i)
    const key = `-${ENVIRONMENT}-accesstoken-${CLIENT_ID}-${realm}-${APP_SCOPE}-`.toLowerCase()
    cache.AccessToken[key] = {
      home_account_id: '',
      environment: ENVIRONMENT,
      credential_type: 'AccessToken',
      client_id: CLIENT_ID,
      secret: accessToken(i, realm, tokenBytes),
      realm,
      target: APP_SCOPE,
      token_type: 'Bearer',
      ...times(nowSeconds),
    }
  }
  return JSON.stringify(cache)
}

/** N signed-in users of a desktop app: account, id token, access token and refresh token each. */
export function userCache(n: number, nowSeconds: number, tokenBytes: number): string {
  const cache = emptyCache()
  for (let i = 0; i < n; i++) {
    const home = homeAccountId(i)
    const prefix = `${home}-${ENVIRONMENT}`
    cache.Account[`${prefix}-${HOME_TENANT}`.toLowerCase()] = {
      home_account_id: home,
      environment: ENVIRONMENT,
      realm: HOME_TENANT,
      local_account_id: userObjectId(i),
      username: `user${i}@contoso.example`,
      authority_type: 'MSSTS',
      name: `User ${i}`,
      client_info: b64url({ uid: userObjectId(i), utid: HOME_TENANT }),
    }
    cache.IdToken[`${prefix}-idtoken-${CLIENT_ID}-${HOME_TENANT}--`.toLowerCase()] = {
      home_account_id: home,
      environment: ENVIRONMENT,
      credential_type: 'IdToken',
      client_id: CLIENT_ID,
      secret: idToken(i, nowSeconds),
      realm: HOME_TENANT,
    }
    cache.AccessToken[`${prefix}-accesstoken-${CLIENT_ID}-${HOME_TENANT}-${USER_TARGET}-`.toLowerCase()] = {
      home_account_id: home,
      environment: ENVIRONMENT,
      credential_type: 'AccessToken',
      client_id: CLIENT_ID,
      secret: accessToken(i, HOME_TENANT, tokenBytes),
      realm: HOME_TENANT,
      target: USER_TARGET,
      token_type: 'Bearer',
      ...times(nowSeconds),
    }
    cache.RefreshToken[`${prefix}-refreshtoken-${CLIENT_ID}---`.toLowerCase()] = {
      home_account_id: home,
      environment: ENVIRONMENT,
      credential_type: 'RefreshToken',
      client_id: CLIENT_ID,
      secret: `rt-${i}-${'R'.repeat(200)}`,
    }
  }
  cache.AppMetadata[`appmetadata-${ENVIRONMENT}-${CLIENT_ID}`] = { client_id: CLIENT_ID, environment: ENVIRONMENT }
  return JSON.stringify(cache)
}
