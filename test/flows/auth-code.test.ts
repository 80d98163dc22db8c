import { createHash } from 'node:crypto'
import { HttpResponse, http } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import { ClientAuthError, ClientConfigurationError, InteractionRequiredAuthError, PublicClientApplication, cryptoProvider } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, HOST, TENANT } from '../msw/entra.js'
import { FakeEntra, HOME_ACCOUNT_ID, USER, formOf, signIdToken } from './fake-entra.js'

const REDIRECT = 'http://localhost:3874/callback'

function pca(authority?: string): PublicClientApplication {
  return new PublicClientApplication({ auth: { clientId: CLIENT_ID, ...(authority ? { authority } : {}) } })
}

async function signIn(entra: FakeEntra, app: PublicClientApplication, extra: { nonce?: string; state?: string } = {}) {
  const { verifier, challenge } = await cryptoProvider.generatePkceCodes()
  const url = await app.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT, codeChallenge: challenge, codeChallengeMethod: 'S256', ...extra })
  const code = new URL(entra.authorize(url)).searchParams.get('code')!
  return { url, code, verifier }
}

describe('getAuthCodeUrl', () => {
  it('builds the /authorize URL with client_id, response_type=code, the OIDC scopes, client_info=1 and PKCE', async () => {
    const url = new URL(
      await pca().getAuthCodeUrl({
        scopes: ['User.Read', 'Mail.Read'],
        redirectUri: REDIRECT,
        codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        codeChallengeMethod: 'S256',
        state: 'st',
        nonce: 'nn',
        prompt: 'select_account',
        loginHint: 'adele@contoso.example',
        domainHint: 'organizations',
        extraQueryParameters: { dc: 'ESTS-PUB-WUS2-AZ1-FD000-TEST1' },
      }),
    )
    expect(`${url.origin}${url.pathname}`).toBe(`${HOST}/common/oauth2/v2.0/authorize`)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: CLIENT_ID,
      scope: 'User.Read Mail.Read openid profile offline_access',
      redirect_uri: REDIRECT,
      response_type: 'code',
      response_mode: 'query',
      client_info: '1',
      state: 'st',
      nonce: 'nn',
      prompt: 'select_account',
      login_hint: 'adele@contoso.example',
      domain_hint: 'organizations',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
      dc: 'ESTS-PUB-WUS2-AZ1-FD000-TEST1',
    })
  })

  it('uses the tenant of the authority and merges client capabilities into claims; sends nothing', async () => {
    const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID, authority: `${HOST}/${TENANT}`, clientCapabilities: ['CP1'] } })
    const url = new URL(await app.getAuthCodeUrl({ scopes: [], redirectUri: REDIRECT }))
    expect(url.pathname).toBe(`/${TENANT}/oauth2/v2.0/authorize`)
    expect(JSON.parse(url.searchParams.get('claims')!)).toEqual({ access_token: { xms_cc: { values: ['CP1'] } } })
    expect(url.searchParams.get('scope')).toBe('openid profile offline_access')
  })

  it('refuses a missing redirectUri', async () => {
    await expect(pca().getAuthCodeUrl({ scopes: ['User.Read'] } as never)).rejects.toMatchObject({ errorCode: 'invalid_request' })
  })
})

