/**
 * Regression: entries of one owner under two host aliases of one cloud collapsed into one. A
 * shared cache file (an msal-node app and the Azure CLI, i.e. MSAL Python, both keeping Ada's
 * tokens for the Azure CLI's client id) holds her account, id token, family refresh token and app
 * metadata under `login.windows.net` (msal-node) and again under `login.microsoftonline.com`
 * (MSAL Python). The store filed both under the cloud's cache host, the second replaced the first,
 * and the next serialize() lost it. Now every loaded entry goes back under its own key with its own
 * environment, lookups still treat the aliases as one cloud (the entry of the host asked for
 * first, else the newest), and a new grant replaces the older equivalents, twins included.
 */
import { readFileSync } from 'node:fs'
import * as msal from '@azure/msal-node'
import { describe, expect, it } from 'vitest'
import { TokenCache } from '../../src/cache/token-cache.js'
import { TokenStore } from '../../src/cache/token-store.js'
import type { RefreshTokenRecord } from '../../src/cache/records.js'
import { PublicClientApplication, type AccountInfo } from '../../src/index.js'
import { server } from '../msw/server.js'
import { FakeEntra, formOf } from '../flows/fake-entra.js'

type Json = Record<string, Record<string, Record<string, unknown>>>

const fixture = (name: string): Json => JSON.parse(readFileSync(new URL(`../../fixtures/caches/${name}`, import.meta.url), 'utf8')) as Json
const SECTIONS = ['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'] as const
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const UID = '00000000-0000-0000-66f3-3332eca7ea81'
const HOME = `${UID}.${TENANT}`
/** The Azure CLI's client id, which both fixtures' user entries belong to. */
const CLI = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
const NODE_HOST = 'login.windows.net'
const PYTHON_HOST = 'login.microsoftonline.com'

/** The msal-node desktop cache and the Azure CLI cache in one file, as two libraries sharing it leave it. */
function sharedFile(): string {
  const node = fixture('msal-node-desktop.json')
  const cli = fixture('msal-python-azure-cli.json')
  return JSON.stringify(Object.fromEntries(SECTIONS.map((name) => [name, { ...node[name], ...cli[name] }])))
}

function entries(text: string): Map<string, string> {
  const json = JSON.parse(text) as Json
  const out = new Map<string, string>()
  for (const name of SECTIONS) for (const [key, entry] of Object.entries(json[name] ?? {})) out.set(`${name} ${key}`, JSON.stringify(Object.fromEntries(Object.entries(entry).sort())))
  return out
}

function loaded(text = sharedFile()): TokenCache {
  const cache = new TokenCache({ clientId: CLI })
  cache.deserialize(text)
  return cache
}

