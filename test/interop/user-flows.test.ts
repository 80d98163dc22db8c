/**
 * The user flows against a real, certified OpenID provider (oidc-provider on 127.0.0.1), with
 * `protocolMode: 'OIDC'` and the issuer as the authority, found through discovery: authorization
 * code with PKCE (the test plays the browser through the provider's login and consent pages, then
 * the library's loopback listener), refresh, and device code (approved through the provider's
 * device pages). No Entra extensions: no client_info, no `.default`; the account comes from the id
 * token's `sub` and `iss`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createFlowContext } from '../../src/apps/configuration.js'
import { acquireTokenByDeviceCode, type DeviceCodeResponse } from '../../src/flows/device-code.js'
import { InteractionRequiredAuthError, PublicClientApplication, cryptoProvider, type AuthenticationResult } from '../../src/index.js'
import { server as msw } from '../msw/server.js'
import { Browser, type Page } from './browser.js'
import { PUBLIC_CLIENT, USER, startProvider, type RunningProvider } from './provider.js'

let op: RunningProvider
beforeAll(async () => {
  msw.close()
  op = await startProvider()
})
afterAll(async () => {
  await op.close()
})

function publicApp(): PublicClientApplication {
  return new PublicClientApplication({ auth: { clientId: PUBLIC_CLIENT, authority: op.issuer, protocolMode: 'OIDC' } })
}

/** Logs in as USER and consents, from wherever the provider's pages start; returns the last page. */
async function loginAndConsent(browser: Browser, first: Page): Promise<Page> {
  let page = first
  for (let step = 0; step < 6; step++) {
    if (/name="prompt" value="login"/.test(page.body)) page = await browser.submit(page, { login: USER, password: 'any' })
    else if (/name="prompt" value="consent"/.test(page.body)) page = await browser.submit(page)
    else return page
  }
  throw new Error(`stuck on ${page.url}`)
}

/** Signs in interactively, the test playing the browser; returns the result, the authorize URL and the page the loopback listener showed. */
async function interactiveSignIn(app: PublicClientApplication): Promise<{ result: AuthenticationResult; authorize: URL; shown: Page; browser: Browser }> {
  const browser = new Browser()
  let authorize: URL | undefined
  let shown: Promise<Page> | undefined
  const result = await app.acquireTokenInteractive({
    scopes: [],
    redirectUri: 'http://127.0.0.1/redirect',
    // OpenID Connect Core §11: offline_access (a refresh token) needs prompt=consent; Entra does not ask for it.
    prompt: 'consent',
    openBrowser: async (url) => {
      authorize = new URL(url)
      shown = browser.open(url).then((page) => loginAndConsent(browser, page))
      shown.catch(() => undefined)
    },
  })
  return { result, authorize: authorize!, shown: await shown!, browser }
}

