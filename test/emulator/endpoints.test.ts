/**
 * The emulator's endpoints on the wire, as a client that speaks the protocol by hand sees them:
 * discovery, JWKS, authorize (page and auto-approve), every grant with its happy path and its
 * Entra errors, the device code pages, the Graph look-alike, and the strictness checks.
 */
import { createHash, randomBytes } from 'node:crypto'
import { createLocalJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULTS, defaultConfig, parseEmulatorConfig, startEmulator, type Emulator } from '../../src/emulator/index.js'
import { passLoopbackThrough, postForm } from './loopback.js'

const [ADELE, ALEX] = DEFAULTS.users
const REDIRECT = 'http://localhost:8400/'
const USER_SCOPE = 'User.Read openid profile offline_access'

let emulator: Emulator
let manual: Emulator
beforeAll(async () => {
  ;[emulator, manual] = await Promise.all([startEmulator({ autoApprove: true }), startEmulator({ config: { ...defaultConfig(), deviceCodeInterval: 1 } })])
})
afterAll(async () => {
  await Promise.all([emulator.close(), manual.close()])
})
passLoopbackThrough()

const tokenUrl = (e: Emulator = emulator) => `${e.authority()}/oauth2/v2.0/token`

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

async function authorize(e: Emulator, params: Record<string, string>): Promise<Response> {
  const url = new URL(`${e.authority()}/oauth2/v2.0/authorize`)
  for (const [k, v] of Object.entries({ client_id: DEFAULTS.publicClientId, response_type: 'code', redirect_uri: REDIRECT, scope: USER_SCOPE, ...params })) url.searchParams.set(k, v)
  return fetch(url, { redirect: 'manual' })
}

async function codeFor(params: Record<string, string> = {}): Promise<{ code: string; verifier: string; location: URL }> {
  const { verifier, challenge } = pkce()
  const res = await authorize(emulator, { code_challenge: challenge, code_challenge_method: 'S256', state: 's-1', ...params })
  expect(res.status).toBe(302)
  const location = new URL(res.headers.get('location')!)
  return { code: location.searchParams.get('code')!, verifier, location }
}

function expectEntraError(body: Record<string, unknown>, error: string, code: number): void {
  expect(body.error).toBe(error)
  expect(body.error_codes).toEqual([code])
  expect(body.error_description).toMatch(new RegExp(`^AADSTS${code}: .+\\r\\nTrace ID: [0-9a-f-]{36}\\r\\nCorrelation ID: [0-9a-f-]{36}\\r\\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`))
  expect(body).toMatchObject({ timestamp: expect.any(String), trace_id: expect.any(String), correlation_id: expect.any(String) })
}