describe('entries of one owner under two aliases of a cloud', () => {
  it('the shared file really has twins in four sections (and the test would see a loss)', () => {
    const json = JSON.parse(sharedFile()) as Json
    for (const name of ['Account', 'IdToken', 'RefreshToken', 'AppMetadata'] as const) {
      expect(Object.values(json[name]!).map((e) => e.environment).sort(), name).toEqual([PYTHON_HOST, NODE_HOST])
    }
  })

  it('all survive deserialize/serialize under their own keys, with their own environments and fields, as msal-node keeps them', () => {
    const text = sharedFile()
    const once = loaded(text).serialize()
    expect(entries(once)).toEqual(entries(text))
    for (const [key, entry] of entries(once)) expect(key.toLowerCase(), key).toContain(`-${(JSON.parse(entry) as { environment?: string }).environment ?? ''}-`.toLowerCase())
    // msal-node keeps every one of them too; and a second trip through ours changes nothing.
    const msalNode = new msal.PublicClientApplication({ auth: { clientId: CLI } }).getTokenCache()
    msalNode.deserialize(text)
    expect(entries(msalNode.serialize())).toEqual(entries(once))
    expect(loaded(once).serialize()).toBe(once)
  })

  it('lookups treat the aliases as one cloud: the twin of the host asked for, else the newest', () => {
    const s = loaded().store
    const owner = (environment: string): { homeAccountId: string; environment: string; clientId: string } => ({ homeAccountId: HOME, environment, clientId: CLI })
    // Each library's host finds the entry that library wrote.
    expect(s.findRefreshToken(owner(NODE_HOST), '1')?.secret).toBe('fixture-refresh-token-6')
    expect(s.findRefreshToken(owner(PYTHON_HOST), '1')?.secret).toBe('fixture-cli-refresh-token')
    expect(s.findRefreshToken(owner(NODE_HOST))?.secret).toBe('fixture-refresh-token-6') // by the client it was issued to
    expect(s.findRefreshToken(owner('LOGIN.MICROSOFTONLINE.COM'))?.secret).toBe('fixture-cli-refresh-token')
    expect(s.findIdToken(owner(NODE_HOST), TENANT)?.environment).toBe(NODE_HOST)
    expect(s.findIdToken(owner(PYTHON_HOST), TENANT)?.environment).toBe(PYTHON_HOST)
    expect(s.findAccount(HOME, NODE_HOST, TENANT)?.name).toBe('Ada Lovelace')
    expect(s.findAccount(HOME, PYTHON_HOST, TENANT)?.extra).toEqual({ account_source: 'authorization_code' })
    expect(s.findAppMetadata(CLI, NODE_HOST)?.environment).toBe(NODE_HOST)
    expect(s.findAppMetadata(CLI, PYTHON_HOST)?.environment).toBe(PYTHON_HOST)
    // Another alias of the cloud: the newest; MSAL Python's refresh token carries last_modification_time.
    expect(s.findRefreshToken(owner('login.microsoft.com'), '1')?.secret).toBe('fixture-cli-refresh-token')
    for (const alias of ['login.microsoft.com', 'sts.windows.net']) {
      expect(s.findIdToken(owner(alias), TENANT), alias).toBeDefined()
      expect(s.findAccount(HOME, alias, TENANT), alias).toBeDefined()
      expect(s.findAppMetadata(CLI, alias), alias).toBeDefined()
    }
    // Another cloud is another cloud.
    expect(s.findRefreshToken(owner('login.microsoftonline.us'), '1')).toBeUndefined()
  })

  it('access tokens of one scope set under both hosts: each host gets its own, another alias the one that lasts longest', () => {
    const text = sharedFile()
    const json = JSON.parse(text) as Json
    const [key, nodeToken] = Object.entries(json.AccessToken!).find(([, e]) => e.environment === NODE_HOST && String(e.target).startsWith('User.Read'))!
    const twin = { ...nodeToken, environment: PYTHON_HOST, secret: 'python-twin', expires_on: String(Number(nodeToken.expires_on) + 60) }
    json.AccessToken![key.replace(`-${NODE_HOST}-`, `-${PYTHON_HOST}-`)] = twin
    const cache = loaded(JSON.stringify(json))
    const q = (environment: string): Parameters<TokenStore['findAccessToken']>[0] => ({ homeAccountId: HOME, environment, clientId: CLI, realm: TENANT, scopes: ['User.Read'] })
    expect(cache.store.findAccessToken(q(NODE_HOST))?.secret).toBe(nodeToken.secret)
    expect(cache.store.findAccessToken(q(PYTHON_HOST))?.secret).toBe('python-twin')
    expect(cache.store.findAccessToken(q('sts.windows.net'))?.secret).toBe('python-twin')
    expect(entries(cache.serialize())).toEqual(entries(JSON.stringify(json)))
  })

  it('the account is listed once, and getAccountByHomeId finds it', async () => {
    const cache = loaded()
    const accounts = await cache.getAllAccounts()
    expect(accounts).toHaveLength(1)
    expect(accounts[0]).toMatchObject({ homeAccountId: HOME, tenantId: TENANT, username: 'ada@contoso.example' })
    expect(await cache.getAccountByHomeId(HOME)).toMatchObject({ homeAccountId: HOME })
    expect(await cache.getAccountByLocalId(UID)).toMatchObject({ homeAccountId: HOME })
  })

  it('removing the account signs it out of the whole cloud: every twin goes, the app token stays', async () => {
    const cache = loaded()
    const [account] = await cache.getAllAccounts()
    await cache.removeAccount(account!)
    const left = JSON.parse(cache.serialize()) as Json
    expect(Object.keys(left.Account!)).toEqual([])
    expect(Object.keys(left.IdToken!)).toEqual([])
    expect(Object.keys(left.RefreshToken!)).toEqual([])
    expect(Object.values(left.AccessToken!).map((e) => e.home_account_id)).toEqual([null])
  })
})