describe('authorization code with PKCE against oidc-provider', () => {
  it('signs in through the provider pages and the loopback listener; the account comes from sub and iss', async () => {
    const app = publicApp()
    const { result, authorize, shown, browser } = await interactiveSignIn(app)

    const q = authorize.searchParams
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${op.issuer}/auth`)
    expect(q.get('code_challenge_method')).toBe('S256')
    expect(q.get('client_id')).toBe(PUBLIC_CLIENT)
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/redirect$/)
    // The browser went through the provider's login and consent, then to the loopback redirect.
    expect(browser.visited.some((u) => u.includes('/interaction/'))).toBe(true)
    expect(browser.visited.at(-1)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/redirect\?code=/)
    expect(shown.status).toBe(200)
    expect(shown.body).toMatch(/You can close this tab/)

    expect(result.fromCache).toBe(false)
    expect(result.idTokenClaims).toMatchObject({ sub: USER, iss: op.issuer, aud: PUBLIC_CLIENT, nonce: q.get('nonce') })
    expect(result.scopes).toEqual(expect.arrayContaining(['openid', 'profile', 'offline_access']))
    expect(result.account).toMatchObject({ homeAccountId: USER, localAccountId: USER, username: `${USER}@example.test`, name: 'Alice Example' })
    // No tenants at a plain provider: the account lives at the issuer's host.
    expect(result.account!.environment).toBe(new URL(op.issuer).host)
    // OIDC mode does not ask for Entra's client_info.
    expect(q.has('client_info')).toBe(false)
    const accounts = await app.getAllAccounts()
    expect(accounts).toHaveLength(1)
    expect(accounts[0]).toMatchObject({ homeAccountId: USER, environment: result.account!.environment })
    const cache = JSON.parse(app.getTokenCache().serialize()) as Record<string, Record<string, Record<string, unknown>>>
    expect(Object.values(cache.Account!)[0]).toMatchObject({ home_account_id: USER, authority_type: 'Generic', local_account_id: USER })
    expect(Object.values(cache.Account!)[0]!.client_info).toBeUndefined()
    expect(Object.keys(cache.RefreshToken!)).toHaveLength(1)
    expect(Object.keys(cache.IdToken!)).toHaveLength(1)
  })

  it('getAuthCodeUrl + acquireTokenByCode: the provider checks the verifier against the challenge', async () => {
    const app = publicApp()
    const browser = new Browser()
    const redirectUri = 'http://127.0.0.1:9/redirect'
    /** Signs in at the provider and returns the redirect the browser lands on (port 9: nothing listens, the test reads it). */
    const codeFor = async (challenge: string, state: string): Promise<URL> => {
      const url = await app.getAuthCodeUrl({ scopes: [], redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state, nonce: `n-${state}`, prompt: 'consent' })
      let landed: URL | undefined
      const stop = (u: URL): boolean => {
        if (u.port === '9') landed = u
        return landed !== undefined
      }
      let page = await browser.open(url, stop)
      for (let step = 0; step < 6 && !landed; step++) page = await browser.submit(page, /value="login"/.test(page.body) ? { login: USER, password: 'x' } : {}, stop)
      expect(landed?.searchParams.get('state')).toBe(state)
      return landed!
    }
    const first = await cryptoProvider.generatePkceCodes()
    const a = await codeFor(first.challenge, 'st-1')
    // A wrong verifier is refused by the provider (invalid_grant: sign in again), and nothing is cached.
    const wrong = await app.acquireTokenByCode({ code: a.searchParams.get('code')!, codeVerifier: 'w'.repeat(43), redirectUri }).catch((e: unknown) => e)
    expect(wrong).toBeInstanceOf(InteractionRequiredAuthError)
    expect(wrong).toMatchObject({ errorCode: 'invalid_grant' })
    expect(await app.getAllAccounts()).toEqual([])

    const second = await cryptoProvider.generatePkceCodes()
    const b = await codeFor(second.challenge, 'st-2')
    const result = await app.acquireTokenByCode(
      { code: b.searchParams.get('code')!, codeVerifier: second.verifier, redirectUri, state: 'st-2', nonce: 'n-st-2' },
      { code: b.searchParams.get('code')!, state: b.searchParams.get('state')! },
    )
    expect(result.idTokenClaims).toMatchObject({ sub: USER, nonce: 'n-st-2' })
    expect(await app.getAllAccounts()).toEqual([expect.objectContaining({ homeAccountId: USER })])
  })
})

describe('refresh against oidc-provider', () => {
  it('forceRefresh redeems the refresh token (rotated by the provider) and the next silent call is a cache hit', async () => {
    const app = publicApp()
    const { result } = await interactiveSignIn(app)
    const account = result.account!
    const cached = await app.acquireTokenSilent({ account, scopes: [] })
    expect(cached).toMatchObject({ fromCache: true, accessToken: result.accessToken })

    const rtBefore = Object.values((JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> }).RefreshToken)[0]!.secret
    const refreshed = await app.acquireTokenSilent({ account, scopes: [], forceRefresh: true })
    expect(refreshed.fromCache).toBe(false)
    expect(refreshed.accessToken).not.toBe(result.accessToken)
    expect(refreshed.account).toMatchObject({ homeAccountId: USER, username: `${USER}@example.test` })
    const rts = Object.values((JSON.parse(app.getTokenCache().serialize()) as { RefreshToken: Record<string, { secret: string }> }).RefreshToken)
    expect(rts).toHaveLength(1)
    expect(rts[0]!.secret).not.toBe(rtBefore)
    expect(await app.acquireTokenSilent({ account, scopes: [] })).toMatchObject({ fromCache: true, accessToken: refreshed.accessToken })

    // The provider revokes a rotated refresh token when it is replayed: that is "sign in again".
    const replay = await app.acquireTokenByRefreshToken({ refreshToken: rtBefore, scopes: [] }).catch((e: unknown) => e)
    expect(replay).toBeInstanceOf(InteractionRequiredAuthError)
    expect(replay).toMatchObject({ errorCode: 'invalid_grant' })
  })
})

describe('device code against oidc-provider', () => {
  it('polls until the user approves on the provider device pages', async () => {
    const ctx = createFlowContext({ auth: { clientId: PUBLIC_CLIENT, authority: op.issuer, protocolMode: 'OIDC' } }, 'public')
    let approved: Promise<Page> | undefined
    let shown: DeviceCodeResponse | undefined
    let polls = 0
    const result = await acquireTokenByDeviceCode(
      ctx,
      {
        scopes: [],
        deviceCodeCallback: (response) => {
          shown = response
          const browser = new Browser()
          approved = browser
            .open(response.verificationUri)
            .then((page) => browser.submit(page, { user_code: response.userCode }))
            .then((page) => browser.submit(page))
            .then((page) => loginAndConsent(browser, page))
          approved.catch(() => undefined)
        },
      },
      {
        // The first poll waits for the approval instead of the provider's interval.
        sleep: async () => {
          polls++
          if (polls === 1) await approved
        },
      },
    )
    expect(shown).toMatchObject({ verificationUri: `${op.issuer}/device`, userCode: expect.any(String) })
    // oidc-provider sends no `message`: the library writes Entra's sentence from the URI and code.
    expect(shown!.message).toContain(shown!.userCode)
    expect((await approved!).body).toMatch(/Sign-in Success|success/i)
    expect(polls).toBe(1)
    expect(result.account).toMatchObject({ homeAccountId: USER, username: `${USER}@example.test` })
    expect(await ctx.cache.getAllAccounts()).toHaveLength(1)
  })
})
