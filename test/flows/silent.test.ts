import { HttpResponse, http } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ClientAuthError, InteractionRequiredAuthError, PublicClientApplication, ServerError, cryptoProvider, type AccountInfo } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, HOST, aadstsError, recordRequests, tokenEndpoint } from '../msw/entra.js'
import { FakeEntra, HOME_ACCOUNT_ID, USER, clientInfoOf, formOf, signIdToken } from './fake-entra.js'

const REDIRECT = 'http://localhost'

afterEach(() => {
  vi.useRealTimers()
})

async function signedIn(options: ConstructorParameters<typeof FakeEntra>[0] = {}): Promise<{ entra: FakeEntra; app: PublicClientApplication; account: AccountInfo; accessToken: string }> {
  const entra = new FakeEntra(options)
  server.use(...entra.handlers())
  const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
  const { verifier, challenge } = await cryptoProvider.generatePkceCodes()
  const url = await app.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT, codeChallenge: challenge })
  const code = new URL(entra.authorize(url)).searchParams.get('code')!
  const result = await app.acquireTokenByCode({ code, codeVerifier: verifier, redirectUri: REDIRECT, scopes: ['User.Read'] })
  entra.requests.length = 0
  const [account] = await app.getAllAccounts()
  return { entra, app, account: account!, accessToken: result.accessToken }
}