describe('acquireTokenByCode', () => {
  it('POSTs the code with code_verifier and client_info=1, validates the id token, builds the account and caches everything', async () => {
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    const app = pca()
    const { code, verifier } = await signIn(entra, app)
    const result = await app.acquireTokenByCode({ code, codeVerifier: verifier, redirectUri: REDIRECT, scopes: ['User.Read'] })

    expect(entra.requests).toHaveLength(1)
    const req = entra.requests[0]!
    expect(req.url).toBe(`${HOST}/common/oauth2/v2.0/token`)
    expect(await formOf(req)).toEqual({
      client_id: CLIENT_ID,
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
      scope: 'User.Read openid profile offline_access',
      client_info: '1',
    })
    expect(createHash('sha256').update(verifier).digest('base64url')).toHaveLength(43)
    expect(entra.jwksFetches).toBe(1)

    expect(result.fromCache).toBe(false)
    expect(result.scopes).toEqual(['User.Read', 'openid', 'profile', 'email'])
    expect(result.tenantId).toBe(TENANT)
    expect(result.uniqueId).toBe(USER.oid)
    expect(result.idTokenClaims).toMatchObject({ oid: USER.oid, preferred_username: USER.preferred_username })
    expect(result.account).toMatchObject({
      homeAccountId: HOME_ACCOUNT_ID,
      localAccountId: USER.oid,
      username: USER.preferred_username,
      tenantId: TENANT,
      environment: 'login.windows.net',
      name: USER.name,
    })
    expect(result.account!.idTokenClaims).toMatchObject({ tid: TENANT })

    const cache = app.getTokenCache()
    const store = cache.store
    expect([...store.accessTokens()]).toHaveLength(1)
    expect([...store.refreshTokens()].map((r) => r.homeAccountId)).toEqual([HOME_ACCOUNT_ID])
    expect([...store.idTokens()]).toHaveLength(1)
    expect(store.findAppMetadata(CLIENT_ID, 'login.microsoftonline.com')).toMatchObject({ clientId: CLIENT_ID })
    const accounts = await cache.getAllAccounts()
    expect(accounts).toHaveLength(1)
    expect(accounts[0]).toMatchObject({ homeAccountId: HOME_ACCOUNT_ID, username: USER.preferred_username })
    expect(await app.getAllAccounts()).toEqual(accounts)
  })

  it('checks state against the redirect payload and nonce against the id token', async () => {
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    const app = pca()
    const a = await signIn(entra, app, { state: 's-1' })
    const stateError = await app.acquireTokenByCode({ code: a.code, codeVerifier: a.verifier, redirectUri: REDIRECT, state: 's-1' }, { code: a.code, state: 's-2' }).catch((e: unknown) => e)
    expect(stateError).toBeInstanceOf(ClientAuthError)
    expect(stateError).toMatchObject({ errorCode: 'state_mismatch' })
    expect(entra.requests).toHaveLength(0)

    const b = await signIn(entra, app, { nonce: 'nonce-1' })
    const ok = await app.acquireTokenByCode({ code: b.code, codeVerifier: b.verifier, redirectUri: REDIRECT }, { code: b.code, nonce: 'nonce-1' })
    expect(ok.idTokenClaims.nonce).toBe('nonce-1')

    const c = await signIn(entra, app, { nonce: 'nonce-2' })
    const nonceError = await app.acquireTokenByCode({ code: c.code, codeVerifier: c.verifier, redirectUri: REDIRECT, nonce: 'nonce-other' }).catch((e: unknown) => e)
    expect(nonceError).toMatchObject({ errorCode: 'nonce_mismatch' })
  })

  it.each([
    ['a bad signature', { key: 'other' as const }, {}, /signature/],
    ['a wrong aud', {}, { aud: 'someone-else' }, /audience/],
    ['a wrong iss', {}, { iss: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0' }, /issuer/],
    ['an expired id token', { now: Math.floor(Date.now() / 1000) - 7200 }, {}, /expired/],
  ])('refuses %s and caches nothing', async (_label, idTokenOptions, idTokenClaims, message) => {
    const entra = new FakeEntra({ idTokenOptions, idTokenClaims })
    server.use(...entra.handlers())
    const app = pca()
    const { code, verifier } = await signIn(entra, app)
    const error = await app.acquireTokenByCode({ code, codeVerifier: verifier, redirectUri: REDIRECT }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientAuthError)
    expect(error).toMatchObject({ errorCode: 'invalid_id_token' })
    expect((error as Error).message).toMatch(message)
    expect(app.getTokenCache().accessTokenCount).toBe(0)
    expect(await app.getAllAccounts()).toEqual([])
  })

  it('an unknown kid refetches the JWKS once (keys rolled), rate-limited to one fetch per cooldown', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const entra = new FakeEntra()
      server.use(...entra.handlers())
      const app = pca()
      const ok = await signIn(entra, app)
      await app.acquireTokenByCode({ code: ok.code, codeVerifier: ok.verifier, redirectUri: REDIRECT })
      expect(entra.jwksFetches).toBe(1)
      vi.setSystemTime(Date.now() + 31_000)
      entra.options.idTokenOptions = { kid: 'rolled-key' }
      const first = await signIn(entra, app)
      await expect(app.acquireTokenByCode({ code: first.code, codeVerifier: first.verifier, redirectUri: REDIRECT })).rejects.toMatchObject({ errorCode: 'invalid_id_token' })
      expect(entra.jwksFetches).toBe(2)
      const second = await signIn(entra, app)
      await expect(app.acquireTokenByCode({ code: second.code, codeVerifier: second.verifier, redirectUri: REDIRECT })).rejects.toMatchObject({ errorCode: 'invalid_id_token' })
      expect(entra.jwksFetches).toBe(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('concurrent code redemptions share one JWKS fetch', async () => {
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    const app = pca()
    const grants = await Promise.all([signIn(entra, app), signIn(entra, app), signIn(entra, app)])
    await Promise.all(grants.map((g) => app.acquireTokenByCode({ code: g.code, codeVerifier: g.verifier, redirectUri: REDIRECT })))
    expect(entra.jwksFetches).toBe(1)
  })

  it('a wrong verifier or a reused code is invalid_grant: InteractionRequiredAuthError with the AADSTS code', async () => {
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    const app = pca()
    const a = await signIn(entra, app)
    const wrong = await app.acquireTokenByCode({ code: a.code, codeVerifier: 'x'.repeat(43), redirectUri: REDIRECT }).catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(InteractionRequiredAuthError)
    expect(wrong).toMatchObject({ errorCode: 'invalid_grant', errorCodes: [501481] })
    const reused = await app.acquireTokenByCode({ code: a.code, codeVerifier: a.verifier, redirectUri: REDIRECT }).catch((e: unknown) => e)
    expect(reused).toMatchObject({ errorCode: 'invalid_grant', errorCodes: [54005] })
  })

  it('a missing code (what the seed snippet passes) is refused before anything is sent', async () => {
    const seen: Request[] = []
    server.use(http.all('*', ({ request }) => void seen.push(request)))
    const error = await pca().acquireTokenByCode({ code: undefined as never, codeVerifier: 'v'.repeat(43), redirectUri: REDIRECT, scopes: ['User.Read'] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientConfigurationError)
    expect(error).toMatchObject({ errorCode: 'invalid_request' })
    expect((error as Error).message).toMatch(/getAuthCodeUrl returns the URL/)
    expect(seen).toHaveLength(0)
  })

  it('a response without an id token still caches the access token, but not an account', async () => {
    server.use(
      http.post(`${HOST}/common/oauth2/v2.0/token`, () => HttpResponse.json({ token_type: 'Bearer', expires_in: 3599, access_token: 'at-no-id', scope: 'User.Read' })),
    )
    const result = await pca().acquireTokenByCode({ code: 'c', redirectUri: REDIRECT })
    expect(result.accessToken).toBe('at-no-id')
    expect(result.account).toBeNull()
  })

  it('a tenant authority checks iss exactly', async () => {
    const entra = new FakeEntra({ tenant: TENANT })
    server.use(...entra.handlers())
    const app = pca(`${HOST}/${TENANT}`)
    const { code, verifier } = await signIn(entra, app)
    const result = await app.acquireTokenByCode({ code, codeVerifier: verifier, redirectUri: REDIRECT })
    expect(result.account?.tenantId).toBe(TENANT)
    expect(await signIdToken()).toBeTruthy()
  })
})
