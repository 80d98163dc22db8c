/**
 * Regression: a field named `__proto__` inside a cache entry (kept in the record's `extra` bag),
 * an entry keyed `__proto__`, or a top-level section named `__proto__` was dropped on load: the
 * reader assigned it onto a plain object, which sets that object's prototype instead of adding a
 * field. The cache must hold every name a file brings, write it back in the place msal-node gives
 * it (msal-node itself round-trips these files byte for byte), and never touch a prototype.
 */
import * as msal from '@azure/msal-node'
import { afterEach, describe, expect, it } from 'vitest'
import { mergeCaches } from '../../src/cache/file-persistence.js'
import { TokenCache } from '../../src/cache/token-cache.js'

const HOME = '00000000-0000-0000-66f3-3332eca7ea81.72f988bf-86f1-41af-91ab-2d7cd011db47'
const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const CLIENT = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
const ENV = 'login.windows.net'
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype).sort()

/** A cache in msal-node's field order whose every entry carries `__proto__` among its unknown fields. */
function cacheWithProtoFields(): string {
  const at = `${HOME}-${ENV}-accesstoken-${CLIENT}-${TENANT}-user.read openid profile-`
  return JSON.stringify({
    Account: {
      [`${HOME}-${ENV}-${TENANT}`]: JSON.parse(
        `{"home_account_id":"${HOME}","environment":"${ENV}","realm":"${TENANT}","local_account_id":"uid","username":"ada@contoso.example","authority_type":"MSSTS","x_before":1,"__proto__":{"polluted":true,"isAdmin":true},"x_after":[2]}`,
      ) as unknown,
    },
    IdToken: {
      [`${HOME}-${ENV}-idtoken-${CLIENT}-${TENANT}--`]: JSON.parse(
        `{"home_account_id":"${HOME}","environment":"${ENV}","credential_type":"IdToken","client_id":"${CLIENT}","secret":"header.payload.signature","realm":"${TENANT}","__proto__":null}`,
      ) as unknown,
    },
    AccessToken: {
      [at]: JSON.parse(
        `{"home_account_id":"${HOME}","environment":"${ENV}","credential_type":"AccessToken","client_id":"${CLIENT}","secret":"at-secret","realm":"${TENANT}","target":"User.Read openid profile","cached_at":"1767225600","expires_on":"4102444800","extended_expires_on":"4102444800","token_type":"Bearer","__proto__":"a string","constructor":{"prototype":{"polluted":true}},"toString":7}`,
      ) as unknown,
    },
    RefreshToken: {
      [`${HOME}-${ENV}-refreshtoken-${CLIENT}---`]: JSON.parse(
        `{"home_account_id":"${HOME}","environment":"${ENV}","credential_type":"RefreshToken","client_id":"${CLIENT}","secret":"rt-secret","__proto__":{"__proto__":{"deep":true}}}`,
      ) as unknown,
    },
    AppMetadata: { [`appmetadata-${ENV}-${CLIENT}`]: JSON.parse(`{"client_id":"${CLIENT}","environment":"${ENV}","__proto__":["x"]}`) as unknown },
  })
}

/** What @azure/msal-node 7.2.1 writes after loading `text`. */
function msalNodeRoundTrip(text: string): string {
  const cache = new msal.PublicClientApplication({ auth: { clientId: CLIENT } }).getTokenCache()
  cache.deserialize(text)
  return cache.serialize()
}

function roundTrip(text: string): string {
  const cache = new TokenCache()
  cache.deserialize(text)
  return cache.serialize()
}

afterEach(() => {
  // Whatever a test loaded, no prototype was touched.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_NAMES)
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
})