describe('discovery and keys', () => {
  it('serves tenant-scoped OpenID configuration whose JWKS verifies the tokens', async () => {
    const doc = (await (await fetch(`${emulator.authority()}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>
    expect(doc.issuer).toBe(`${emulator.url}/${DEFAULTS.tenantId}/v2.0`)
    expect(doc.token_endpoint).toBe(tokenUrl())
    expect(doc.device_authorization_endpoint).toBe(`${emulator.authority()}/oauth2/v2.0/devicecode`)
    const byDomain = (await (await fetch(`${emulator.url}/${DEFAULTS.tenantDomain}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>
    expect(byDomain.issuer).toBe(doc.issuer)
    const common = (await (await fetch(`${emulator.url}/common/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>
    expect(common.issuer).toBe(`${emulator.url}/{tenantid}/v2.0`)
    const jwks = (await (await fetch(doc.jwks_uri!)).json()) as JSONWebKeySet
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: expect.any(String) })
    expect(jwks.keys[0]).not.toHaveProperty('d')

    const { code, verifier } = await codeFor()
    const res = await postForm(tokenUrl(), { client_id: DEFAULTS.publicClientId, grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, scope: USER_SCOPE })
    await expect(jwtVerify(res.body.id_token as string, createLocalJWKSet(jwks), { issuer: doc.issuer, audience: DEFAULTS.publicClientId })).resolves.toBeTruthy()
  })

  it('answers invalid_tenant AADSTS90002 for an unknown tenant, and consumers', async () => {
    for (const tenant of ['fabrikam.onmicrosoft.com', 'consumers', '00000000-0000-0000-0000-000000000000']) {
      const res = await fetch(`${emulator.url}/${tenant}/v2.0/.well-known/openid-configuration`)
      expect(res.status).toBe(400)
      expectEntraError((await res.json()) as Record<string, unknown>, 'invalid_tenant', 90002)
    }
  })
})

describe('authorization code with PKCE', () => {
  it('auto-approves, redirects with code, state and client_info, and redeems the code once', async () => {
    const { code, verifier, location } = await codeFor({ client_info: '1', nonce: 'n-1', login_hint: ALEX!.username })
    expect(location.origin + location.pathname).toBe(REDIRECT)
    expect(location.searchParams.get('state')).toBe('s-1')
    expect(JSON.parse(Buffer.from(location.searchParams.get('client_info')!, 'base64url').toString())).toEqual({ uid: ALEX!.id, utid: DEFAULTS.tenantId })
    const fields = { client_id: DEFAULTS.publicClientId, grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, scope: USER_SCOPE, client_info: '1' }
    const res = await postForm(tokenUrl(), fields)
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile User.Read', expires_in: 3600, refresh_token: expect.any(String) })
    expect(decodeJwt(res.body.id_token as string)).toMatchObject({ nonce: 'n-1', oid: ALEX!.id, tid: DEFAULTS.tenantId, preferred_username: ALEX!.username, aud: DEFAULTS.publicClientId })
    expect(decodeJwt(res.body.access_token as string)).toMatchObject({ aud: 'https://graph.microsoft.com', scp: 'User.Read', azpacr: '0' })
    expect(JSON.parse(Buffer.from(res.body.client_info as string, 'base64url').toString())).toEqual({ uid: ALEX!.id, utid: DEFAULTS.tenantId })

    const again = await postForm(tokenUrl(), fields)
    expectEntraError(again.body, 'invalid_grant', 54005)
  })

  it('refuses a wrong verifier (AADSTS501481), a missing one, and another redirect URI (AADSTS500112)', async () => {
    const base = { client_id: DEFAULTS.publicClientId, grant_type: 'authorization_code', redirect_uri: REDIRECT, scope: USER_SCOPE }
    const wrong = await codeFor()
    expectEntraError((await postForm(tokenUrl(), { ...base, code: wrong.code, code_verifier: pkce().verifier })).body, 'invalid_grant', 501481)
    const missing = await codeFor()
    expectEntraError((await postForm(tokenUrl(), { ...base, code: missing.code })).body, 'invalid_grant', 501481)
    const moved = await codeFor()
    expectEntraError((await postForm(tokenUrl(), { ...base, code: moved.code, code_verifier: moved.verifier, redirect_uri: 'http://localhost:9999/' })).body, 'invalid_grant', 500112)
  })

  it('an expired code: AADSTS70008; an unknown one: AADSTS9002313', async () => {
    const { verifier, challenge } = pkce()
    const res = await authorize(manual, { code_challenge: challenge, code_challenge_method: 'S256', prompt: 'none' })
    expect(new URL(res.headers.get('location')!).searchParams.get('error')).toBe('login_required')
    const page = await (await authorize(manual, { code_challenge: challenge, code_challenge_method: 'S256' })).text()
    const signin = /name="signin" value="([^"]+)"/.exec(page)![1]!
    const login = await fetch(`${manual.authority()}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ signin, user: ADELE!.id }) })
    const code = new URL(login.headers.get('location')!).searchParams.get('code')!
    manual.advanceTime(601)
    const body = { client_id: DEFAULTS.publicClientId, grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, scope: USER_SCOPE }
    expectEntraError((await postForm(tokenUrl(manual), body)).body, 'invalid_grant', 70008)
    expectEntraError((await postForm(tokenUrl(manual), { ...body, code: 'not-a-code' })).body, 'invalid_grant', 9002313)
  })

  it('shows a sign-in page listing the users; Cancel redirects with access_denied', async () => {
    const res = await authorize(manual, { state: 'st' })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/html/)
    const page = await res.text()
    expect(page).toContain(ADELE!.username)
    expect(page).toContain(ALEX!.username)
    expect(page).toContain('Contoso Desktop')
    const signin = /name="signin" value="([^"]+)"/.exec(page)![1]!
    const cancel = await fetch(`${manual.authority()}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ signin, cancel: '1' }) })
    const location = new URL(cancel.headers.get('location')!)
    expect(location.searchParams.get('error')).toBe('access_denied')
    expect(location.searchParams.get('error_description')).toMatch(/^AADSTS65004: /)
    expect(location.searchParams.get('state')).toBe('st')
  })

  it('shows errors about the client or redirect URI as a page, and the rest on the redirect', async () => {
    const badRedirect = await authorize(emulator, { redirect_uri: 'https://evil.example/cb' })
    expect(badRedirect.status).toBe(400)
    expect(await badRedirect.text()).toContain('AADSTS50011')
    const badClient = await authorize(emulator, { client_id: '00000000-0000-0000-0000-000000000001' })
    expect(await badClient.text()).toContain('AADSTS700016')
    const badScope = await authorize(emulator, { scope: 'openid Nope.Nothing', state: 'x' })
    const location = new URL(badScope.headers.get('location')!)
    expect(location.searchParams.get('error')).toBe('invalid_scope')
    expect(location.searchParams.get('error_description')).toMatch(/^AADSTS70011: /)
    const twoResources = await authorize(emulator, { scope: `openid User.Read ${DEFAULTS.apiAppIdUri}/access_as_user` })
    expect(new URL(twoResources.headers.get('location')!).searchParams.get('error_description')).toMatch(/^AADSTS28000: /)
    const implicit = await authorize(emulator, { response_type: 'token' })
    expect(new URL(implicit.headers.get('location')!).searchParams.get('error')).toBe('unsupported_response_type')
    const loopbackAnyPort = await authorize(emulator, { redirect_uri: 'http://127.0.0.1:53111' })
    expect(loopbackAnyPort.status).toBe(302)
  })
})

describe('refresh tokens', () => {
  async function refreshTokenFor(): Promise<string> {
    const { code, verifier } = await codeFor()
    const res = await postForm(tokenUrl(), { client_id: DEFAULTS.publicClientId, grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, scope: USER_SCOPE })
    return res.body.refresh_token as string
  }

  it('rotate: each one works once and brings a successor; a used one gets AADSTS70008', async () => {
    const first = await refreshTokenFor()
    const fields = { client_id: DEFAULTS.publicClientId, grant_type: 'refresh_token', scope: `${DEFAULTS.graph}/Mail.Read openid offline_access` }
    const res = await postForm(tokenUrl(), { ...fields, refresh_token: first })
    expect(res.status).toBe(200)
    expect(decodeJwt(res.body.access_token as string).scp).toBe('Mail.Read')
    expect(res.body.refresh_token).not.toBe(first)
    expectEntraError((await postForm(tokenUrl(), { ...fields, refresh_token: first })).body, 'invalid_grant', 70008)
    expect((await postForm(tokenUrl(), { ...fields, refresh_token: res.body.refresh_token as string })).status).toBe(200)
  })

  it('expire after their lifetime: AADSTS700082; belong to their client (suberror client_mismatch)', async () => {
    const { verifier, challenge } = pkce()
    const m = await startEmulator({ autoApprove: true, config: { ...defaultConfig(), lifetimes: { refreshToken: 60 } } })
    try {
      const res = await authorize(m, { code_challenge: challenge, code_challenge_method: 'S256' })
      const code = new URL(res.headers.get('location')!).searchParams.get('code')!
      const tokens = await postForm(`${m.authority()}/oauth2/v2.0/token`, { client_id: DEFAULTS.publicClientId, grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, scope: USER_SCOPE })
      const rt = tokens.body.refresh_token as string
      const other = await postForm(`${m.authority()}/oauth2/v2.0/token`, { client_id: DEFAULTS.apiClientId, client_secret: DEFAULTS.apiSecret, grant_type: 'refresh_token', refresh_token: rt, scope: USER_SCOPE })
      expectEntraError(other.body, 'invalid_grant', 70000)
      expect(other.body.suberror).toBe('client_mismatch')
      m.advanceTime(61)
      const expired = await postForm(`${m.authority()}/oauth2/v2.0/token`, { client_id: DEFAULTS.publicClientId, grant_type: 'refresh_token', refresh_token: rt, scope: USER_SCOPE })
      expectEntraError(expired.body, 'invalid_grant', 700082)
    } finally {
      await m.close()
    }
  })
})

describe('device code', () => {
  const start = (e: Emulator) => postForm(`${e.authority()}/oauth2/v2.0/devicecode`, { client_id: DEFAULTS.publicClientId, scope: USER_SCOPE })
  const poll = (e: Emulator, deviceCode: string) =>
    postForm(tokenUrl(e), { client_id: DEFAULTS.publicClientId, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: deviceCode, client_info: '1' })

  it('is pending, slows down a fast poller, then answers once approved on the page', async () => {
    const dc = (await start(manual)).body
    expect(dc).toMatchObject({ user_code: expect.stringMatching(/^[A-Z2-9]{9}$/), verification_uri: `${manual.url}/devicelogin`, expires_in: 900, interval: 1 })
    expect(dc.message).toContain(dc.user_code)
    expectEntraError((await poll(manual, dc.device_code as string)).body, 'authorization_pending', 70016)
    const fast = await poll(manual, dc.device_code as string)
    expect(fast.body.error).toBe('slow_down')
    expect(manual.pendingDeviceCodes().map((d) => d.userCode)).toContain(dc.user_code)

    const page = await (await fetch(`${manual.url}/devicelogin?otc=${dc.user_code as string}`)).text()
    expect(page).toContain(`value="${dc.user_code as string}"`)
    const done = await fetch(`${manual.url}/devicelogin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ user_code: dc.user_code as string, user: ALEX!.id, approve: '1' }) })
    expect(await done.text()).toContain('You have signed in')
    manual.advanceTime(2)
    const tokens = await poll(manual, dc.device_code as string)
    expect(tokens.status).toBe(200)
    expect(decodeJwt(tokens.body.id_token as string).oid).toBe(ALEX!.id)
    manual.advanceTime(2)
    expectEntraError((await poll(manual, dc.device_code as string)).body, 'invalid_grant', 70000)
  })

  it('declined: authorization_declined; too late: expired_token AADSTS70019; approve API', async () => {
    const declined = (await start(manual)).body
    manual.declineDeviceCode(declined.user_code as string)
    manual.advanceTime(2)
    expect((await poll(manual, declined.device_code as string)).body.error).toBe('authorization_declined')
    const late = (await start(manual)).body
    manual.advanceTime(901)
    expectEntraError((await poll(manual, late.device_code as string)).body, 'expired_token', 70019)
    const viaApi = (await start(manual)).body
    const approved = await fetch(`${manual.url}/_emulator/devicecode/approve`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_code: viaApi.user_code, username: ADELE!.username }) })
    expect(await approved.json()).toEqual({ approved: viaApi.user_code, username: ADELE!.username })
    manual.advanceTime(2)
    expect((await poll(manual, viaApi.device_code as string)).status).toBe(200)
  })
})

