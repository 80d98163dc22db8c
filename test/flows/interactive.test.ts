import { createHash } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { describe, expect, it } from 'vitest'
import { ClientAuthError, ClientConfigurationError, InteractionRequiredAuthError, PublicClientApplication, ServerError } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, HOST, aadstsError, tokenEndpoint } from '../msw/entra.js'
import { FakeEntra, HOME_ACCOUNT_ID, formOf } from './fake-entra.js'

interface Page {
  status: number
  body: string
}

/** The browser: opens the authorize URL at the fake Entra, follows its 302 to the loopback redirect. */
async function browse(url: string, tamper?: (redirect: URL) => void): Promise<Page> {
  const res = await fetch(url, { redirect: 'manual' })
  expect(res.status).toBe(302)
  const redirect = new URL(res.headers.get('location')!)
  // Browsers try 127.0.0.1 when localhost's ::1 refuses; say it directly.
  redirect.hostname = '127.0.0.1'
  tamper?.(redirect)
  return get(redirect.href)
}

async function get(url: string, init?: RequestInit): Promise<Page> {
  const res = await fetch(url, init)
  return { status: res.status, body: await res.text() }
}

function portOf(authorizeUrl: string): number {
  return Number(new URL(new URL(authorizeUrl).searchParams.get('redirect_uri')!).port)
}

function setup() {
  const entra = new FakeEntra()
  server.use(...entra.handlers())
  const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
  return { entra, app }
}