describe('a `__proto__` field inside an entry', () => {
  it('is kept in every section and written back byte for byte, where msal-node writes it', () => {
    const text = cacheWithProtoFields()
    // The fixture really has the field as an own property of each entry.
    expect(text.match(/"__proto__":/g)).toHaveLength(6)
    const once = roundTrip(text)
    expect(once).toBe(text)
    expect(msalNodeRoundTrip(text)).toBe(text)
    expect(roundTrip(once)).toBe(once)
  })

  it('lives in the record’s extra bag as an own field, without giving the bag (or anything) a prototype', () => {
    const cache = new TokenCache({ clientId: CLIENT })
    cache.deserialize(cacheWithProtoFields())
    const [account] = [...cache.store.accounts()]
    expect(Object.hasOwn(account!.extra!, '__proto__')).toBe(true)
    expect(account!.extra!['__proto__']).toEqual({ polluted: true, isAdmin: true })
    expect(Object.keys(account!.extra!)).toEqual(['x_before', '__proto__', 'x_after'])
    expect((account!.extra as Record<string, unknown>)['polluted']).toBeUndefined()
    const [token] = [...cache.store.accessTokens()]
    expect(Object.keys(token!.extra!)).toEqual(['__proto__', 'constructor', 'toString'])
    expect(token!.extra!['toString']).toBe(7)
  })

  it('does not get in the way of using the entry', async () => {
    const cache = new TokenCache({ clientId: CLIENT })
    cache.deserialize(cacheWithProtoFields())
    const owner = { homeAccountId: HOME, environment: 'login.microsoftonline.com', clientId: CLIENT }
    expect(cache.store.findAccessToken({ ...owner, realm: TENANT, scopes: ['User.Read'] })?.secret).toBe('at-secret')
    expect(cache.store.findRefreshToken(owner)?.secret).toBe('rt-secret')
    expect(await cache.getAllAccounts()).toMatchObject([{ homeAccountId: HOME, username: 'ada@contoso.example', idToken: 'header.payload.signature' }])
  })
})

describe('a `__proto__` section or entry key', () => {
  it('a top-level section named `__proto__` is kept, in its place among the unknown sections', () => {
    const text = `{"Account":{},"IdToken":{},"AccessToken":{},"RefreshToken":{},"AppMetadata":{},"x-before":{"a":1},"__proto__":{"polluted":true,"nested":{"__proto__":1}},"constructor":"c","zz":[1]}`
    expect(roundTrip(text)).toBe(text)
    expect(msalNodeRoundTrip(text)).toBe(text)
    const scalar = `{"Account":{},"IdToken":{},"AccessToken":{},"RefreshToken":{},"AppMetadata":{},"__proto__":"just a string"}`
    expect(roundTrip(scalar)).toBe(scalar)
  })

  it('an entry keyed `__proto__` (a key another writer chose) goes back under that key', () => {
    const entry = `{"client_id":"${CLIENT}","environment":"${ENV}","family_id":"1"}`
    const text = `{"Account":{},"IdToken":{},"AccessToken":{},"RefreshToken":{},"AppMetadata":{"__proto__":${entry}}}`
    expect(roundTrip(text)).toBe(text)
    const cache = new TokenCache()
    cache.deserialize(text)
    expect(cache.store.findAppMetadata(CLIENT, ENV)?.familyId).toBe('1')
  })

  it('the file merge of concurrent writers keeps them, and an entry we removed stays removed whatever its key', () => {
    const at = (secret: string): string =>
      `{"home_account_id":"","environment":"${ENV}","credential_type":"AccessToken","client_id":"${CLIENT}","secret":"${secret}","realm":"${TENANT}","target":"r/.default","cached_at":"1","expires_on":"4102444800","extended_expires_on":"4102444800","token_type":"Bearer"}`
    const base = `{"Account":{},"IdToken":{},"AccessToken":{"constructor":${at('removed-by-us')},"toString":${at('kept')}},"RefreshToken":{},"AppMetadata":{}}`
    // We removed the "constructor" entry; another process added a "__proto__" entry and section.
    const ours = `{"Account":{},"IdToken":{},"AccessToken":{"toString":${at('kept')}},"RefreshToken":{},"AppMetadata":{}}`
    const theirs = `{"Account":{},"IdToken":{},"AccessToken":{"constructor":${at('removed-by-us')},"toString":${at('kept')},"__proto__":${at('theirs')}},"RefreshToken":{},"AppMetadata":{},"__proto__":{"theirs":true}}`
    const merged = mergeCaches(base, ours, theirs)
    expect(merged).toBe(`{"Account":{},"IdToken":{},"AccessToken":{"toString":${at('kept')},"__proto__":${at('theirs')}},"RefreshToken":{},"AppMetadata":{},"__proto__":{"theirs":true}}`)
    expect(roundTrip(merged)).toBe(merged)
  })
})
