import { UnsecuredJWT, SignJWT } from 'jose'
import { describe, expect, it } from 'vitest'
import { ClientAuthError } from '../../src/index.js'
import { expectedIssuer, validateIdToken } from '../../src/protocol/id-token.js'
import { CLIENT_ID, TENANT } from '../msw/entra.js'
import { KID, OTHER_KID, USER, signIdToken, testJwks } from '../flows/fake-entra.js'

const COMMON_ISSUER = 'https://login.microsoftonline.com/{tenantid}/v2.0'
const ALIASES = ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net']
const NOW = Date.UTC(2026, 10, 21, 10, 0, 0)
const nowS = NOW / 1000

async function check(jwt: string, extra: Partial<Parameters<typeof validateIdToken>[2]> = {}): Promise<ClientAuthError | Record<string, unknown>> {
  try {
    return await validateIdToken(jwt, await testJwks(), { clientId: CLIENT_ID, issuer: COMMON_ISSUER, issuerHosts: ALIASES, now: NOW, ...extra })
  } catch (error) {
    if (!(error instanceof ClientAuthError)) throw error
    return error
  }
}

async function refused(jwt: string, code: string, message: RegExp, extra: Partial<Parameters<typeof validateIdToken>[2]> = {}): Promise<void> {
  const error = await check(jwt, extra)
  expect(error).toBeInstanceOf(ClientAuthError)
  const e = error as ClientAuthError
  expect(e.errorCode).toBe(code)
  expect(e.message).toMatch(message)
  // The message never quotes the token or any part of it.
  for (const part of jwt.split('.').filter((p) => p.length > 8)) expect(String(e) + (e.stack ?? '') + String(e.cause)).not.toContain(part)
}

describe('validateIdToken', () => {
  it('accepts a good token from common, with {tenantid} replaced by tid, and returns its claims', async () => {
    const claims = await check(await signIdToken({ nonce: 'n-1' }, { now: nowS }), { nonce: 'n-1' })
    expect(claims).toMatchObject({ oid: USER.oid, tid: TENANT, aud: CLIENT_ID, nonce: 'n-1' })
  })

  it('accepts another host of the same cloud in iss, and a tenant-specific issuer exactly', async () => {
    expect(await check(await signIdToken({ iss: `https://login.windows.net/${TENANT}/v2.0` }, { now: nowS }))).toMatchObject({ tid: TENANT })
    expect(await check(await signIdToken({}, { now: nowS }), { issuer: `https://login.microsoftonline.com/${TENANT}/v2.0` })).toMatchObject({ tid: TENANT })
  })

  it('tolerates small clock skew on exp and nbf', async () => {
    expect(await check(await signIdToken({ exp: nowS - 60 }, { now: nowS - 3600 }))).toMatchObject({ tid: TENANT })
    expect(await check(await signIdToken({ nbf: nowS + 60 }, { now: nowS }))).toMatchObject({ tid: TENANT })
  })

  it('refuses a bad signature (another key under the same kid)', async () => {
    await refused(await signIdToken({}, { now: nowS, key: 'other' }), 'invalid_id_token', /signature does not verify/)
  })

  it('refuses an unknown kid', async () => {
    await refused(await signIdToken({}, { now: nowS, kid: OTHER_KID }), 'invalid_id_token', /no key.*matches/)
  })

  it('refuses alg none and HMAC', async () => {
    const none = new UnsecuredJWT({ aud: CLIENT_ID, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, tid: TENANT, exp: nowS + 600 }).encode()
    await refused(none, 'invalid_id_token', /not allowed|not a well-formed/)
    const hmac = await new SignJWT({ aud: CLIENT_ID, iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, tid: TENANT, exp: nowS + 600 })
      .setProtectedHeader({ alg: 'HS256', kid: KID })
      .sign(new TextEncoder().encode('a-shared-secret-that-is-long-enough-32b'))
    await refused(hmac, 'invalid_id_token', /algorithm is not allowed/)
  })

  it('refuses a wrong aud', async () => {
    await refused(await signIdToken({ aud: 'another-app' }, { now: nowS }), 'invalid_id_token', new RegExp(`audience.*${CLIENT_ID}`))
  })

  it('refuses a wrong iss: another tenant than tid, another cloud, a look-alike host, a tenant-pinned authority', async () => {
    await refused(await signIdToken({ iss: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0' }, { now: nowS }), 'invalid_id_token', /issuer/)
    await refused(await signIdToken({ iss: `https://login.microsoftonline.us/${TENANT}/v2.0` }, { now: nowS }), 'invalid_id_token', /issuer/)
    await refused(await signIdToken({ iss: `https://login.microsoftonline.com.evil.example/${TENANT}/v2.0` }, { now: nowS }), 'invalid_id_token', /issuer/)
    await refused(await signIdToken({ iss: `https://sts.windows.net/${TENANT}/` }, { now: nowS }), 'invalid_id_token', /issuer/)
    await refused(await signIdToken({}, { now: nowS }), 'invalid_id_token', /issuer/, { issuer: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0' })
    await refused(await signIdToken({ tid: undefined }, { now: nowS }), 'invalid_id_token', /tid/)
  })

  it('refuses an expired token and one not valid yet, beyond the skew', async () => {
    await refused(await signIdToken({ exp: nowS - 600 }, { now: nowS - 4000 }), 'invalid_id_token', /expired/)
    await refused(await signIdToken({ nbf: nowS + 900 }, { now: nowS }), 'invalid_id_token', /not valid yet/)
  })

  it('refuses a nonce mismatch and a missing nonce when one was sent', async () => {
    await refused(await signIdToken({ nonce: 'other' }, { now: nowS }), 'nonce_mismatch', /does not match/, { nonce: 'n-1' })
    await refused(await signIdToken({}, { now: nowS }), 'nonce_mismatch', /missing/, { nonce: 'n-1' })
  })

  it('refuses garbage', async () => {
    await refused('zzgarbage0.qqqqqqqqqq1.wwwwwwwwww2', 'invalid_id_token', /well-formed|could not be verified/)
  })

  it('expectedIssuer substitutes only a plausible tid', () => {
    expect(expectedIssuer(COMMON_ISSUER, TENANT)).toBe(`https://login.microsoftonline.com/${TENANT}/v2.0`)
    expect(expectedIssuer(COMMON_ISSUER, '../evil')).toBeUndefined()
    expect(expectedIssuer('https://issuer.example', undefined)).toBe('https://issuer.example')
  })
})