describe('username and password (ROPC)', () => {
  const ropc = (username: string, password: string, config?: Emulator) =>
    postForm(tokenUrl(config), { client_id: DEFAULTS.publicClientId, grant_type: 'password', username, password, scope: USER_SCOPE, client_info: '1' })

  it('signs in with the right password; AADSTS50126 with a wrong one; AADSTS50034 for an unknown user', async () => {
    const ok = await ropc(ADELE!.username, ADELE!.password)
    expect(ok.status).toBe(200)
    expect(decodeJwt(ok.body.id_token as string).preferred_username).toBe(ADELE!.username)
    expectEntraError((await ropc(ADELE!.username, 'wrong')).body, 'invalid_grant', 50126)
    expectEntraError((await ropc('nobody@contoso.onmicrosoft.com', 'x')).body, 'invalid_grant', 50034)
  })

  it('a user under MFA gets AADSTS50076 with suberror basic_action', async () => {
    const config = defaultConfig()
    config.users = config.users!.map((u) => ({ ...u, mfaRequired: true }))
    const m = await startEmulator({ config })
    try {
      const res = await ropc(ADELE!.username, ADELE!.password, m)
      expectEntraError(res.body, 'invalid_grant', 50076)
      expect(res.body.suberror).toBe('basic_action')
    } finally {
      await m.close()
    }
  })
})

