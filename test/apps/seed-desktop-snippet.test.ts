/**
 * The Node.js snippet of the desktop seed (seeds/000_e2d3434e198d13aa.txt, Microsoft's page
 * "Desktop app that calls web APIs: acquire a token"), run against msw-mocked endpoints.
 *
 * What differs from the printed text, and why (the test below proves there is nothing else):
 * 1. The import: `require("@azure/msal-node")` → `require("entra-oauth")`.
 * 2. The three placeholders are filled in, as every reader must: `your_authority_here` →
 *    https://login.microsoftonline.com/common, `your_redirect_uri` → http://localhost. (The
 *    client id placeholder is kept: the fake Entra registers an app under that id.)
 * 3. Closing brackets the extraction lost (`},`, `};`, `});`) are restored; they are listed as
 *    RESTORED lines. The inner `.catch((error) => {` keeps its lost body empty, as printed.
 * 4. The page's code runs in an async function (it uses top-level `await` in CommonJS), with
 *    its setup (config, `new PublicClientApplication`) run once and its acquisition part run
 *    twice: the page describes msal-node's in-memory cache, so "the next run" is the same
 *    application calling the same code again.
 *
 * `response["authorization_code"]` indexes the URL string getAuthCodeUrl returns: undefined,
 * under msal-node too. A real app opens that URL in a browser and reads `code` from the redirect.
 * The harness does exactly that at the moment the snippet asks: during the run only, reading
 * `authorization_code` of the authorize URL string plays the browser (the fake Entra signs the
 * user in for that URL, with its PKCE challenge, and returns the code of its redirect). Without
 * the harness the printed code sends nothing: our acquireTokenByCode refuses the undefined code
 * with ClientConfigurationError `invalid_request`, which the snippet's empty catch swallows.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it, vi } from 'vitest'
import * as entraOauth from '../../src/index.js'
import { server } from '../msw/server.js'
import { recordRequests } from '../msw/entra.js'
import { FakeEntra, HOME_ACCOUNT_ID, formOf } from '../flows/fake-entra.js'

const SEED = new URL('../../fixtures/seeds/000_e2d3434e198d13aa.txt', import.meta.url)
const PLACEHOLDER_CLIENT_ID = 'your_client_id_here'

const RESTORED = Symbol('restored')
type Line = string | { [RESTORED]: string }
const r = (text: string): Line => ({ [RESTORED]: text })

/** The snippet as run: printed lines, with the changes listed above. */
const RUNNABLE: Line[] = [
  'const msal = require("entra-oauth");',
  'const msalConfig = {',
  'auth: {',
  'clientId: "your_client_id_here",',
  'authority: "https://login.microsoftonline.com/common",',
  r('}'),
  r('};'),
  'const pca = new msal.PublicClientApplication(msalConfig);',
  '//--- acquisition',
  'const msalTokenCache = pca.getTokenCache();',
  'let accounts = await msalTokenCache.getAllAccounts();',
  'if (accounts.length > 0) {',
  'const silentRequest = {',
  'account: accounts[0], // Index must match the account that is trying to acquire token silently',
  'scopes: [""],',
  r('};'),
  'pca.acquireTokenSilent(silentRequest).then((response) => {',
  'console.log("\\nSuccessful silent token acquisition");',
  'console.log("\\nResponse: \\n:", response);',
  '}).catch((error) => console.log(error));',
  '} else {',
  'const {verifier, challenge} = await msal.cryptoProvider.generatePkceCodes();',
  'const authCodeUrlParameters = {',
  'scopes: ["User.Read"],',
  'redirectUri: "http://localhost",',
  'codeChallenge: challenge, // PKCE Code Challenge',
  'codeChallengeMethod: "S256" // PKCE Code Challenge Method',
  r('};'),
  '// get url to sign user in and consent to scopes needed for application',
  'pca.getAuthCodeUrl(authCodeUrlParameters).then((response) => {',
  'const tokenRequest = {',
  'code: response["authorization_code"],',
  'codeVerifier: verifier, // PKCE Code Verifier',
  'redirectUri: "http://localhost",',
  'scopes: ["User.Read"],',
  r('};'),
  '// acquire a token by exchanging the code',
  'pca.acquireTokenByCode(tokenRequest).then((response) => {',
  'console.log("\\nResponse: \\n:", response);',
  '}).catch((error) => {',
  r('});'),
  '}).catch((error) => console.log(JSON.stringify(error)));',
  r('}'),
]

const SUBSTITUTIONS: [string, string][] = [
  ['require("entra-oauth")', 'require("@azure/msal-node")'],
  ['"https://login.microsoftonline.com/common"', '"your_authority_here"'],
  ['"http://localhost"', '"your_redirect_uri"'],
]

function printedSnippet(): string[] {
  const lines = readFileSync(SEED, 'utf8').split('\n')
  const start = lines.indexOf('const msal = require("@azure/msal-node");')
  const end = lines.indexOf('}).catch((error) => console.log(JSON.stringify(error)));')
  expect(start).toBeGreaterThan(0)
  return lines.slice(start, end + 1)
}