describe('acquireTokenSilent', () => {
  it('a cached access token covering the scopes is returned and nothing is sent', async () => {
    const { app, account, accessToken } = await signedIn()
    const seen = recordRequests()
    server.use(seen.handler)
    for (const scopes of [['User.Read'], ['user.read', 'openid'], [''], []]) {
      const result = await app.acquireTokenSilent({ account, scopes })
      expect(result.fromCache).toBe(true)
      expect(result.accessToken).toBe(accessToken)
      expect(result.account).toMatchObject({ homeAccountId: HOME_ACCOUNT_ID, username: USER.preferred_username })
      expect(result.idTokenClaims).toMatchObject({ oid: USER.oid })
      expect(result.idToken).toMatch(/^ey/)
    }
    expect(seen.requests).toHaveLength(0)
  })

  it('after expiry (fake clock) the refresh token is redeemed, the cache updated and the old refresh token replaced', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { entra, app, account, accessToken } = await signedIn()
    const [oldRt] = [...app.getTokenCache().store.refreshTokens()]
    // Inside the five-minute margin counts as expired.
    vi.setSystemTime(Date.now() + (3599 - 200) * 1000)
    const result = await app.acquireTokenSilent({ account, scopes: ['User.Read'] })
    expect(result.fromCache).toBe(false)
    expect(result.accessToken).not.toBe(accessToken)
    expect(entra.requests).toHaveLength(1)
    expect(await formOf(entra.requests[0]!)).toEqual({
      client_id: CLIENT_ID,
      grant_type: 'refresh_token',
      refresh_token: oldRt!.secret,
      scope: 'User.Read openid profile offline_access',
      client_info: '1',
    })
    const rts = [...app.getTokenCache().store.refreshTokens()]
    expect(rts).toHaveLength(1)
    expect(rts[0]!.secret).not.toBe(oldRt!.secret)
    expect([...app.getTokenCache().store.accessTokens()].map((t) => t.secret)).toEqual([result.accessToken])
    // And the next call is a cache hit again.
    expect((await app.acquireTokenSilent({ account, scopes: ['User.Read'] })).fromCache).toBe(true)
    expect(entra.requests).toHaveLength(1)
  })

  it('forceRefresh and claims bypass the access token cache; claims go on the wire', async () => {
    const { entra, app, account } = await signedIn()
    expect((await app.acquireTokenSilent({ account, scopes: ['User.Read'], forceRefresh: true })).fromCache).toBe(false)
    const claims = '{"access_token":{"acrs":{"essential":true,"value":"c1"}}}'
    expect((await app.acquireTokenSilent({ account, scopes: ['User.Read'], claims })).fromCache).toBe(false)
    expect(entra.requests).toHaveLength(2)
    expect((await formOf(entra.requests[1]!)).claims).toBe(claims)
  })

  it('another scope not in the cached token goes to the server for it', async () => {
    const { entra, app, account } = await signedIn()
    const result = await app.acquireTokenSilent({ account, scopes: ['Mail.Read'] })
    expect(result.fromCache).toBe(false)
    expect(result.scopes).toContain('Mail.Read')
    expect((await formOf(entra.requests[0]!)).scope).toBe('Mail.Read openid profile offline_access')
  })

  it.each([
    ['invalid_grant', 70008, 'bad_token'],
    ['interaction_required', 50076, undefined],
    ['consent_required', 65001, 'consent_required'],
    ['login_required', 50058, undefined],
    ['invalid_grant', 700082, undefined],
  ])('%s (AADSTS%i) → InteractionRequiredAuthError with errorCode, subError and the AADSTS code', async (error, code, suberror) => {
    const { app, account } = await signedIn()
    server.use(tokenEndpoint(() => aadstsError(error, code, 400, suberror ? { suberror } : {}), 'common'))
    const thrown = await app.acquireTokenSilent({ account, scopes: ['User.Read'], forceRefresh: true }).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(InteractionRequiredAuthError)
    expect(thrown).toMatchObject({ errorCode: error, subError: suberror ?? '', errorCodes: [code], correlationId: 'aaaa0000-bb11-2222-33cc-444444dddddd' })
    expect((thrown as Error).message).toContain(`AADSTS${code}`)
  })

  it('no refresh token at all → InteractionRequiredAuthError no_tokens_found, nothing sent', async () => {
    const { app, account } = await signedIn()
    for (const rt of [...app.getTokenCache().store.refreshTokens()]) app.getTokenCache().store.removeRefreshToken(rt)
    const seen = recordRequests()
    server.use(seen.handler)
    const thrown = await app.acquireTokenSilent({ account, scopes: ['Mail.Read'] }).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(InteractionRequiredAuthError)
    expect(thrown).toMatchObject({ errorCode: 'no_tokens_found' })
    expect(seen.requests).toHaveLength(0)
  })

  it('no account → ClientAuthError no_account; other server errors stay ServerError', async () => {
    const { app, account } = await signedIn()
    await expect(app.acquireTokenSilent({ scopes: ['User.Read'] } as never)).rejects.toMatchObject({ errorCode: 'no_account' })
    expect(await app.acquireTokenSilent({ scopes: [] } as never).catch((e: unknown) => e)).toBeInstanceOf(ClientAuthError)
    server.use(tokenEndpoint(() => aadstsError('invalid_client', 7000215, 401), 'common'))
    const thrown = await app.acquireTokenSilent({ account, scopes: ['User.Read'], forceRefresh: true }).catch((e: unknown) => e)
    expect(thrown).toBeInstanceOf(ServerError)
    expect(thrown).not.toBeInstanceOf(InteractionRequiredAuthError)
  })

  it('concurrent identical silent calls share one request; different inputs do not', async () => {
    const { entra, app, account } = await signedIn()
    server.use(
      http.post(`${HOST}/common/oauth2/v2.0/token`, async () => {
        await new Promise((resolve) => setTimeout(resolve, 20))
        return undefined
      }),
    )
    const same = await Promise.all(Array.from({ length: 20 }, () => app.acquireTokenSilent({ account, scopes: ['Mail.Read'], forceRefresh: true })))
    expect(entra.requests).toHaveLength(1)
    expect(new Set(same.map((r) => r.accessToken)).size).toBe(1)
    // Each caller gets its own object.
    expect(same[0]).not.toBe(same[1])
    entra.requests.length = 0
    await Promise.all([
      app.acquireTokenSilent({ account, scopes: ['Mail.Read'], forceRefresh: true }),
      app.acquireTokenSilent({ account, scopes: ['Files.Read'], forceRefresh: true }),
      app.acquireTokenSilent({ account, scopes: ['Mail.Read'], forceRefresh: true, claims: '{"access_token":{}}' }),
      app.acquireTokenSilent({ account, scopes: ['Mail.Read'], forceRefresh: true, tokenQueryParameters: { dc: 'x' } }),
    ])
    expect(entra.requests).toHaveLength(4)
  })

  it('past refresh_in the cached token is returned and a fresh one fetched in the background', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { entra, app, account, accessToken } = await signedIn({ refreshIn: 1800 })
    vi.setSystemTime(Date.now() + 1801 * 1000)
    const result = await app.acquireTokenSilent({ account, scopes: ['User.Read'] })
    expect(result.fromCache).toBe(true)
    expect(result.accessToken).toBe(accessToken)
    await vi.waitFor(() => expect([...app.getTokenCache().store.accessTokens()].map((t) => t.secret)).not.toContain(accessToken), { timeout: 5000, interval: 5 })
    expect(entra.requests).toHaveLength(1)
  })
})