describe('a new grant ("replace") in a cache with twins', () => {
  async function refreshAs(environment: string): Promise<{ app: PublicClientApplication; sent: string; before: string }> {
    const entra = new FakeEntra({ clientId: CLI, foci: true, idTokenClaims: { aud: CLI } })
    for (const rt of ['fixture-refresh-token-6', 'fixture-cli-refresh-token']) entra.refreshTokens.add(rt)
    server.use(...entra.handlers())
    const app = new PublicClientApplication({ auth: { clientId: CLI } })
    const before = sharedFile()
    app.getTokenCache().deserialize(before)
    const [listed] = await app.getAllAccounts()
    const account: AccountInfo = { ...listed!, environment }
    await app.acquireTokenSilent({ account, scopes: ['User.Read'], forceRefresh: true })
    expect(entra.requests).toHaveLength(1)
    return { app, sent: (await formOf(entra.requests[0]!)).refresh_token!, before }
  }

  it('redeems the refresh token of the account’s host: msal-node’s for login.windows.net, MSAL Python’s for login.microsoftonline.com', async () => {
    expect((await refreshAs(NODE_HOST)).sent).toBe('fixture-refresh-token-6')
    expect((await refreshAs(PYTHON_HOST)).sent).toBe('fixture-cli-refresh-token')
  })

  it('the newest grant wins: the new entries replace both twins; unrelated entries keep their keys', async () => {
    const { app, before } = await refreshAs(PYTHON_HOST)
    const after = JSON.parse(app.getTokenCache().serialize()) as Json
    for (const name of ['Account', 'IdToken', 'RefreshToken', 'AppMetadata'] as const) {
      expect(Object.values(after[name]!), name).toHaveLength(1)
    }
    const [rt] = Object.values(after.RefreshToken!)
    expect(rt!.secret).not.toMatch(/^fixture-/)
    // The old Graph token overlapped the new one and went; the Azure Resource Manager tokens (both
    // libraries') and the app token did not, and are still under their writers' keys.
    const old = JSON.parse(before) as Json
    const kept = Object.keys(old.AccessToken!).filter((k) => !k.includes('user.read'))
    expect(Object.keys(after.AccessToken!).filter((k) => !k.includes('user.read')).sort()).toEqual(kept.sort())
    expect(Object.values(after.AccessToken!).filter((e) => String(e.target).includes('User.Read'))).toHaveLength(1)
  })
})

describe('the store, one mechanism for every kind of record', () => {
  const rt = (environment: string, secret: string, clientId = CLI): RefreshTokenRecord => ({ homeAccountId: HOME, environment, clientId, secret, familyId: '1' })

  it('loading keeps twins side by side; replacing drops them all and forgets what they linked', () => {
    const store = new TokenStore()
    store.setAccount({ homeAccountId: HOME, environment: NODE_HOST, realm: TENANT, localAccountId: UID, username: 'ada@contoso.example', authorityType: 'MSSTS' })
    const node = rt(NODE_HOST, 'node')
    const python = rt(PYTHON_HOST, 'python', 'other-family-app')
    store.setRefreshToken(node, 'load')
    store.setRefreshToken(python, 'load')
    expect([...store.refreshTokens()]).toEqual([node, python])
    expect(store.findRefreshToken({ homeAccountId: HOME, environment: PYTHON_HOST, clientId: 'other-family-app' })).toBe(python)
    expect(store.accountsOfClient('other-family-app')).toHaveLength(1)
    // Removing one twin leaves the other.
    expect(store.removeRefreshToken(python)).toBe(true)
    expect(store.removeRefreshToken(python)).toBe(false)
    expect(store.findRefreshToken({ homeAccountId: HOME, environment: PYTHON_HOST, clientId: CLI }, '1')).toBe(node)
    expect(store.accountsOfClient('other-family-app')).toEqual([])
    store.setRefreshToken(python, 'load')

    const fresh = rt(NODE_HOST, 'fresh')
    store.setRefreshToken(fresh)
    expect([...store.refreshTokens()]).toEqual([fresh])
    expect(store.findRefreshToken({ homeAccountId: HOME, environment: PYTHON_HOST, clientId: 'other-family-app' })).toBeUndefined()
    expect(store.findRefreshToken({ homeAccountId: HOME, environment: PYTHON_HOST, clientId: CLI }, '1')).toBe(fresh)
    expect(store.accountsOfClient('other-family-app')).toEqual([])
    expect(store.accountsOfClient(CLI)).toHaveLength(1)
  })
})