describe('acquireTokenInteractive (the test plays the browser)', () => {
  it('opens the authorize URL, receives the loopback redirect, redeems the code with PKCE and says the tab can be closed', async () => {
    const { entra, app } = setup()
    let opened = ''
    let page: Promise<Page> | undefined
    const result = await app.acquireTokenInteractive({
      scopes: ['User.Read'],
      openBrowser: async (url) => {
        opened = url
        page = browse(url)
      },
    })
    const authorize = new URL(opened)
    const q = Object.fromEntries(authorize.searchParams)
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${HOST}/common/oauth2/v2.0/authorize`)
    expect(q).toMatchObject({ client_id: CLIENT_ID, response_type: 'code', response_mode: 'query', client_info: '1', scope: 'User.Read openid profile offline_access', code_challenge_method: 'S256' })
    expect(q.redirect_uri).toMatch(/^http:\/\/localhost:\d+$/)
    expect(q.state).toMatch(/^[A-Za-z0-9_-]{22}$/)
    expect(q.nonce).toMatch(/^[A-Za-z0-9_-]{22}$/)

    expect(entra.requests).toHaveLength(1)
    const form = await formOf(entra.requests[0]!)
    expect(form).toMatchObject({ grant_type: 'authorization_code', redirect_uri: q.redirect_uri, client_info: '1' })
    expect(createHash('sha256').update(form.code_verifier!).digest('base64url')).toBe(q.code_challenge)

    expect(result.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
    expect(result.idTokenClaims.nonce).toBe(q.nonce)
    const shown = await page!
    expect(shown.status).toBe(200)
    expect(shown.body).toMatch(/You can close this tab/)
    // One redirect, then the listener is gone.
    await expect(fetch(`http://127.0.0.1:${portOf(opened)}/`)).rejects.toThrow()
  })

  it('answers junk without crashing, then takes the real redirect', async () => {
    const { entra, app } = setup()
    const junk: Page[] = []
    let page: Promise<Page> | undefined
    const result = await app.acquireTokenInteractive({
      scopes: ['User.Read'],
      openBrowser: async (url) => {
        const base = `http://127.0.0.1:${portOf(url)}`
        junk.push(await get(`${base}/favicon.ico`))
        junk.push(await get(`${base}/`))
        junk.push(await get(`${base}/?foo=bar`))
        junk.push(await get(`${base}/?code=x&state=y`, { method: 'POST' }))
        junk.push(await rawGet(portOf(url), '/?code=forged&state=whatever', 'evil.example'))
        junk.push(await rawGet(portOf(url), '/%%%?', `127.0.0.1:${portOf(url)}`))
        page = browse(url)
      },
    })
    expect(junk.map((j) => j.status)).toEqual([404, 400, 400, 405, 421, 404])
    expect(result.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
    expect((await page!).status).toBe(200)
    expect(entra.requests).toHaveLength(1)
  })

  it('a redirect with a wrong state is refused and never redeemed; the right one still completes', async () => {
    const { entra, app } = setup()
    const pages: Page[] = []
    await app.acquireTokenInteractive({
      scopes: ['User.Read'],
      openBrowser: async (url) => {
        pages.push(await browse(url, (r) => r.searchParams.set('state', 'forged-state')))
        expect(entra.requests).toHaveLength(0)
        void browse(url).then((p) => pages.push(p))
      },
    })
    expect(pages[0]).toMatchObject({ status: 400, body: expect.stringMatching(/does not belong to the current sign-in/) })
    expect(entra.requests).toHaveLength(1)
  })

  it('only a wrong state, then nothing: a timeout, and no code is redeemed', async () => {
    const { entra, app } = setup()
    const error = await app
      .acquireTokenInteractive({ scopes: ['User.Read'], timeout: 300, openBrowser: async (url) => void browse(url, (r) => r.searchParams.set('state', 'nope')) })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientAuthError)
    expect(error).toMatchObject({ errorCode: 'timeout' })
    expect(entra.requests).toHaveLength(0)
  })

  it('an error= redirect (the user cancelled) is a typed error and the page says so', async () => {
    const { entra, app } = setup()
    let page: Promise<Page> | undefined
    const error = await app
      .acquireTokenInteractive({
        scopes: ['User.Read'],
        errorTemplate: '<p>Sign-in did not complete.</p>',
        openBrowser: async (url) => {
          const state = new URL(url).searchParams.get('state')!
          page = get(`http://127.0.0.1:${portOf(url)}/?error=access_denied&error_description=AADSTS65004%3A+User+declined+to+consent&error_subcode=cancel&state=${state}`)
        },
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServerError)
    expect(error).toMatchObject({ errorCode: 'access_denied', subError: 'cancel', errorCodes: [65004] })
    expect(await page!).toEqual({ status: 200, body: '<p>Sign-in did not complete.</p>' })
    expect(entra.requests).toHaveLength(0)
  })

  it('error=login_required is InteractionRequiredAuthError', async () => {
    const { app } = setup()
    const error = await app
      .acquireTokenInteractive({
        scopes: [],
        prompt: 'none',
        openBrowser: async (url) => void get(`http://127.0.0.1:${portOf(url)}/?error=login_required&state=${new URL(url).searchParams.get('state')}`),
      })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InteractionRequiredAuthError)
  })

  it('times out when no redirect comes (the user closed the browser), and closes the listener', async () => {
    const { app } = setup()
    let port = 0
    const error = await app.acquireTokenInteractive({ scopes: ['User.Read'], timeout: 200, openBrowser: async (url) => void (port = portOf(url)) }).catch((e: unknown) => e)
    expect(error).toMatchObject({ errorCode: 'timeout' })
    expect((error as Error).message).toMatch(/No sign-in redirect arrived/)
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow()
  })

  it('stops on its AbortSignal', async () => {
    const { app } = setup()
    const controller = new AbortController()
    const error = await app.acquireTokenInteractive({ scopes: [], signal: controller.signal, openBrowser: async () => controller.abort() }).catch((e: unknown) => e)
    expect(error).toMatchObject({ errorCode: 'aborted' })
  })

  it('a failing openBrowser ends the flow with browser_open_failed', async () => {
    const { app } = setup()
    const error = await app
      .acquireTokenInteractive({
        scopes: [],
        openBrowser: async () => {
          throw new Error('no display')
        },
      })
      .catch((e: unknown) => e)
    expect(error).toMatchObject({ errorCode: 'browser_open_failed' })
  })

  it('a failed code redemption shows the error page, not success, and rejects', async () => {
    const { entra, app } = setup()
    server.use(tokenEndpoint(() => aadstsError('invalid_grant', 54005), 'common'))
    let page: Promise<Page> | undefined
    const error = await app.acquireTokenInteractive({ scopes: ['User.Read'], openBrowser: async (url) => void (page = browse(url)) }).catch((e: unknown) => e)
    expect(error).toMatchObject({ errorCode: 'invalid_grant' })
    const shown = await page!
    expect(shown.body).toMatch(/Sign-in failed/)
    expect(shown.body).not.toMatch(/You can close this tab and return/)
    expect(entra.authorizeCalls).toBe(1)
  })

  it('uses a custom successTemplate and a redirectUri with a path', async () => {
    const { app } = setup()
    let opened = ''
    let page: Promise<Page> | undefined
    await app.acquireTokenInteractive({
      scopes: [],
      redirectUri: 'http://localhost/auth/done',
      successTemplate: '<h1>All set</h1>',
      openBrowser: async (url) => {
        opened = url
        expect((await get(`http://127.0.0.1:${portOf(url)}/?code=x&state=y`)).status).toBe(404)
        page = browse(url)
      },
    })
    expect(new URL(opened).searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/auth\/done$/)
    expect((await page!).body).toBe('<h1>All set</h1>')
  })

  it('refuses a redirect URI off the loopback interface', async () => {
    const { app } = setup()
    const error = await app.acquireTokenInteractive({ scopes: [], redirectUri: 'https://app.example/cb', openBrowser: async () => undefined }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientConfigurationError)
  })
})

/** A GET with a chosen Host header (fetch does not let us set one). */
function rawGet(port: number, path: string, host: string): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })
}