function text(line: Line): string {
  return typeof line === 'string' ? line : line[RESTORED]
}

interface Run {
  logs: unknown[][]
  run: () => Promise<void>
}

function loadSnippet(): Run {
  const logs: unknown[][] = []
  const fakeConsole = { log: (...args: unknown[]) => logs.push(args) }
  const fakeRequire = (name: string): unknown => {
    if (name !== 'entra-oauth') throw new Error(`unexpected require(${name})`)
    return entraOauth
  }
  const all = RUNNABLE.map(text)
  const split = all.indexOf('//--- acquisition')
  const body = `${all.slice(0, split).join('\n')}\nreturn async () => {\n${all.slice(split + 1).join('\n')}\n}`
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<() => Promise<void>>
  const setup = new AsyncFunction('require', 'console', body)
  let acquisition: (() => Promise<void>) | undefined
  return {
    logs,
    run: async () => {
      acquisition ??= await setup(fakeRequire, fakeConsole)
      await acquisition()
    },
  }
}

/** During `fn`, reading `authorization_code` of an authorize URL string plays the browser for it. */
async function withBrowserHarness<T>(entra: FakeEntra, fn: () => Promise<T>): Promise<T> {
  Object.defineProperty(String.prototype, 'authorization_code', {
    configurable: true,
    get(this: string) {
      return new URL(entra.authorize(String(this))).searchParams.get('code')
    },
  })
  try {
    return await fn()
  } finally {
    delete (String.prototype as unknown as Record<string, unknown>).authorization_code
  }
}

describe("the desktop seed's Node.js snippet, import changed to entra-oauth", () => {
  it('differs from the printed text only by the import, the placeholders and restored brackets', () => {
    const unrestored = RUNNABLE.filter((l) => typeof l === 'string' && l !== '//--- acquisition').map((l) => {
      let s = l as string
      for (const [ours, printed] of SUBSTITUTIONS) s = s.replace(ours, printed)
      return s
    })
    expect(unrestored).toEqual(printedSnippet())
    expect(RUNNABLE.filter((l) => typeof l !== 'string').map(text).every((t) => /^[}\]);,]+$/.test(t))).toBe(true)
  })

  it('first run signs in via PKCE code exchange; the next takes the silent path from the cache', async () => {
    const entra = new FakeEntra({ clientId: PLACEHOLDER_CLIENT_ID, idTokenClaims: { aud: PLACEHOLDER_CLIENT_ID } })
    const seen = recordRequests()
    server.use(seen.handler, ...entra.handlers())
    const snippet = loadSnippet()

    // Run 1: empty cache → PKCE, authorize URL, the browser (harness), code redemption.
    await withBrowserHarness(entra, async () => {
      await snippet.run()
      await vi.waitFor(() => expect(snippet.logs.length).toBeGreaterThan(0), { timeout: 5000, interval: 10 })
    })
    expect(entra.authorizeCalls).toBe(1)
    const [label, first] = snippet.logs[0] as [string, entraOauth.AuthenticationResult]
    expect(label).toBe('\nResponse: \n:')
    expect(first.fromCache).toBe(false)
    expect(first.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
    expect(seen.requests.map((q) => `${q.method} ${new URL(q.url).pathname}`)).toEqual(['POST /common/oauth2/v2.0/token', 'GET /common/discovery/v2.0/keys'])
    const tokenForm = await formOf(seen.requests[0]!)
    expect(tokenForm).toMatchObject({ grant_type: 'authorization_code', client_id: PLACEHOLDER_CLIENT_ID, redirect_uri: 'http://localhost', client_info: '1', scope: 'User.Read openid profile offline_access' })
    expect(tokenForm.code_verifier).toMatch(/^[A-Za-z0-9_-]{43}$/)

    // Run 2: the account is in the cache → acquireTokenSilent with scopes [""], served from the cache.
    snippet.logs.length = 0
    seen.requests.length = 0
    await snippet.run()
    await vi.waitFor(() => expect(snippet.logs.length).toBe(2), { timeout: 5000, interval: 10 })
    expect(snippet.logs[0]).toEqual(['\nSuccessful silent token acquisition'])
    const second = snippet.logs[1]![1] as entraOauth.AuthenticationResult
    expect(second.fromCache).toBe(true)
    expect(second.accessToken).toBe(first.accessToken)
    expect(second.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
    expect(seen.requests).toHaveLength(0)
  })

  it('as printed (no browser), the code is undefined: nothing is sent and the snippet signs no one in', async () => {
    const entra = new FakeEntra({ clientId: PLACEHOLDER_CLIENT_ID, idTokenClaims: { aud: PLACEHOLDER_CLIENT_ID } })
    const seen = recordRequests()
    server.use(seen.handler, ...entra.handlers())
    const snippet = loadSnippet()
    await snippet.run()
    // Let the snippet's promise chains settle (they are not awaited by its text).
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(seen.requests).toHaveLength(0)
    expect(snippet.logs).toEqual([])
    expect(entra.authorizeCalls).toBe(0)
  })
})
