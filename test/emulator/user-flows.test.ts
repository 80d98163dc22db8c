/**
 * The library's user flows against the emulator over real loopback HTTP: auth code with PKCE
 * (getAuthCodeUrl, the emulator's redirect, acquireTokenByCode), device code, username and
 * password, silent from the cache and with a refresh token, and on-behalf-of; with the errors
 * Entra sends when a refresh token is used up or expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfidentialClientApplication, CryptoProvider, InteractionRequiredAuthError, PublicClientApplication, type ServerError } from '../../src/index.js'
import { DEFAULTS, defaultConfig, startEmulator, type Emulator } from '../../src/emulator/index.js'
import { passLoopbackThrough } from './loopback.js'

const [ADELE, ALEX] = DEFAULTS.users
const REDIRECT = 'http://localhost:8400/'

let emulator: Emulator
/** Access tokens that live 300 s: already inside the library's 5-minute renewal window. */
let shortLived: Emulator
beforeAll(async () => {
  ;[emulator, shortLived] = await Promise.all([
    startEmulator({ autoApprove: true, config: { ...defaultConfig(), deviceCodeInterval: 1 } }),
    startEmulator({ autoApprove: true, config: { ...defaultConfig(), lifetimes: { accessToken: 300, refreshToken: 3600 } } }),
  ])
})
afterAll(async () => {
  await Promise.all([emulator.close(), shortLived.close()])
})
passLoopbackThrough()

function publicApp(e: Emulator = emulator): PublicClientApplication {
  return new PublicClientApplication({ auth: { clientId: DEFAULTS.publicClientId, authority: e.authority() } })
}

async function signInWithPassword(app: PublicClientApplication, user = ADELE!, scopes = ['User.Read']) {
  const result = await app.acquireTokenByUsernamePassword({ scopes, username: user.username, password: user.password })
  expect(result).not.toBeNull()
  return result!
}

describe('authorization code with PKCE', () => {
  it('getAuthCodeUrl → the emulator signs the user in → acquireTokenByCode caches tokens and the account', async () => {
    const app = publicApp()
    const { verifier, challenge } = await new CryptoProvider().generatePkceCodes()
    const url = await app.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT, codeChallenge: challenge, codeChallengeMethod: 'S256', state: 'st-1', loginHint: ALEX!.username })
    expect(url.startsWith(`${emulator.authority()}/oauth2/v2.0/authorize?`)).toBe(true)
    const res = await fetch(url, { redirect: 'manual' })
    const redirect = new URL(res.headers.get('location')!)
    expect(redirect.searchParams.get('state')).toBe('st-1')
    const code = redirect.searchParams.get('code')!
    const result = await app.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri: REDIRECT, codeVerifier: verifier }, { code, state: redirect.searchParams.get('state') ?? undefined })
    expect(result.account?.username).toBe(ALEX!.username)
    expect(result.account?.homeAccountId).toBe(`${ALEX!.id}.${DEFAULTS.tenantId}`)
    expect(result.idTokenClaims.preferred_username).toBe(ALEX!.username)
    expect(await app.getAllAccounts()).toHaveLength(1)

    // The code is single-use: the emulator refuses it the second time, as Entra does.
    const again = await app.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri: REDIRECT, codeVerifier: verifier }).then(
      () => undefined,
      (e: unknown) => e as InteractionRequiredAuthError,
    )
    expect(again).toBeInstanceOf(InteractionRequiredAuthError)
    expect(again?.errorCodes).toEqual([54005])
  })

  it('a wrong verifier is refused (AADSTS501481)', async () => {
    const app = publicApp()
    const crypto = new CryptoProvider()
    const { challenge } = await crypto.generatePkceCodes()
    const { verifier: other } = await crypto.generatePkceCodes()
    const url = await app.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: REDIRECT, codeChallenge: challenge, codeChallengeMethod: 'S256' })
    const code = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code')!
    const err = await app.acquireTokenByCode({ code, scopes: ['User.Read'], redirectUri: REDIRECT, codeVerifier: other }).then(
      () => undefined,
      (e: unknown) => e as ServerError,
    )
    expect(err?.errorCodes).toEqual([501481])
  })
})

