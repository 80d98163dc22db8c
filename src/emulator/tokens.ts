/**
 * The emulator's signing key and the tokens it signs: v2.0 id tokens and access tokens (RS256,
 * with `kid`), and `client_info`. Claims follow Entra's v2.0 tokens.
 * @see https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference
 * @see https://learn.microsoft.com/entra/identity-platform/id-token-claims-reference
 */
import { createHash, createPrivateKey, createPublicKey, randomUUID, type KeyObject } from 'node:crypto'
import { SignJWT, calculateJwkThumbprint, compactVerify, exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose'
import type { ApiConfig, ClientConfig, TenantConfig, UserConfig } from './config.js'

export interface SigningKey {
  kid: string
  privateKey: KeyObject
  publicKey: KeyObject
  /** The public JWK as the JWKS endpoint serves it. */
  jwk: JWK
}

/** A key from PEM (PKCS#8 RSA), or a fresh RSA-2048 key. */
export async function createSigningKey(pem?: string): Promise<SigningKey> {
  let privateKey: KeyObject
  let publicKey: KeyObject
  if (pem) {
    privateKey = createPrivateKey(pem)
    publicKey = createPublicKey(privateKey)
  } else {
    const pair = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true })
    privateKey = pair.privateKey as unknown as KeyObject
    publicKey = pair.publicKey as unknown as KeyObject
  }
  const jwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(jwk)
  return { kid, privateKey, publicKey, jwk: { ...jwk, kid, use: 'sig', alg: 'RS256' } }
}

/** `client_info`: base64url JSON `{ uid, utid }`, the user's home account id parts. */
export function clientInfo(user: UserConfig): string {
  return Buffer.from(JSON.stringify({ uid: user.id, utid: user.tenant })).toString('base64url')
}

/** The v2.0 issuer of a tenant. */
export function issuerOf(baseUrl: string, tenantId: string): string {
  return `${baseUrl}/${tenantId}/v2.0`
}

/** Entra's `sub` is pairwise: stable per user and app, different across apps. */
function pairwiseSub(userId: string, clientId: string): string {
  return createHash('sha256').update(`${userId}|${clientId}`).digest('base64url').slice(0, 43)
}

export interface IssueContext {
  key: SigningKey
  baseUrl: string
  /** Seconds since the epoch. */
  nowSeconds: number
}

function sign(ctx: IssueContext, claims: JWTPayload, lifetimeSeconds: number): Promise<string> {
  return new SignJWT({ ...claims, iat: ctx.nowSeconds, nbf: ctx.nowSeconds, exp: ctx.nowSeconds + lifetimeSeconds })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: ctx.key.kid })
    .sign(ctx.key.privateKey)
}

/** A v2.0 id token for `client`, signed by the emulator. */
export function issueIdToken(ctx: IssueContext, p: { user: UserConfig; client: ClientConfig; nonce?: string | undefined; lifetime: number; email: boolean }): Promise<string> {
  const claims: JWTPayload = {
    aud: p.client.clientId,
    iss: issuerOf(ctx.baseUrl, p.user.tenant),
    name: p.user.name,
    oid: p.user.id,
    preferred_username: p.user.username,
    rh: '0.emulated.',
    sub: pairwiseSub(p.user.id, p.client.clientId),
    tid: p.user.tenant,
    uti: randomUUID().replace(/-/g, '').slice(0, 22),
    ver: '2.0',
  }
  if (p.nonce) claims.nonce = p.nonce
  if (p.email) claims.email = p.user.username
  return sign(ctx, claims, p.lifetime)
}

/** The client authentication method, as `azpacr`: 0 public, 1 secret, 2 certificate. */
export type ClientAuthMethod = '0' | '1' | '2'

/** A v2.0 access token for a user (`scp`) or for the application itself (`roles`). */
export function issueAccessToken(
  ctx: IssueContext,
  p: { api: ApiConfig; client: ClientConfig; tenant: TenantConfig; lifetime: number; authMethod: ClientAuthMethod; user?: UserConfig | undefined; permissions?: string[]; roles?: string[] },
): Promise<string> {
  const claims: JWTPayload = {
    aud: p.api.audience ?? p.api.appIdUri,
    iss: issuerOf(ctx.baseUrl, p.tenant.id),
    azp: p.client.clientId,
    azpacr: p.authMethod,
    tid: p.tenant.id,
    uti: randomUUID().replace(/-/g, '').slice(0, 22),
    ver: '2.0',
  }
  if (p.user) {
    claims.name = p.user.name
    claims.oid = p.user.id
    claims.preferred_username = p.user.username
    claims.sub = pairwiseSub(p.user.id, p.api.clientId ?? p.api.appIdUri)
    claims.scp = (p.permissions ?? []).join(' ')
  } else {
    // App-only tokens carry the service principal as subject, and roles instead of scp.
    claims.oid = p.client.clientId
    claims.sub = p.client.clientId
    claims.idtyp = 'app'
    if (p.roles && p.roles.length > 0) claims.roles = p.roles
  }
  return sign(ctx, claims, p.lifetime)
}

/**
 * Checks that the emulator signed `jwt` (signature and issuer) and returns its claims. Times
 * are left to the caller, which knows which AADSTS error an expired token deserves.
 * @throws Error when the token is malformed, not signed by this emulator, or from another issuer.
 */
export async function verifyOwnSignature(key: SigningKey, jwt: string, baseUrl: string): Promise<Record<string, unknown>> {
  const { payload } = await compactVerify(jwt, key.publicKey, { algorithms: ['RS256'] })
  const claims: unknown = JSON.parse(new TextDecoder().decode(payload))
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new Error('the payload is not a JSON object')
  const iss = (claims as { iss?: unknown }).iss
  if (typeof iss !== 'string' || !iss.startsWith(`${baseUrl}/`)) throw new Error('the issuer is not this emulator')
  return claims as Record<string, unknown>
}
