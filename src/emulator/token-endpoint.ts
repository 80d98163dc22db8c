/**
 * `POST /{tenant}/oauth2/v2.0/token` and `POST /{tenant}/oauth2/v2.0/devicecode`: one handler
 * per grant, each validating its fields as Entra does and answering with a token response or an
 * `EntraError`.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-on-behalf-of-flow
 */
import { createHash } from 'node:crypto'
import { EntraError, missingParameter } from './aadsts.js'
import { authenticateClient } from './client-auth.js'
import type { ClientConfig, TenantConfig, UserConfig } from './config.js'
import { count, issueContext, nowSeconds, type EmulatorCore } from './core.js'
import type { Grant, TenantRef } from './directory.js'
import { opaque, userCode, type DeviceCode } from './state.js'
import { clientInfo, issueAccessToken, issueIdToken, verifyOwnSignature, type ClientAuthMethod } from './tokens.js'

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'
const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

interface TokenRequest {
  core: EmulatorCore
  ref: TenantRef
  form: URLSearchParams
  /** The token endpoint URL called (origin + path), for assertion audiences. */
  endpoint: string
}

/** Answers a token request with the JSON body to send (status 200), or throws `EntraError`. */
export async function handleTokenRequest(req: TokenRequest): Promise<Record<string, unknown>> {
  const grantType = req.form.get('grant_type')
  if (!grantType) throw missingParameter('grant_type')
  count(req.core, `token:${grantType}`)
  switch (grantType) {
    case 'authorization_code':
      return authorizationCode(req)
    case 'refresh_token':
      return refreshToken(req)
    case 'client_credentials':
      return clientCredentials(req)
    case DEVICE_CODE_GRANT:
      return deviceCode(req)
    case 'password':
      return password(req)
    case JWT_BEARER_GRANT:
      return onBehalfOf(req)
    default:
      throw new EntraError('unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grantType}'.`)
  }
}

function required(form: URLSearchParams, name: string): string {
  const value = form.get(name)
  if (value === null || value === '') throw missingParameter(name)
  return value
}

function tenantName(ref: TenantRef): string {
  return ref.kind === 'tenant' ? (ref.tenant.domains[0] ?? ref.tenant.id) : ref.segment
}

function audiences(req: TokenRequest, client: ClientConfig): string[] {
  const origin = new URL(req.endpoint).origin
  const tenant = req.core.directory.tenantById(client.tenant)
  const segments = new Set([req.ref.segment, client.tenant, ...(tenant?.domains ?? [])])
  const out = [req.endpoint]
  for (const s of segments) out.push(`${origin}/${s}/oauth2/v2.0/token`, `${origin}/${s}/oauth2/token`)
  return out
}

async function authenticate(req: TokenRequest, client: ClientConfig, grantType: string): Promise<ClientAuthMethod> {
  return authenticateClient(client, { form: req.form, audiences: audiences(req, client), nowSeconds: nowSeconds(req.core), grantType })
}

/** Device code and password grants need "Allow public client flows" on a public client. */
function requirePublicClientFlows(client: ClientConfig): void {
  if (client.type === 'public' && !client.allowPublicClientFlows) {
    throw new EntraError('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
  }
}

function tenantOf(core: EmulatorCore, user: UserConfig): TenantConfig {
  const tenant = core.directory.tenantById(user.tenant)
  if (!tenant) throw new EntraError('server_error', 500, 'The user belongs to no configured tenant.', 500)
  return tenant
}

/** The token response of a user flow: access token, and as asked, id token, refresh token, client_info. */
async function userTokens(
  req: TokenRequest,
  p: { client: ClientConfig; user: UserConfig; grant: Grant; authMethod: ClientAuthMethod; nonce?: string | undefined; idToken?: boolean },
): Promise<Record<string, unknown>> {
  const { core } = req
  const ctx = issueContext(core)
  const lifetimes = core.config.lifetimes
  const tenant = tenantOf(core, p.user)
  const body: Record<string, unknown> = {
    token_type: 'Bearer',
    scope: p.grant.responseScope,
    expires_in: lifetimes.accessToken,
    ext_expires_in: lifetimes.accessToken,
    access_token: await issueAccessToken(ctx, { api: p.grant.api, client: p.client, tenant, lifetime: lifetimes.accessToken, authMethod: p.authMethod, user: p.user, permissions: p.grant.permissions }),
  }
  if (p.grant.oidc.includes('offline_access')) {
    const rt = opaque(48)
    core.state.refreshTokens.set(rt, {
      clientId: p.client.clientId,
      userId: p.user.id,
      family: p.client.foci ? '1' : undefined,
      expiresAt: ctx.nowSeconds + lifetimes.refreshToken,
      redeemed: false,
    })
    body.refresh_token = rt
  }
  if (p.grant.oidc.includes('openid') && p.idToken !== false) {
    body.id_token = await issueIdToken(ctx, { user: p.user, client: p.client, nonce: p.nonce, lifetime: lifetimes.idToken, email: p.grant.oidc.includes('email') })
  }
  if (req.form.get('client_info') === '1') body.client_info = clientInfo(p.user)
  if (p.client.foci) body.foci = '1'
  return body
}

async function authorizationCode(req: TokenRequest): Promise<Record<string, unknown>> {
  const { core, form } = req
  const client = core.directory.client(form.get('client_id') ?? undefined, req.ref)
  const code = required(form, 'code')
  const redirectUri = required(form, 'redirect_uri')
  const entry = core.state.codes.get(code)
  if (!entry) throw new EntraError('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.')
  if (entry.redeemed) {
    throw new EntraError('invalid_grant', 54005, 'OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.')
  }
  // Single use, whatever happens next: a code that failed once cannot be retried.
  entry.redeemed = true
  if (entry.clientId !== client.clientId) throw new EntraError('invalid_grant', 70000, 'Provided grant is invalid or malformed: the code was issued to another application.')
  if (nowSeconds(core) > entry.expiresAt) {
    throw new EntraError('invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.')
  }
  if (entry.redirectUri !== redirectUri) {
    throw new EntraError('invalid_grant', 500112, `The reply address '${redirectUri}' does not match the reply address '${entry.redirectUri}' provided when requesting Authorization code.`)
  }
  if (entry.codeChallenge !== undefined) {
    const verifier = form.get('code_verifier')
    const computed = verifier === null ? undefined : entry.codeChallengeMethod === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url')
    if (verifier === null || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || computed !== entry.codeChallenge) {
      throw new EntraError('invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.')
    }
  }
  const authMethod = await authenticate(req, client, 'authorization_code')
  const user = core.directory.userById(entry.userId)
  if (!user) throw new EntraError('invalid_grant', 50034, 'The user account no longer exists in the directory.')
  const grant = core.directory.delegatedGrant(form.get('scope') || entry.scope, tenantName(req.ref))
  return userTokens(req, { client, user, grant, authMethod, nonce: entry.nonce })
}

async function refreshToken(req: TokenRequest): Promise<Record<string, unknown>> {
  const { core, form } = req
  const client = core.directory.client(form.get('client_id') ?? undefined, req.ref)
  const token = required(form, 'refresh_token')
  const scope = required(form, 'scope')
  const entry = core.state.refreshTokens.get(token)
  if (!entry) throw new EntraError('invalid_grant', 9002313, 'Invalid request. Request is malformed or invalid.')
  if (entry.clientId !== client.clientId && !(entry.family !== undefined && client.foci)) {
    throw new EntraError('invalid_grant', 70000, 'Provided grant is invalid or malformed: the refresh token was issued to another application.', 400, 'client_mismatch')
  }
  const now = nowSeconds(core)
  if (now > entry.expiresAt) {
    const issued = new Date((entry.expiresAt - core.config.lifetimes.refreshToken) * 1000).toISOString()
    throw new EntraError('invalid_grant', 700082, `The refresh token has expired due to inactivity. The token was issued on ${issued} and was inactive for ${core.config.lifetimes.refreshToken} seconds.`)
  }
  if (entry.redeemed) {
    throw new EntraError('invalid_grant', 70008, 'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.')
  }
  const authMethod = await authenticate(req, client, 'refresh_token')
  const user = core.directory.userById(entry.userId)
  if (!user) throw new EntraError('invalid_grant', 50034, 'The user account no longer exists in the directory.')
  const grant = core.directory.delegatedGrant(scope, tenantName(req.ref))
  entry.redeemed = true
  // A refreshed response always carries a successor refresh token, as Entra's does.
  if (!grant.oidc.includes('offline_access')) grant.oidc.push('offline_access')
  return userTokens(req, { client, user, grant, authMethod })
}

async function clientCredentials(req: TokenRequest): Promise<Record<string, unknown>> {
  const { core, form } = req
  if (req.ref.kind !== 'tenant') {
    throw new EntraError('invalid_request', 50059, 'No tenant-identifying information found in either the request or implied by any provided credentials. Client credentials need a tenant id or domain in the authority, not common or organizations.')
  }
  const client = core.directory.client(form.get('client_id') ?? undefined, req.ref)
  const authMethod = await authenticate(req, client, 'client_credentials')
  const scope = required(form, 'scope')
  const { api } = core.directory.applicationGrant(scope, tenantName(req.ref))
  const granted = client.appPermissions[api.appIdUri] ?? []
  const roles = granted.filter((r) => api.appRoles.includes(r))
  const lifetime = core.config.lifetimes.accessToken
  return {
    token_type: 'Bearer',
    expires_in: lifetime,
    ext_expires_in: lifetime,
    access_token: await issueAccessToken(issueContext(core), { api, client, tenant: req.ref.tenant, lifetime, authMethod, roles }),
  }
}

async function deviceCode(req: TokenRequest): Promise<Record<string, unknown>> {
  const { core, form } = req
  const client = core.directory.client(form.get('client_id') ?? undefined, req.ref)
  const code = required(form, 'device_code')
  const entry = core.state.deviceCodes.get(code)
  if (!entry || entry.clientId !== client.clientId) throw new EntraError('invalid_grant', 70000, "Provided grant is invalid or malformed: the 'device_code' is not known.")
  requirePublicClientFlows(client)
  const nowMs = core.nowMs()
  if (nowMs / 1000 > entry.expiresAt) throw new EntraError('expired_token', 70019, 'Verification code expired.')
  if (entry.status === 'redeemed') throw new EntraError('invalid_grant', 70000, 'Provided grant is invalid or malformed: this device code was already redeemed.')
  if (entry.status === 'declined') throw new EntraError('authorization_declined', 70000, 'The user declined the sign-in request on the verification page.')
  const tooSoon = entry.lastPollMs !== undefined && nowMs - entry.lastPollMs < core.config.deviceCodeInterval * 1000 * 0.9
  entry.lastPollMs = nowMs
  if (tooSoon) {
    // Entra documents slow_down without an AADSTS number (RFC 8628 §3.5); poll less often.
    throw new EntraError('slow_down', 0, `The client polled again sooner than the ${core.config.deviceCodeInterval} s interval. Slow down.`)
  }
  if (entry.status === 'pending') throw new EntraError('authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.')
  const authMethod = await authenticate(req, client, DEVICE_CODE_GRANT)
  const user = core.directory.userById(entry.userId ?? '')
  if (!user) throw new EntraError('invalid_grant', 50034, 'The user account no longer exists in the directory.')
  entry.status = 'redeemed'
  const grant = core.directory.delegatedGrant(entry.scope, tenantName(req.ref))
  return userTokens(req, { client, user, grant, authMethod })
}

async function password(req: TokenRequest): Promise<Record<string, unknown>> {
  const { core, form } = req
  const client = core.directory.client(form.get('client_id') ?? undefined, req.ref)
  const username = required(form, 'username')
  const secret = required(form, 'password')
  const scope = required(form, 'scope')
  requirePublicClientFlows(client)
  const authMethod = await authenticate(req, client, 'password')
  const grant = core.directory.delegatedGrant(scope, tenantName(req.ref))
  const user = core.directory.signInUser(username, req.ref)
  if (user.password !== secret) throw new EntraError('invalid_grant', 50126, 'Error validating credentials due to invalid username or password.')
  if (user.mfaRequired) {
    throw new EntraError(
      'invalid_grant',
      50076,
      `Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '${grant.api.appIdUri}'.`,
      400,
      'basic_action',
    )
  }
  return userTokens(req, { client, user, grant, authMethod })
}

async function onBehalfOf(req: TokenRequest): Promise<Record<string, unknown>> {
  const { core, form } = req
  const client = core.directory.client(form.get('client_id') ?? undefined, req.ref)
  const use = required(form, 'requested_token_use')
  if (use !== 'on_behalf_of') throw new EntraError('invalid_request', 900144, `The 'requested_token_use' must be 'on_behalf_of', not '${use}'.`)
  const assertion = required(form, 'assertion')
  const scope = required(form, 'scope')
  if (client.type === 'public') throw new EntraError('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
  const authMethod = await authenticate(req, client, JWT_BEARER_GRANT)
  let claims: Record<string, unknown>
  try {
    claims = await verifyOwnSignature(core.key, assertion, core.baseUrl)
  } catch {
    throw new EntraError('invalid_request', 50027, 'JWT token is invalid or malformed.')
  }
  const now = nowSeconds(core)
  if (typeof claims.exp !== 'number' || now >= claims.exp) {
    throw new EntraError('invalid_grant', 500133, 'Assertion is not within its valid time range. Ensure that the access token is not expired before using it for user assertion, or request a new token.')
  }
  const own = new Set([client.clientId.toLowerCase()])
  for (const api of core.config.apis) if (api.clientId?.toLowerCase() === client.clientId.toLowerCase()) own.add(api.appIdUri.toLowerCase())
  if (typeof claims.aud !== 'string' || !own.has(claims.aud.toLowerCase())) {
    throw new EntraError(
      'invalid_grant',
      50013,
      `Assertion audience does not match the Client app presenting the assertion. The audience in the assertion was '${String(claims.aud)}' and the expected audience is '${client.clientId}' or one of the Application Id URIs of this application with App ID ${client.clientId}(${client.name}).`,
    )
  }
  const user = typeof claims.scp === 'string' && typeof claims.oid === 'string' ? core.directory.userById(claims.oid) : undefined
  if (!user) throw new EntraError('invalid_grant', 50013, 'The assertion is not a user token: on-behalf-of needs the access token a user sent to this API.')
  const grant = core.directory.delegatedGrant(scope, tenantName(req.ref))
  return userTokens(req, { client, user, grant, authMethod, idToken: false })
}

/** `POST /{tenant}/oauth2/v2.0/devicecode`: starts a device code flow (RFC 8628 §3.1). */
export function handleDeviceAuthorization(core: EmulatorCore, ref: TenantRef, form: URLSearchParams): Record<string, unknown> {
  count(core, 'devicecode')
  const client = core.directory.client(form.get('client_id') ?? undefined, ref)
  const scope = required(form, 'scope')
  core.directory.delegatedGrant(scope, tenantName(ref))
  const now = nowSeconds(core)
  const lifetime = core.config.lifetimes.deviceCode
  const entry: DeviceCode = {
    deviceCode: opaque(48),
    userCode: userCode(),
    clientId: client.clientId,
    tenantSegment: ref.segment,
    scope,
    expiresAt: now + lifetime,
    status: 'pending',
    userId: undefined,
    lastPollMs: undefined,
  }
  core.state.deviceCodes.set(entry.deviceCode, entry)
  core.state.deviceCodesByUserCode.set(entry.userCode, entry)
  if (core.autoApprove !== false) {
    const user = typeof core.autoApprove === 'string' ? core.directory.user(core.autoApprove) : core.directory.usersIn(ref)[0]
    if (user) {
      entry.status = 'approved'
      entry.userId = user.id
    }
  }
  const verificationUri = `${core.baseUrl}/devicelogin`
  return {
    user_code: entry.userCode,
    device_code: entry.deviceCode,
    verification_uri: verificationUri,
    expires_in: lifetime,
    interval: core.config.deviceCodeInterval,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${entry.userCode} to authenticate.`,
  }
}
