/**
 * A tiny Microsoft Graph look-alike that accepts only the emulator's own tokens: `GET /v1.0/me`
 * (a user token with `User.Read`) and `GET /v1.0/users` (an app token with the `User.Read.All`
 * role, or a user token with `User.ReadBasic.All`). Errors in Graph's shape.
 * @see https://learn.microsoft.com/graph/errors
 */
import { randomUUID } from 'node:crypto'
import { count, nowSeconds, type EmulatorCore } from './core.js'
import { json, type Reply } from './reply.js'
import { verifyOwnSignature } from './tokens.js'

const GRAPH_AUDIENCES = new Set(['https://graph.microsoft.com', 'https://graph.microsoft.com/', '00000003-0000-0000-c000-000000000000'])

function graphError(status: number, code: string, message: string, challenge?: string): Reply {
  const headers: Record<string, string> = {}
  if (challenge) headers['www-authenticate'] = challenge
  return json({ error: { code, message, innerError: { date: new Date().toISOString(), 'request-id': randomUUID() } } }, status, headers)
}

/** Validates the bearer token of a Graph request; returns its claims or the error reply. */
async function authorize(core: EmulatorCore, authorization: string | undefined): Promise<Record<string, unknown> | Reply> {
  const challenge = `Bearer realm="", authorization_uri="${core.baseUrl}/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization ?? '')
  if (!match) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.', challenge)
  let claims: Record<string, unknown>
  try {
    claims = await verifyOwnSignature(core.key, match[1] as string, core.baseUrl)
  } catch {
    return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience or signature.', `${challenge}, error="invalid_token"`)
  }
  const now = nowSeconds(core)
  if (typeof claims.exp !== 'number' || now >= claims.exp || (typeof claims.nbf === 'number' && now < claims.nbf)) {
    return graphError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.', `${challenge}, error="invalid_token"`)
  }
  if (typeof claims.aud !== 'string' || !GRAPH_AUDIENCES.has(claims.aud)) {
    return graphError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid audience.', `${challenge}, error="invalid_token"`)
  }
  return claims
}

function permissions(claims: Record<string, unknown>): { scp: string[]; roles: string[] } {
  return {
    scp: typeof claims.scp === 'string' ? claims.scp.split(' ') : [],
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [],
  }
}

/** Answers `GET /v1.0/...`, or undefined for paths it does not serve. */
export async function handleGraph(core: EmulatorCore, path: string, authorization: string | undefined): Promise<Reply | undefined> {
  if (path !== '/v1.0/me' && path !== '/v1.0/users') return undefined
  count(core, `graph:${path}`)
  const claims = await authorize(core, authorization)
  if (!('aud' in claims)) return claims as Reply
  const { scp, roles } = permissions(claims)
  const isApp = claims.idtyp === 'app'
  if (path === '/v1.0/me') {
    if (isApp) return graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.')
    if (!scp.some((s) => s.toLowerCase() === 'user.read')) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.')
    const user = core.directory.userById(String(claims.oid))
    if (!user) return graphError(404, 'Request_ResourceNotFound', `Resource '${String(claims.oid)}' does not exist or one of its queried reference-property objects are not present.`)
    return json({ '@odata.context': `${core.baseUrl}/v1.0/$metadata#users/$entity`, id: user.id, displayName: user.name, userPrincipalName: user.username, mail: user.username })
  }
  const allowed = isApp ? roles.includes('User.Read.All') : scp.some((s) => s === 'User.ReadBasic.All' || s === 'User.Read.All')
  if (!allowed) return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.')
  const tid = String(claims.tid)
  const value = core.config.users.filter((u) => u.tenant === tid).map((u) => ({ id: u.id, displayName: u.name, userPrincipalName: u.username }))
  return json({ '@odata.context': `${core.baseUrl}/v1.0/$metadata#users`, value })
}