describe('device code', () => {
  it('shows the message, polls until the emulator approves, and caches the account', async () => {
    const app = publicApp()
    const messages: string[] = []
    const result = await app.acquireTokenByDeviceCode({ scopes: ['User.Read'], deviceCodeCallback: (r) => messages.push(r.message) })
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain(`${emulator.url}/devicelogin`)
    expect(result?.account?.username).toBe(ADELE!.username)
    const silent = await app.acquireTokenSilent({ account: result!.account!, scopes: ['User.Read'] })
    expect(silent.fromCache).toBe(true)
  })

  it('approved by hand through the emulator handle', async () => {
    const manual = await startEmulator({ config: { ...defaultConfig(), deviceCodeInterval: 1 } })
    try {
      const app = publicApp(manual)
      const result = await app.acquireTokenByDeviceCode({ scopes: ['User.Read'], deviceCodeCallback: (r) => manual.approveDeviceCode(r.userCode, ALEX!.username) })
      expect(result?.account?.username).toBe(ALEX!.username)
    } finally {
      await manual.close()
    }
  })
})

describe('username and password', () => {
  it('signs in; a wrong password is AADSTS50126 and the password never appears in the error', async () => {
    const app = publicApp()
    expect((await signInWithPassword(app)).account?.username).toBe(ADELE!.username)
    const err = await app.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: ADELE!.username, password: 'hunter2-wrong' }).then(
      () => undefined,
      (e: unknown) => e as ServerError,
    )
    expect(err?.errorCodes).toEqual([50126])
    expect(String(err)).not.toContain('hunter2-wrong')
  })
})

describe('silent with refresh tokens', () => {
  it('an access token inside the renewal window is renewed with the refresh token, which rotates', async () => {
    const app = publicApp(shortLived)
    const first = await signInWithPassword(app)
    const before = shortLived.counters()['token:refresh_token'] ?? 0
    const renewed = await app.acquireTokenSilent({ account: first.account!, scopes: ['User.Read'] })
    expect(renewed.fromCache).toBe(false)
    expect(renewed.accessToken).not.toBe(first.accessToken)
    const again = await app.acquireTokenSilent({ account: first.account!, scopes: ['User.Read'] })
    expect(again.fromCache).toBe(false)
    // Two refreshes, each with the successor of the refresh token before it: rotation works end to end.
    expect(shortLived.counters()['token:refresh_token']).toBe(before + 2)
  })

  it('forceRefresh and a new scope for the same resource go through the refresh token', async () => {
    const app = publicApp()
    const first = await signInWithPassword(app)
    const forced = await app.acquireTokenSilent({ account: first.account!, scopes: ['User.Read'], forceRefresh: true })
    expect(forced.fromCache).toBe(false)
    const mail = await app.acquireTokenSilent({ account: first.account!, scopes: ['Mail.Read'] })
    expect(mail.fromCache).toBe(false)
    expect(mail.scopes).toContain('Mail.Read')
  })

  it('an expired refresh token means sign in again: InteractionRequiredAuthError AADSTS700082', async () => {
    const app = publicApp(shortLived)
    const first = await signInWithPassword(app, ALEX!)
    shortLived.advanceTime(3601)
    const err = await app.acquireTokenSilent({ account: first.account!, scopes: ['User.Read'] }).then(
      () => undefined,
      (e: unknown) => e as InteractionRequiredAuthError,
    )
    expect(err).toBeInstanceOf(InteractionRequiredAuthError)
    expect(err?.errorCode).toBe('invalid_grant')
    expect(err?.errorCodes).toEqual([700082])
  })
})

describe('on-behalf-of', () => {
  it('a web API swaps the token a user sent it for a Graph token for that user', async () => {
    const user = await signInWithPassword(publicApp(), ADELE!, [`${DEFAULTS.apiAppIdUri}/access_as_user`])
    const api = new ConfidentialClientApplication({ auth: { clientId: DEFAULTS.apiClientId, authority: emulator.authority(), clientSecret: DEFAULTS.apiSecret } })
    const result = await api.acquireTokenOnBehalfOf({ oboAssertion: user.accessToken, scopes: ['User.Read'] })
    expect(result?.fromCache).toBe(false)
    const me = (await (await fetch(`${emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${result!.accessToken}` } })).json()) as Record<string, unknown>
    expect(me.userPrincipalName).toBe(ADELE!.username)
    const cached = await api.acquireTokenOnBehalfOf({ oboAssertion: user.accessToken, scopes: ['User.Read'] })
    expect(cached?.fromCache).toBe(true)
  })
})
