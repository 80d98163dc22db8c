/**
 * The authorization request (the URL the user's browser opens) and the redirect that comes back.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.1
 */
import { ClientAuthError, InteractionRequiredAuthError, ServerError, isInteractionRequired } from '../errors.js'
import { withOidcScopes } from './scopes.js'

/** msal-node's `ResponseMode`: `query` is msal-node's default and what a loopback listener reads. */
export type ResponseMode = 'query' | 'fragment' | 'form_post'

/** msal-node's `PromptValue`s. */
export type Prompt = 'login' | 'select_account' | 'consent' | 'none' | 'create' | 'no_session' | (string & {})

export interface AuthorizeUrlParams {
  clientId: string
  /** Ask for Entra's `client_info` (default true); a plain OpenID provider has none. */
  clientInfo?: boolean | undefined
  redirectUri: string
  /** The caller's scopes; `openid profile offline_access` are added. */
  scopes: readonly string[]
  responseMode?: ResponseMode | undefined
  state?: string | undefined
  nonce?: string | undefined
  prompt?: Prompt | undefined
  loginHint?: string | undefined
  domainHint?: string | undefined
  /** A claims request (JSON), already merged with client capabilities. */
  claims?: string | undefined
  codeChallenge?: string | undefined
  codeChallengeMethod?: 'S256' | 'plain' | (string & {}) | undefined
  /** Extra query parameters; they never override the ones above. */
  extraQueryParameters?: Record<string, string> | undefined
}

/**
 * Builds the `/authorize` URL: `client_id`, `response_type=code`, `redirect_uri`, the scopes
 * plus `openid profile offline_access`, `client_info=1`, `response_mode` (default `query`), and
 * whichever optional parameters were given.
 * @example
 * ```ts
 * const url = buildAuthorizeUrl('https://login.microsoftonline.com/common/oauth2/v2.0/authorize', {
 *   clientId, redirectUri: 'http://localhost:3000', scopes: ['User.Read'], codeChallenge: challenge, codeChallengeMethod: 'S256', state,
 * })
 * ```
 */
export function buildAuthorizeUrl(authorizationEndpoint: string, params: AuthorizeUrlParams): URL {
  const url = new URL(authorizationEndpoint)
  const q = url.searchParams
  q.set('client_id', params.clientId)
  q.set('scope', withOidcScopes(params.scopes).join(' '))
  q.set('redirect_uri', params.redirectUri)
  q.set('response_type', 'code')
  q.set('response_mode', params.responseMode ?? 'query')
  if (params.clientInfo !== false) q.set('client_info', '1')
  const optional: [string, string | undefined][] = [
    ['state', params.state],
    ['nonce', params.nonce],
    ['prompt', params.prompt],
    ['login_hint', params.loginHint],
    ['domain_hint', params.domainHint],
    ['claims', params.claims],
    ['code_challenge', params.codeChallenge],
    ['code_challenge_method', params.codeChallenge === undefined ? undefined : (params.codeChallengeMethod ?? 'S256')],
  ]
  for (const [k, v] of optional) if (v !== undefined && v !== '') q.set(k, v)
  for (const [k, v] of Object.entries(params.extraQueryParameters ?? {})) if (!q.has(k)) q.set(k, v)
  return url
}

/** What a successful authorization redirect carries. */
export interface AuthorizeRedirect {
  code: string
  state: string | undefined
  clientInfo: string | undefined
  /** Entra's `cloud_instance_host_name`, when present. */
  cloudInstanceHostName: string | undefined
}

/**
 * Reads the redirect's query: a `code`, or an OAuth error turned into a typed error. `state`
 * is compared when one was sent; a mismatch throws before anything else is believed.
 * @throws ClientAuthError `state_mismatch`; InteractionRequiredAuthError (`login_required`,
 *   `interaction_required`, `consent_required`) or ServerError (`access_denied`, ...) for an
 *   `error=` redirect; ClientAuthError `invalid_response` when neither `code` nor `error` is there.
 */
export function parseAuthorizeRedirect(params: URLSearchParams, expectedState: string | undefined): AuthorizeRedirect {
  const state = params.get('state') ?? undefined
  if (expectedState !== undefined && state !== expectedState) {
    throw new ClientAuthError(
      'state_mismatch',
      `The authorization response's state ${state === undefined ? 'is missing' : 'does not match the one sent'}; it does not belong to this sign-in and was ignored. Start the sign-in again.`,
    )
  }
  const error = params.get('error')
  if (error !== null) {
    const subError = params.get('error_subcode') ?? params.get('suberror') ?? undefined
    const description = firstLine(params.get('error_description')) || `The authorization server answered ${error}.`
    const codes = [...description.matchAll(/AADSTS(\d+)/g)].map((m) => Number(m[1]))
    const details = { subError, errorCodes: codes, endpoint: 'authorization endpoint', traceId: params.get('trace_id') ?? undefined, correlationId: params.get('correlation_id') ?? undefined }
    if (isInteractionRequired(error, subError, { userFlow: true })) return throwError(new InteractionRequiredAuthError(error, description, details))
    return throwError(new ServerError(error, subError === 'cancel' ? `The user cancelled the sign-in (${error}).` : description, details))
  }
  const code = params.get('code')
  if (code === null || code === '') {
    throw new ClientAuthError('invalid_response', 'The authorization response has neither a code nor an error.')
  }
  return { code, state, clientInfo: params.get('client_info') ?? undefined, cloudInstanceHostName: params.get('cloud_instance_host_name') ?? undefined }
}

function throwError(error: Error): never {
  throw error
}

function firstLine(value: string | null): string {
  return value === null ? '' : (value.split(/\r?\n/)[0]?.trim() ?? '')
}
