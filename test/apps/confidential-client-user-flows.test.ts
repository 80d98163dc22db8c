import { describe, expect, it } from 'vitest'
import { ConfidentialClientApplication, InteractionRequiredAuthError } from '../../src/index.js'
import { hashUserAssertion } from '../../src/protocol/user-assertion.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, HOST, SECRET, TENANT, aadstsError, tokenEndpoint } from '../msw/entra.js'
import { FakeEntra, HOME_ACCOUNT_ID, formOf } from '../flows/fake-entra.js'

const AUTHORITY = `${HOST}/${TENANT}`
const INCOMING = 'eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJhcGk6Ly9taWRkbGUtdGllciJ9.incoming-user-token-signature'

function cca(): ConfidentialClientApplication {
  return new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientSecret: SECRET } })
}

describe('ConfidentialClientApplication user flows', () => {
  it('web app: getAuthCodeUrl + acquireTokenByCode authenticate the client with its secret; silent works after', async () => {
    const entra = new FakeEntra({ tenant: TENANT })
    server.use(...entra.handlers())
    const app = cca()
    const url = await app.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: 'https://app.example/redirect', state: 's' })
    expect(new URL(url).pathname).toBe(`/${TENANT}/oauth2/v2.0/authorize`)
    const code = new URL(entra.authorize(url)).searchParams.get('code')!
    const result = await app.acquireTokenByCode({ code, redirectUri: 'https://app.example/redirect', scopes: ['User.Read'], state: 's' }, { code, state: 's' })
    expect(await formOf(entra.requests[0]!)).toMatchObject({ grant_type: 'authorization_code', client_secret: SECRET, client_id: CLIENT_ID, client_info: '1' })
    expect(result.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
    const [account] = await app.getAllAccounts()
    expect((await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })).fromCache).toBe(true)
    const refreshed = await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'], forceRefresh: true })
    expect(refreshed.fromCache).toBe(false)
    expect(await formOf(entra.requests[1]!)).toMatchObject({ grant_type: 'refresh_token', client_secret: SECRET })
  })

  it('on-behalf-of: jwt-bearer grant, cached under the SHA-256 of the incoming assertion', async () => {
    const entra = new FakeEntra({ tenant: TENANT })
    server.use(...entra.handlers())
    const app = cca()
    const first = await app.acquireTokenOnBehalfOf({ oboAssertion: INCOMING, scopes: ['https://graph.microsoft.com/User.Read'] })
    expect(await formOf(entra.requests[0]!)).toEqual({
      client_id: CLIENT_ID,
      client_secret: SECRET,
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion: INCOMING,
      requested_token_use: 'on_behalf_of',
      scope: 'https://graph.microsoft.com/User.Read openid profile offline_access',
      client_info: '1',
    })
    expect(first?.fromCache).toBe(false)
    const [at] = [...app.getTokenCache().store.accessTokens()]
    expect(at?.userAssertionHash).toBe(hashUserAssertion(INCOMING))
    expect(JSON.stringify([...app.getTokenCache().store.accessTokens()])).not.toContain(INCOMING)

    const again = await app.acquireTokenOnBehalfOf({ oboAssertion: INCOMING, scopes: ['https://graph.microsoft.com/User.Read'] })
    expect(again?.fromCache).toBe(true)
    expect(again?.accessToken).toBe(first?.accessToken)
    expect(entra.requests).toHaveLength(1)

    // Another user's token never matches the first user's cached token.
    const other = await app.acquireTokenOnBehalfOf({ oboAssertion: `${INCOMING}-other-user`, scopes: ['https://graph.microsoft.com/User.Read'] })
    expect(other?.fromCache).toBe(false)
    expect(entra.requests).toHaveLength(2)
    expect((await app.acquireTokenOnBehalfOf({ oboAssertion: INCOMING, scopes: ['https://graph.microsoft.com/User.Read'], skipCache: true }))?.fromCache).toBe(false)
  })

  it('on-behalf-of MFA/consent is InteractionRequiredAuthError carrying the claims challenge', async () => {
    server.use(tokenEndpoint(() => aadstsError('interaction_required', 50076, 400, { claims: '{"access_token":{"capolids":{"essential":true,"values":["x"]}}}' })))
    const error = await cca()
      .acquireTokenOnBehalfOf({ oboAssertion: INCOMING, scopes: ['https://graph.microsoft.com/User.Read'] })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InteractionRequiredAuthError)
    expect(error).toMatchObject({ errorCode: 'interaction_required', errorCodes: [50076], claims: expect.stringContaining('capolids') })
  })

  it('acquireTokenByClientCredential still works unchanged next to the user flows', async () => {
    server.use(tokenEndpoint())
    expect((await cca().acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] }))?.account).toBeNull()
  })
})