describe('on-behalf-of', () => {
  it("swaps a user's token for the API for a Graph token for the same user", async () => {
    const userToken = await postForm(tokenUrl(), { client_id: DEFAULTS.publicClientId, grant_type: 'password', username: ADELE!.username, password: ADELE!.password, scope: `${DEFAULTS.apiAppIdUri}/access_as_user openid` })
    const assertion = userToken.body.access_token as string
    expect(decodeJwt(assertion).aud).toBe(DEFAULTS.apiClientId)
    const obo = { client_id: DEFAULTS.apiClientId, client_secret: DEFAULTS.apiSecret, grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', requested_token_use: 'on_behalf_of', scope: 'User.Read offline_access' }
    const res = await postForm(tokenUrl(), { ...obo, assertion })
    expect(res.status).toBe(200)
    expect(decodeJwt(res.body.access_token as string)).toMatchObject({ aud: 'https://graph.microsoft.com', oid: ADELE!.id, azp: DEFAULTS.apiClientId, scp: 'User.Read' })
    expect(res.body.refresh_token).toEqual(expect.any(String))

    const graphToken = await postForm(tokenUrl(), { client_id: DEFAULTS.publicClientId, grant_type: 'password', username: ADELE!.username, password: ADELE!.password, scope: 'User.Read' })
    expectEntraError((await postForm(tokenUrl(), { ...obo, assertion: graphToken.body.access_token as string })).body, 'invalid_grant', 50013)
    expectEntraError((await postForm(tokenUrl(), { ...obo, assertion: 'a.b.c' })).body, 'invalid_request', 50027)
  })
})

describe('strictness', () => {
  it('refuses GET on the token endpoint (AADSTS900561), JSON bodies and missing fields (AADSTS900144), unknown grants (AADSTS70003)', async () => {
    const get = await fetch(tokenUrl())
    expect(get.status).toBe(400)
    expectEntraError((await get.json()) as Record<string, unknown>, 'invalid_request', 900561)
    const asJson = await fetch(tokenUrl(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'client_credentials' }) })
    const jsonBody = (await asJson.json()) as Record<string, unknown>
    expectEntraError(jsonBody, 'invalid_request', 900144)
    expect(jsonBody.error_description).toContain("'grant_type'")
    expectEntraError((await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: DEFAULTS.daemonClientId, client_secret: DEFAULTS.daemonSecret })).body, 'invalid_request', 900144)
    expectEntraError((await postForm(tokenUrl(), { grant_type: 'implicit', client_id: DEFAULTS.daemonClientId })).body, 'unsupported_grant_type', 70003)
  })

  it('client credentials: .default only (AADSTS1002012), a tenant needed (AADSTS50059), no credential (AADSTS7000216), public client credential (AADSTS700025)', async () => {
    const cc = { grant_type: 'client_credentials', client_id: DEFAULTS.daemonClientId, client_secret: DEFAULTS.daemonSecret }
    expectEntraError((await postForm(tokenUrl(), { ...cc, scope: 'https://graph.microsoft.com/User.Read' })).body, 'invalid_scope', 1002012)
    expectEntraError((await postForm(`${emulator.url}/common/oauth2/v2.0/token`, { ...cc, scope: `${DEFAULTS.graph}/.default` })).body, 'invalid_request', 50059)
    expectEntraError((await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: DEFAULTS.daemonClientId, scope: `${DEFAULTS.graph}/.default` })).body, 'invalid_client', 7000216)
    const pub = await postForm(tokenUrl(), { grant_type: 'password', client_id: DEFAULTS.publicClientId, client_secret: 'x', username: ADELE!.username, password: ADELE!.password, scope: USER_SCOPE })
    expectEntraError(pub.body, 'invalid_client', 700025)
    expect(pub.status).toBe(401)
  })

  it('echoes client-request-id as the correlation id', async () => {
    const id = '0b9e6c2a-5d7f-4e3a-9c1b-2a4d6f8e0c1a'
    const res = await postForm(tokenUrl(), { grant_type: 'nope', client_id: DEFAULTS.daemonClientId }, { 'client-request-id': id, 'return-client-request-id': 'true' })
    expect(res.body.correlation_id).toBe(id)
    expect(res.headers.get('client-request-id')).toBe(id)
  })

  it('checks its configuration strictly', () => {
    expect(() => parseEmulatorConfig({ ...defaultConfig(), extra: true })).toThrow(/\(root\): unknown field "extra"/)
    expect(() => parseEmulatorConfig({ tenants: [{ id: 'contoso' }] })).toThrow(/tenants\.0\.id: must be a GUID/)
    expect(() => parseEmulatorConfig({ tenants: [] })).toThrow(/tenants: must be at least 1/)
    expect(() => parseEmulatorConfig({ ...defaultConfig(), clients: [{ clientId: DEFAULTS.publicClientId, tenant: DEFAULTS.tenantId, name: 'x', type: 'spa' }] })).toThrow(/clients\.0\.type: must be one of "public", "confidential"/)
    expect(() => parseEmulatorConfig({ ...defaultConfig(), users: [{ ...DEFAULTS.users[0], tenant: '00000000-0000-0000-0000-000000000000' }] })).toThrow(/users\.0\.tenant .* is not in tenants/)
  })
})

