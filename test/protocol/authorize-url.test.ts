import { describe, expect, it } from 'vitest'
import { ClientAuthError, InteractionRequiredAuthError, ServerError } from '../../src/index.js'
import { buildAuthorizeUrl, parseAuthorizeRedirect } from '../../src/protocol/authorize-url.js'

const AUTHORIZE = 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize'

describe('buildAuthorizeUrl', () => {
  it('has every required parameter and the OIDC scopes', () => {
    const url = buildAuthorizeUrl(AUTHORIZE, { clientId: 'cid', redirectUri: 'http://localhost:3000', scopes: ['User.Read', 'openid'] })
    expect(url.origin + url.pathname).toBe(AUTHORIZE)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'cid',
      scope: 'User.Read openid profile offline_access',
      redirect_uri: 'http://localhost:3000',
      response_type: 'code',
      response_mode: 'query',
      client_info: '1',
    })
  })

  it('carries the optional parameters, and extras never override ours', () => {
    const url = buildAuthorizeUrl(AUTHORIZE, {
      clientId: 'cid',
      redirectUri: 'http://localhost',
      scopes: [],
      state: 's',
      nonce: 'n',
      prompt: 'select_account',
      loginHint: 'a@b.c',
      domainHint: 'contoso.com',
      claims: '{"access_token":{"xms_cc":{"values":["CP1"]}}}',
      codeChallenge: 'ch',
      responseMode: 'form_post',
      extraQueryParameters: { dc: 'ESTS-PUB', client_id: 'evil' },
    })
    const q = Object.fromEntries(url.searchParams)
    expect(q).toMatchObject({ scope: 'openid profile offline_access', state: 's', nonce: 'n', prompt: 'select_account', login_hint: 'a@b.c', domain_hint: 'contoso.com', code_challenge: 'ch', code_challenge_method: 'S256', response_mode: 'form_post', dc: 'ESTS-PUB', client_id: 'cid' })
    expect(JSON.parse(q.claims!)).toEqual({ access_token: { xms_cc: { values: ['CP1'] } } })
  })
})

describe('parseAuthorizeRedirect', () => {
  it('returns the code when the state matches', () => {
    expect(parseAuthorizeRedirect(new URLSearchParams('code=abc&state=s1&client_info=ci'), 's1')).toMatchObject({ code: 'abc', state: 's1', clientInfo: 'ci' })
  })

  it('refuses a wrong or missing state before believing anything else', () => {
    for (const query of ['code=abc&state=other', 'code=abc', 'error=access_denied&state=other']) {
      const error = catchError(() => parseAuthorizeRedirect(new URLSearchParams(query), 's1'))
      expect(error).toBeInstanceOf(ClientAuthError)
      expect(error.errorCode).toBe('state_mismatch')
      expect(String(error)).not.toContain('abc')
    }
  })

  it('turns error= into typed errors: cancel, and interaction required', () => {
    const cancel = catchError(() => parseAuthorizeRedirect(new URLSearchParams('error=access_denied&error_subcode=cancel&state=s'), 's'))
    expect(cancel).toBeInstanceOf(ServerError)
    expect(cancel).toMatchObject({ errorCode: 'access_denied', subError: 'cancel' })
    const login = catchError(() => parseAuthorizeRedirect(new URLSearchParams('error=login_required&error_description=AADSTS50058%3A+no+session%0D%0ATrace+ID%3A+x&state=s'), 's'))
    expect(login).toBeInstanceOf(InteractionRequiredAuthError)
    expect(login).toMatchObject({ errorCode: 'login_required', errorCodes: [50058], errorMessage: 'AADSTS50058: no session' })
  })

  it('neither code nor error is an invalid response', () => {
    expect(catchError(() => parseAuthorizeRedirect(new URLSearchParams('foo=bar'), undefined)).errorCode).toBe('invalid_response')
  })
})

function catchError(fn: () => unknown): ClientAuthError {
  try {
    fn()
  } catch (error) {
    return error as ClientAuthError
  }
  throw new Error('expected a throw')
}
