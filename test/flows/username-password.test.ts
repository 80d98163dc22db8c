import { describe, expect, it } from 'vitest'
import { ClientConfigurationError, PublicClientApplication, ServerError } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, recordRequests } from '../msw/entra.js'
import { FakeEntra, HOME_ACCOUNT_ID, PASSWORD, USER, formOf } from './fake-entra.js'

describe('acquireTokenByUsernamePassword (ROPC, discouraged)', () => {
  it('POSTs grant_type=password with client_info=1 and caches the account', async () => {
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
    const result = await app.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: USER.preferred_username, password: PASSWORD })
    expect(await formOf(entra.requests[0]!)).toEqual({
      client_id: CLIENT_ID,
      grant_type: 'password',
      username: USER.preferred_username,
      password: PASSWORD,
      scope: 'User.Read openid profile offline_access',
      client_info: '1',
    })
    expect(result?.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
    expect(await app.getAllAccounts()).toHaveLength(1)
  })

  it('a wrong password is a ServerError (AADSTS50126) whose text never holds the password', async () => {
    const entra = new FakeEntra()
    server.use(...entra.handlers())
    const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
    const wrong = `${PASSWORD}-wrong`
    const error = await app.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: USER.preferred_username, password: wrong }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServerError)
    expect(error).toMatchObject({ errorCode: 'invalid_grant', errorCodes: [50126] })
    expect(`${String(error)} ${JSON.stringify(error)} ${(error as Error).stack}`).not.toContain(wrong)
  })

  it('a missing username or password is refused before anything is sent', async () => {
    const seen = recordRequests()
    server.use(seen.handler)
    const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
    await expect(app.acquireTokenByUsernamePassword({ scopes: [], username: '', password: 'x' })).rejects.toBeInstanceOf(ClientConfigurationError)
    await expect(app.acquireTokenByUsernamePassword({ scopes: [], username: 'u', password: '' })).rejects.toMatchObject({ errorCode: 'invalid_request' })
    expect(seen.requests).toHaveLength(0)
  })
})