describe('family refresh tokens (FOCI)', () => {
  it('a foci response stores a family refresh token and app metadata with family 1, and silent redeems it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { entra, app, account } = await signedIn({ foci: true })
    const [rt] = [...app.getTokenCache().store.refreshTokens()]
    expect(rt).toMatchObject({ familyId: '1', homeAccountId: HOME_ACCOUNT_ID })
    expect(app.getTokenCache().store.findAppMetadata(CLIENT_ID, 'login.windows.net')).toMatchObject({ familyId: '1' })
    vi.setSystemTime(Date.now() + 3600 * 1000)
    const result = await app.acquireTokenSilent({ account, scopes: ['User.Read'] })
    expect(result.familyId).toBe('1')
    expect((await formOf(entra.requests[0]!)).refresh_token).toBe(rt!.secret)
  })

  it("a family refresh token written by another app of the family signs this app in silently", async () => {
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
    const store = app.getTokenCache().store
    const familySecret = 'rt-from-another-family-app-secret'
    entra.refreshTokens.add(familySecret)
    store.setRefreshToken({ homeAccountId: HOME_ACCOUNT_ID, environment: 'login.windows.net', clientId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', secret: familySecret, familyId: '1' })
    store.setAccount({ homeAccountId: HOME_ACCOUNT_ID, environment: 'login.windows.net', realm: USER.tid, localAccountId: USER.oid, username: USER.preferred_username, authorityType: 'MSSTS', clientInfo: clientInfoOf() })
    const [account] = await app.getAllAccounts()
    const result = await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })
    expect(result.fromCache).toBe(false)
    expect(await formOf(entra.requests[0]!)).toMatchObject({ client_id: CLIENT_ID, refresh_token: familySecret, grant_type: 'refresh_token' })
    expect(result.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
  })

  it('a refused family token falls back to the app refresh token', async () => {
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
    const store = app.getTokenCache().store
    const appSecret = 'rt-of-this-app-secret'
    entra.refreshTokens.add(appSecret)
    store.setRefreshToken({ homeAccountId: HOME_ACCOUNT_ID, environment: 'login.windows.net', clientId: CLIENT_ID, secret: appSecret })
    store.setRefreshToken({ homeAccountId: HOME_ACCOUNT_ID, environment: 'login.windows.net', clientId: 'other', secret: 'revoked-family-rt-secret', familyId: '1' })
    store.setAppMetadata({ clientId: CLIENT_ID, environment: 'login.windows.net', familyId: '1' })
    store.setAccount({ homeAccountId: HOME_ACCOUNT_ID, environment: 'login.windows.net', realm: USER.tid, localAccountId: USER.oid, username: USER.preferred_username, authorityType: 'MSSTS' })
    const [account] = await app.getAllAccounts()
    const result = await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })
    expect(result.fromCache).toBe(false)
    expect((await Promise.all(entra.requests.map(formOf))).map((f) => f.refresh_token)).toEqual(['revoked-family-rt-secret', appSecret])
  })
})

describe('acquireTokenByRefreshToken', () => {
  it('redeems a migrated refresh token and caches the result, so silent works afterwards', async () => {
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    entra.refreshTokens.add('adal-migrated-rt-secret')
    const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
    const result = await app.acquireTokenByRefreshToken({ refreshToken: 'adal-migrated-rt-secret', scopes: ['User.Read'] })
    expect(result?.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
    expect(await formOf(entra.requests[0]!)).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'adal-migrated-rt-secret', scope: 'User.Read openid profile offline_access' })
    const [account] = await app.getAllAccounts()
    expect((await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })).fromCache).toBe(true)
    await expect(app.acquireTokenByRefreshToken({ refreshToken: '', scopes: [] })).rejects.toMatchObject({ errorCode: 'invalid_request' })
  })

  it('a refresh response without an id token keeps the known account', async () => {
    const { app, account } = await signedIn()
    server.use(tokenEndpoint(() => HttpResponse.json({ token_type: 'Bearer', expires_in: 3599, access_token: 'at-2', scope: 'Mail.Read', refresh_token: 'rt-2-secret' }), 'common'))
    const result = await app.acquireTokenSilent({ account, scopes: ['Mail.Read'] })
    expect(result.account).toMatchObject({ homeAccountId: HOME_ACCOUNT_ID, username: USER.preferred_username })
    expect(result.idToken).toMatch(/^ey/)
    expect(await signIdToken()).toBeTruthy()
  })
})
