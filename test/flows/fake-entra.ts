/**
 * A stateful stand-in for Entra's user-flow endpoints, served through msw: `/authorize` (answers
 * with the 302 a signed-in user's browser gets), `/token` (authorization_code with PKCE checked,
 * refresh_token with rotation, device_code, password, jwt-bearer), `/devicecode`, and the JWKS.
 * Id tokens are signed with the test RSA key in fixtures/keys. Every secret it hands out or
 * receives is remembered, so tests can scan errors and logs for them.
 */
import { createHash, createPublicKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { SignJWT, exportJWK, importPKCS8, type JWK } from 'jose'
import { http, HttpResponse, passthrough, type HttpHandler } from 'msw'
import { CLIENT_ID, HOST, TENANT, aadstsError, fakeAccessToken } from '../msw/entra.js'

export const KID = 'test-rsa-key-1'
export const OTHER_KID = 'test-rsa-key-2'
const keyFile = (name: string): string => readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8')

export const USER = {
  oid: '00000000-0000-0000-66f3-3332eca7ea81',
  tid: TENANT,
  preferred_username: 'adele.vance@contoso.example',
  name: 'Adele Vance',
}
export const HOME_ACCOUNT_ID = `${USER.oid}.${USER.tid}`
export const PASSWORD = 'P@ssw0rd-never-in-logs-1f9c'

let rsaKey: Promise<Awaited<ReturnType<typeof importPKCS8>>> | undefined
let otherKey: Promise<Awaited<ReturnType<typeof importPKCS8>>> | undefined
export function signingKey(which: 'rsa' | 'other' = 'rsa'): Promise<Awaited<ReturnType<typeof importPKCS8>>> {
  if (which === 'other') return (otherKey ??= importPKCS8(keyFile('other-rsa-pkcs8.pem'), 'RS256'))
  return (rsaKey ??= importPKCS8(keyFile('rsa-pkcs8.pem'), 'RS256'))
}

/** The JWKS Entra would publish: the test key under KID (public part only). */
export async function testJwks(): Promise<{ keys: JWK[] }> {
  const jwk = await exportJWK(createPublicKey(keyFile('rsa-pkcs8.pem')))
  return { keys: [{ ...jwk, kid: KID, use: 'sig', alg: 'RS256' }] }
}

export function clientInfoOf(uid = USER.oid, utid = USER.tid): string {
  return Buffer.from(JSON.stringify({ uid, utid })).toString('base64url')
}

export interface IdTokenOptions {
  key?: 'rsa' | 'other'
  kid?: string
  alg?: string
  /** Seconds since the epoch used for iat/nbf/exp. */
  now?: number
}

/** An Entra-shaped v2.0 id token for USER, signed with the test key; `claims` overrides any claim (undefined removes it). */
export async function signIdToken(claims: Record<string, unknown> = {}, options: IdTokenOptions = {}): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000)
  const payload: Record<string, unknown> = {
    aud: CLIENT_ID,
    iss: `${HOST}/${USER.tid}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    name: USER.name,
    oid: USER.oid,
    preferred_username: USER.preferred_username,
    sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
    tid: USER.tid,
    ver: '2.0',
    ...claims,
  }
  for (const [k, v] of Object.entries(payload)) if (v === undefined) delete payload[k]
  return new SignJWT(payload as never).setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? KID, typ: 'JWT' }).sign(await signingKey(options.key ?? 'rsa'))
}

interface CodeGrant {
  challenge: string | undefined
  method: string | undefined
  redirectUri: string
  nonce: string | undefined
  scope: string
}

export type DeviceStep = 'authorization_pending' | 'slow_down' | 'expired_token' | 'authorization_declined' | 'access_denied' | 'bad_verification_code' | 'success'

export interface FakeEntraOptions {
  tenant?: string
  clientId?: string
  /** Family (FOCI) refresh tokens: `foci: "1"` in responses. */
  foci?: boolean
  /** Extra claims on every id token (e.g. a wrong aud). */
  idTokenClaims?: Record<string, unknown>
  idTokenOptions?: IdTokenOptions
  /** Token lifetime in seconds. */
  expiresIn?: number
  refreshIn?: number
  /** Device code script: one step per poll. */
  deviceSteps?: DeviceStep[]
  deviceInterval?: number
  deviceExpiresIn?: number
}

export class FakeEntra {
  readonly tenant: string
  readonly clientId: string
  readonly options: FakeEntraOptions
  /** Every request to the token and device endpoints, cloned. */
  readonly requests: Request[] = []
  /** Every secret that crossed the wire: codes, verifiers, refresh tokens, device codes, passwords. */
  readonly secrets = new Set<string>([PASSWORD])
  readonly codes = new Map<string, CodeGrant>()
  readonly refreshTokens = new Set<string>()
  jwksFetches = 0
  authorizeCalls = 0
  #n = 0
  #deviceStep = 0

  constructor(options: FakeEntraOptions = {}) {
    this.options = options
    this.tenant = options.tenant ?? 'common'
    this.clientId = options.clientId ?? CLIENT_ID
  }

  get base(): string {
    return `${HOST}/${this.tenant}`
  }

  /** What the user's browser ends up at after signing in: the redirect URI with code and state. */
  authorize(authorizeUrl: string): string {
    const url = new URL(authorizeUrl)
    const q = url.searchParams
    if (`${url.origin}${url.pathname}` !== `${this.base}/oauth2/v2.0/authorize`) throw new Error(`unexpected authorize URL ${url.origin}${url.pathname}`)
    if (q.get('client_id') !== this.clientId || q.get('response_type') !== 'code') throw new Error('bad authorize request')
    this.authorizeCalls++
    const code = `code-${++this.#n}-0.AQABAAIAAAD--DLA3VO7QrddgJg7WevrAgDs_wQA9P-secret`
    this.secrets.add(code)
    this.codes.set(code, {
      challenge: q.get('code_challenge') ?? undefined,
      method: q.get('code_challenge_method') ?? undefined,
      redirectUri: q.get('redirect_uri') ?? '',
      nonce: q.get('nonce') ?? undefined,
      scope: q.get('scope') ?? '',
    })
    const back = new URL(q.get('redirect_uri') ?? 'http://localhost')
    back.searchParams.set('code', code)
    if (q.has('state')) back.searchParams.set('state', q.get('state')!)
    back.searchParams.set('client_info', clientInfoOf())
    back.searchParams.set('session_state', 'fake-session')
    return back.href
  }

  /** msw handlers for every endpoint, plus a passthrough for loopback redirects. */
  handlers(): HttpHandler[] {
    return [
      http.all(/^http:\/\/(localhost|127\.0\.0\.1):\d+/, () => passthrough()),
      http.get(`${HOST}/:tenant/discovery/v2.0/keys`, async () => {
        this.jwksFetches++
        return HttpResponse.json(await testJwks())
      }),
      http.get(`${this.base}/oauth2/v2.0/authorize`, ({ request }) => new HttpResponse(null, { status: 302, headers: { location: this.authorize(request.url) } })),
      http.post(`${this.base}/oauth2/v2.0/devicecode`, async ({ request }) => {
        this.requests.push(request.clone())
        const deviceCode = `device-code-${++this.#n}-secret`
        this.secrets.add(deviceCode)
        return HttpResponse.json({
          user_code: 'FAKE1234',
          device_code: deviceCode,
          verification_uri: 'https://microsoft.com/devicelogin',
          expires_in: this.options.deviceExpiresIn ?? 900,
          interval: this.options.deviceInterval ?? 5,
          message: 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code FAKE1234 to authenticate.',
        })
      }),
      http.post(`${this.base}/oauth2/v2.0/token`, async ({ request }) => {
        this.requests.push(request.clone())
        const f = Object.fromEntries(new URLSearchParams(await request.text()))
        for (const k of ['code', 'code_verifier', 'refresh_token', 'password', 'device_code', 'assertion']) if (f[k]) this.secrets.add(f[k])
        if (f.client_id !== this.clientId) return aadstsError('unauthorized_client', 700016)
        return this.#token(f)
      }),
    ]
  }

  async #token(f: Record<string, string>): Promise<Response> {
    switch (f.grant_type) {
      case 'authorization_code': {
        const grant = this.codes.get(f.code ?? '')
        if (!grant) return aadstsError('invalid_grant', 54005)
        this.codes.delete(f.code!)
        if (grant.redirectUri !== f.redirect_uri) return aadstsError('invalid_grant', 50148)
        if (grant.challenge !== undefined) {
          const computed = createHash('sha256').update(f.code_verifier ?? '').digest('base64url')
          if (grant.method !== 'S256' || computed !== grant.challenge) return aadstsError('invalid_grant', 501481)
        }
        return this.issue(f.scope ?? grant.scope, { nonce: grant.nonce })
      }
      case 'refresh_token': {
        // Entra rotates refresh tokens but the old one stays valid until it expires or is revoked.
        if (!this.refreshTokens.has(f.refresh_token ?? '')) return aadstsError('invalid_grant', 70008)
        return this.issue(f.scope ?? '')
      }
      case 'password':
        if (f.password !== PASSWORD) return aadstsError('invalid_grant', 50126)
        return this.issue(f.scope ?? '')
      case 'urn:ietf:params:oauth:grant-type:device_code': {
        const steps = this.options.deviceSteps ?? ['success']
        const step = steps[Math.min(this.#deviceStep++, steps.length - 1)]!
        if (step === 'success') return this.issue('User.Read openid profile offline_access')
        const codes: Record<string, number> = { authorization_pending: 70016, slow_down: 70016, expired_token: 70019, authorization_declined: 70020, access_denied: 65004, bad_verification_code: 70018 }
        return aadstsError(step, codes[step]!)
      }
      case 'urn:ietf:params:oauth:grant-type:jwt-bearer':
        return this.issue(f.scope ?? '')
      default:
        return aadstsError('unsupported_grant_type', 70003)
    }
  }

  /** A token response as Entra sends it: resource scopes plus `openid profile email`, a rotated refresh token, a signed id token. */
  async issue(requested: string, extra: { nonce?: string | undefined } = {}): Promise<Response> {
    const resource = requested.split(' ').filter((s) => s !== '' && !['openid', 'profile', 'offline_access', 'email'].includes(s))
    const scope = [...(resource.length > 0 ? resource : ['User.Read']), 'openid', 'profile', 'email'].join(' ')
    const refreshToken = `rt-${++this.#n}-0.AXkAv4j5cvGGr0GRqy180BHbR-secret`
    this.refreshTokens.add(refreshToken)
    this.secrets.add(refreshToken)
    const idToken = await signIdToken({ nonce: extra.nonce, ...this.options.idTokenClaims }, this.options.idTokenOptions)
    return HttpResponse.json({
      token_type: 'Bearer',
      scope,
      expires_in: this.options.expiresIn ?? 3599,
      ext_expires_in: this.options.expiresIn ?? 3599,
      ...(this.options.refreshIn === undefined ? {} : { refresh_in: this.options.refreshIn }),
      access_token: fakeAccessToken('user-at'),
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: clientInfoOf(),
      ...(this.options.foci ? { foci: '1' } : {}),
    })
  }
}

/** The form fields of a request. */
export async function formOf(request: Request): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await request.clone().text()))
}
