/**
 * `acquireTokenInteractive` end to end in a real browser: headless Chromium (Debian's package,
 * /usr/bin/chromium, driven by playwright-core, with a fresh profile) opens the emulator's
 * sign-in page, a user is picked, the browser lands on the library's loopback redirect, and the
 * library redeems the code (PKCE, state, nonce) over real loopback HTTP.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PublicClientApplication, ServerError } from '../../src/index.js'
import { DEFAULTS, startEmulator, type Emulator } from '../../src/emulator/index.js'
import { passLoopbackThrough } from '../emulator/loopback.js'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic']
const [ADELE] = DEFAULTS.users

let emulator: Emulator
let profile: string
let browser: BrowserContext
beforeAll(async () => {
  profile = await mkdtemp(join(tmpdir(), 'entra-oauth-chromium-'))
  ;[emulator, browser] = await Promise.all([startEmulator(), chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, timeout: 30_000 })])
}, 60_000)
afterAll(async () => {
  await browser?.close()
  await emulator?.close()
  await rm(profile, { recursive: true, force: true })
}, 30_000)
passLoopbackThrough()

/**
 * An `openBrowser` that drives Chromium: opens the URL in a new tab and acts on the sign-in
 * page with `act`; resolves as soon as the page is open, as a real browser launcher does.
 */
function browserThat(act: (page: Page) => Promise<void>): { openBrowser: (url: string) => Promise<void>; done: () => Promise<Page> } {
  let finished: Promise<Page> | undefined
  return {
    openBrowser: async (url) => {
      const page = await browser.newPage()
      await page.goto(url)
      finished = act(page).then(() => page)
    },
    done: () => finished ?? Promise.reject(new Error('the browser was never opened')),
  }
}

describe('acquireTokenInteractive in headless Chromium', () => {
  it('signs in on the emulator page, lands on the loopback redirect, gets a token, then serves silently', async () => {
    const pca = new PublicClientApplication({ auth: { clientId: DEFAULTS.publicClientId, authority: emulator.authority() } })
    const drive = browserThat(async (page) => {
      await page.getByText(ADELE!.name).waitFor({ timeout: 10_000 })
      await page.locator(`button[data-username="${ADELE!.username}"]`).click()
    })
    const result = await pca.acquireTokenInteractive({ scopes: ['User.Read'], openBrowser: drive.openBrowser, timeout: 30_000 })
    const page = await drive.done()

    expect(result.fromCache).toBe(false)
    expect(result.account?.username).toBe(ADELE!.username)
    expect(result.account?.homeAccountId).toBe(`${ADELE!.id}.${DEFAULTS.tenantId}`)
    expect(result.idTokenClaims).toMatchObject({ oid: ADELE!.id, tid: DEFAULTS.tenantId, aud: DEFAULTS.publicClientId })
    expect(result.scopes).toContain('User.Read')
    // The browser ended on the library's loopback listener, with the code in the query.
    await page.waitForLoadState('load')
    const landed = new URL(page.url())
    expect(landed.hostname).toMatch(/^(localhost|127\.0\.0\.1)$/)
    expect(landed.port).not.toBe(String(emulator.port))
    expect(landed.searchParams.get('code')).toEqual(expect.any(String))

    const me = await (await fetch(`${emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${result.accessToken}` } })).json()
    expect(me).toMatchObject({ userPrincipalName: ADELE!.username })

    const silent = await pca.acquireTokenSilent({ account: result.account!, scopes: ['User.Read'] })
    expect(silent.fromCache).toBe(true)
    expect(silent.accessToken).toBe(result.accessToken)
    await page.close()
    await pca.close()
  }, 60_000)

  it('Cancel on the sign-in page comes back as access_denied (AADSTS65004)', async () => {
    const pca = new PublicClientApplication({ auth: { clientId: DEFAULTS.publicClientId, authority: emulator.authority() } })
    const drive = browserThat(async (page) => {
      await page.getByRole('button', { name: 'Cancel' }).click()
    })
    const error = await pca.acquireTokenInteractive({ scopes: ['User.Read'], openBrowser: drive.openBrowser, timeout: 30_000 }).then(
      () => undefined,
      (e: unknown) => e,
    )
    const page = await drive.done()
    expect(error).toBeInstanceOf(ServerError)
    expect((error as ServerError).errorCode).toBe('access_denied')
    expect((error as ServerError).errorMessage).toMatch(/AADSTS65004/)
    await page.close()
    await pca.close()
  }, 60_000)
})
