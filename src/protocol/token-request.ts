/**
 * Token endpoint request bodies, one builder per grant. Each returns the form fields only;
 * client authentication fields (secret or assertion) are merged in by the caller, so the same
 * grant works for public and confidential clients.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4
 */

/** Fields that authenticate a confidential client: `client_secret`, or an assertion pair. */
export type ClientAuthFields =
  | { client_secret: string }
  | { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'; client_assertion: string }
  | Record<string, never>

export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer' as const

export interface CommonTokenFields {
  clientId: string
  /** A `claims` request (JSON), e.g. a CAE challenge or client capabilities. */
  claims?: string | undefined
  /** Extra body fields the caller asked for (msal-node's `tokenBodyParameters`). */
  extra?: Record<string, string> | undefined
  /** Ask for Entra's `client_info` on user grants (default true); a plain OpenID provider has none. */
  clientInfo?: boolean | undefined
}

function form(common: CommonTokenFields, grant: Record<string, string | undefined>, auth: ClientAuthFields): URLSearchParams {
  const body = new URLSearchParams()
  body.set('client_id', common.clientId)
  // An empty value (no scopes on a plain OpenID provider, say) is left out rather than sent blank.
  for (const [k, v] of Object.entries(grant)) {
    if (v === undefined || v === '' || (k === 'client_info' && common.clientInfo === false)) continue
    body.set(k, v)
  }
  if (common.claims) body.set('claims', common.claims)
  for (const [k, v] of Object.entries(common.extra ?? {})) if (!body.has(k)) body.set(k, v)
  for (const [k, v] of Object.entries(auth)) body.set(k, v as string)
  return body
}

/** `grant_type=client_credentials` with one `{resource}/.default` scope. */
export function buildClientCredentialBody(common: CommonTokenFields, scope: string, auth: ClientAuthFields): URLSearchParams {
  return form(common, { grant_type: 'client_credentials', scope }, auth)
}

/** `grant_type=authorization_code` with the PKCE verifier and `client_info=1`. */
export function buildAuthorizationCodeBody(
  common: CommonTokenFields,
  params: { code: string; redirectUri: string; codeVerifier?: string | undefined; scopes: readonly string[] },
  auth: ClientAuthFields,
): URLSearchParams {
  return form(
    common,
    {
      grant_type: 'authorization_code',
      code: params.code,
      redirect_uri: params.redirectUri,
      code_verifier: params.codeVerifier,
      scope: params.scopes.join(' '),
      client_info: '1',
    },
    auth,
  )
}

/** `grant_type=refresh_token`, also for family (FOCI) refresh tokens. */
export function buildRefreshTokenBody(common: CommonTokenFields, params: { refreshToken: string; scopes: readonly string[]; redirectUri?: string | undefined }, auth: ClientAuthFields): URLSearchParams {
  return form(
    common,
    { grant_type: 'refresh_token', refresh_token: params.refreshToken, scope: params.scopes.join(' '), redirect_uri: params.redirectUri, client_info: '1' },
    auth,
  )
}

/** RFC 8628 device code redemption (`urn:ietf:params:oauth:grant-type:device_code`). */
export function buildDeviceCodeTokenBody(common: CommonTokenFields, deviceCode: string, auth: ClientAuthFields): URLSearchParams {
  return form(common, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode, client_info: '1' }, auth)
}

/** RFC 8628 device authorization request body (sent to `/devicecode`). */
export function buildDeviceAuthorizationBody(common: CommonTokenFields, scopes: readonly string[]): URLSearchParams {
  return form(common, { scope: scopes.join(' ') }, {})
}

/** Resource owner password credentials; discouraged, for where nothing else works. */
export function buildPasswordBody(common: CommonTokenFields, params: { username: string; password: string; scopes: readonly string[] }, auth: ClientAuthFields): URLSearchParams {
  return form(common, { grant_type: 'password', username: params.username, password: params.password, scope: params.scopes.join(' '), client_info: '1' }, auth)
}

/** On-behalf-of: a JWT bearer grant carrying the incoming user token. */
export function buildOnBehalfOfBody(common: CommonTokenFields, params: { assertion: string; scopes: readonly string[] }, auth: ClientAuthFields): URLSearchParams {
  return form(
    common,
    {
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: params.assertion,
      requested_token_use: 'on_behalf_of',
      scope: params.scopes.join(' '),
      client_info: '1',
    },
    auth,
  )
}
