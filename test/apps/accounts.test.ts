import { describe, expect, it } from 'vitest'
import { PublicClientApplication, cryptoProvider } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, TENANT, recordRequests } from '../msw/entra.js'
import { FakeEntra, HOME_ACCOUNT_ID, PASSWORD, USER } from '../flows/fake-entra.js'

async function twoUsers() {
  const entra = new FakeEntra()
  server.use(...entra.handlers())
  const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
  await app.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: USER.preferred_username, password: PASSWORD })
  // A second user, signed in through the code flow with different claims and client_info.
  const other = { oid: '11111111-0000-0000-0000-000000000002', preferred_username: 'megan@contoso.example', name: 'Megan Bowen' }
  const store = app.getTokenCache().store
  store.setAccount({ homeAccountId: `${other.oid}.${TENANT}`, environment: 'login.windows.net', realm: TENANT, localAccountId: other.oid, username: other.preferred_username, authorityType: 'MSSTS', name: other.name })
  store.setRefreshToken({ homeAccountId: `${other.oid}.${TENANT}`, environment: 'login.windows.net', clientId: CLIENT_ID, secret: 'megan-rt-secret' })
  return { app, other }
}

describe('accounts', () => {
  it('getAllAccounts on the cache and the app, getAccountByHomeId, getAccountByLocalId', async () => {
    const { app, other } = await twoUsers()
    const cache = app.getTokenCache()
    const all = await cache.getAllAccounts()
    expect(all.map((a) => a.username).sort()).toEqual([other.preferred_username, USER.preferred_username].sort())
    expect(await app.getAllAccounts()).toEqual(all)
    const adele = await cache.getAccountByHomeId(HOME_ACCOUNT_ID)
    expect(adele).toMatchObject({ homeAccountId: HOME_ACCOUNT_ID, localAccountId: USER.oid, tenantId: TENANT, environment: 'login.windows.net', name: USER.name })
    expect(adele?.idTokenClaims).toMatchObject({ preferred_username: USER.preferred_username })
    expect(adele?.tenantProfiles?.get(TENANT)).toMatchObject({ isHomeTenant: true, localAccountId: USER.oid })
    expect(await cache.getAccountByLocalId(other.oid)).toMatchObject({ username: other.preferred_username })
    expect(await cache.getAccountByLocalId(other.oid.toUpperCase())).toMatchObject({ username: other.preferred_username })
    expect(await cache.getAccountByHomeId('nobody.nowhere')).toBeNull()
    expect(await cache.getAccountByLocalId('')).toBeNull()
  })

  it('removeAccount removes the account and its tokens, and silent then needs interaction', async () => {
    const { app, other } = await twoUsers()
    const cache = app.getTokenCache()
    const adele = (await cache.getAccountByHomeId(HOME_ACCOUNT_ID))!
    await cache.removeAccount(adele)
    expect((await cache.getAllAccounts()).map((a) => a.username)).toEqual([other.preferred_username])
    expect(await cache.getAccountByLocalId(USER.oid)).toBeNull()
    expect(await cache.getAccountByHomeId(HOME_ACCOUNT_ID)).toBeNull()
    expect(await cache.getAccountByLocalId(other.oid)).toMatchObject({ username: other.preferred_username })
    expect([...cache.store.accessTokens()]).toHaveLength(0)
    expect([...cache.store.refreshTokens()].map((r) => r.secret)).toEqual(['megan-rt-secret'])
    expect([...cache.store.idTokens()]).toHaveLength(0)
    const seen = recordRequests()
    server.use(seen.handler)
    await expect(app.acquireTokenSilent({ account: adele, scopes: ['User.Read'] })).rejects.toMatchObject({ errorCode: 'no_tokens_found' })
    expect(seen.requests).toHaveLength(0)
  })

  it('the cache plugin sees every account access, with cacheHasChanged only for removals', async () => {
    const events: string[] = []
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    const app = new PublicClientApplication({
      auth: { clientId: CLIENT_ID },
      cache: {
        cachePlugin: {
          beforeCacheAccess: async () => void events.push('before'),
          afterCacheAccess: async (c) => void events.push(`after:${c.cacheHasChanged}`),
        },
      },
    })
    const { verifier, challenge } = await cryptoProvider.generatePkceCodes()
    const code = new URL(entra.authorize(await app.getAuthCodeUrl({ scopes: [], redirectUri: 'http://localhost', codeChallenge: challenge }))).searchParams.get('code')!
    await app.acquireTokenByCode({ code, codeVerifier: verifier, redirectUri: 'http://localhost' })
    events.length = 0
    const [account] = await app.getAllAccounts()
    await app.getTokenCache().removeAccount(account!)
    expect(events).toEqual(['before', 'after:false', 'before', 'after:true'])
  })
})