describe('the Graph look-alike', () => {
  it('GET /v1.0/me with a user token; /v1.0/users with an app token; 401 without a valid token', async () => {
    const user = await postForm(tokenUrl(), { client_id: DEFAULTS.publicClientId, grant_type: 'password', username: ADELE!.username, password: ADELE!.password, scope: 'User.Read' })
    const me = await fetch(`${emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${user.body.access_token as string}` } })
    expect(await me.json()).toMatchObject({ id: ADELE!.id, displayName: ADELE!.name, userPrincipalName: ADELE!.username })
    const app = await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: DEFAULTS.daemonClientId, client_secret: DEFAULTS.daemonSecret, scope: `${DEFAULTS.graph}/.default` })
    const users = (await (await fetch(`${emulator.url}/v1.0/users`, { headers: { authorization: `Bearer ${app.body.access_token as string}` } })).json()) as { value: unknown[] }
    expect(users.value).toHaveLength(2)
    const appMe = await fetch(`${emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${app.body.access_token as string}` } })
    expect(appMe.status).toBe(400)
    const none = await fetch(`${emulator.url}/v1.0/me`)
    expect(none.status).toBe(401)
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /)
    const tampered = (user.body.access_token as string).slice(0, -4) + 'AAAA'
    expect((await fetch(`${emulator.url}/v1.0/me`, { headers: { authorization: `Bearer ${tampered}` } })).status).toBe(401)
  })
})
