/**
 * Security checks through the public flows, beyond what test/protocol/id-token.test.ts and
 * test/flows/ already cover: forged id tokens (alg none, HMAC keyed with the provider's public key,
 * a key the JWKS does not hold) refused by acquireTokenByCode with nothing cached; PKCE, state and
 * nonce on every interactive sign-in URL, whatever the request adds; the loopback listener's
 * address, exact path, junk handling and single use; token endpoint redirects never followed by a
 * real flow, so a code or refresh token is never re-posted elsewhere.
 */
import { createPublicKey } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { SignJWT, UnsecuredJWT, exportJWK } from 'jose'
import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import { AuthError, ClientAuthError, PublicClientApplication } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, HOST, TENANT, fakeAccessToken, tokenUrl } from '../msw/entra.js'
import { FakeEntra, KID, OTHER_KID, USER, clientInfoOf, signIdToken, testJwks } from '../flows/fake-entra.js'

const AUTHORITY = `${HOST}/${TENANT}`
const REDIRECT = 'http://localhost:5123'
const CODE = 'code-0.AQABAAIAAAD--security-secret'
const publicPem = readFileSync(new URL('../../fixtures/keys/rsa-pkcs8.pem', import.meta.url), 'utf8')

function app(): PublicClientApplication {
  return new PublicClientApplication({ auth: { clientId: CLIENT_ID, authority: AUTHORITY } })
}

const claims = (): Record<string, unknown> => {
  const now = Math.floor(Date.now() / 1000)
  return { aud: CLIENT_ID, iss: `${HOST}/${TENANT}/v2.0`, tid: TENANT, oid: USER.oid, sub: 'sub-1', iat: now, nbf: now, exp: now + 3600, preferred_username: USER.preferred_username }
}

/** Redeems a code whose token response carries `idToken`; returns the error, the JWKS fetches and the cache before/after. */
async function redeemWith(idToken: string): Promise<{ error: unknown; jwksFetches: number; before: string; after: string }> {
  let jwksFetches = 0
  server.use(
    http.get(`${AUTHORITY}/discovery/v2.0/keys`, async () => {
      jwksFetches++
      return HttpResponse.json(await testJwks())
    }),
    http.post(tokenUrl(), () =>
      HttpResponse.json({ token_type: 'Bearer', scope: 'User.Read openid profile', expires_in: 3599, access_token: fakeAccessToken(), refresh_token: 'rt-forged-secret', id_token: idToken, client_info: clientInfoOf() }),
    ),
  )
  const a = app()
  const before = a.getTokenCache().serialize()
  const error = await a.acquireTokenByCode({ code: CODE, redirectUri: REDIRECT, scopes: ['User.Read'] }).then(
    () => undefined,
    (e: unknown) => e,
  )
  return { error, jwksFetches, before, after: a.getTokenCache().serialize() }
}

async function expectRefused(idToken: string, message: RegExp): Promise<number> {
  const { error, jwksFetches, before, after } = await redeemWith(idToken)
  expect(error).toBeInstanceOf(ClientAuthError)
  expect(error).toMatchObject({ errorCode: 'invalid_id_token' })
  expect((error as Error).message).toMatch(message)
  for (const part of idToken.split('.').filter((p) => p.length > 8)) expect(String(error)).not.toContain(part)
  expect(String(error)).not.toContain('rt-forged-secret')
  // Nothing of the response is kept: no account, no access or refresh token.
  expect(after).toBe(before)
  return jwksFetches
}

describe('forged id tokens are refused by acquireTokenByCode, and nothing is cached', () => {
  it('alg none (unsigned), with and without a kid', async () => {
    await expectRefused(new UnsecuredJWT(claims()).encode(), /not allowed|not a well-formed/)
    const header = Buffer.from(JSON.stringify({ alg: 'none', kid: KID, typ: 'JWT' })).toString('base64url')
    await expectRefused(`${header}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`, /not allowed|not a well-formed/)
  })

  it('HS256 keyed with the JWKS public key itself (PEM, JWK JSON, raw modulus): the algorithm confusion attack', async () => {
    const pub = createPublicKey(publicPem)
    const jwk = await exportJWK(pub)
    const secrets = [
      new TextEncoder().encode(pub.export({ type: 'spki', format: 'pem' }) as string),
      new TextEncoder().encode(JSON.stringify({ ...jwk, kid: KID, use: 'sig', alg: 'RS256' })),
      Buffer.from(jwk.n!, 'base64url'),
      new Uint8Array(pub.export({ type: 'spki', format: 'der' })),
    ]
    for (const alg of ['HS256', 'HS384', 'HS512']) {
      for (const secret of secrets) {
        const forged = await new SignJWT(claims()).setProtectedHeader({ alg, kid: KID, typ: 'JWT' }).sign(secret)
        await expectRefused(forged, /algorithm is not allowed/)
      }
    }
  })

  it('signed by a key the JWKS does not hold (its own kid): refused; keys fetched just now are not fetched again (cooldown)', async () => {
    const jwksFetches = await expectRefused(await signIdToken({}, { key: 'other', kid: OTHER_KID }), /no key.*matches/)
    expect(jwksFetches).toBe(1)
  })

  it('signed by another key under the JWKS kid', async () => {
    await expectRefused(await signIdToken({}, { key: 'other' }), /signature does not verify/)
  })

  it('a good id token still passes the same path (control)', async () => {
    const { error, after } = await redeemWith(await signIdToken())
    expect(error).toBeUndefined()
    expect(after).toContain(USER.oid)
  })
})

/** Starts an interactive sign-in, captures the authorize URL and ends the sign-in there. */
async function authorizeUrlOf(request: Partial<Parameters<PublicClientApplication['acquireTokenInteractive']>[0]>): Promise<URL> {
  const entra = new FakeEntra({ tenant: TENANT })
  server.use(...entra.handlers())
  let opened = ''
  const error = await app()
    .acquireTokenInteractive({
      scopes: ['User.Read'],
      ...request,
      openBrowser: async (url) => {
        opened = url
        throw new Error('test ends the sign-in here')
      },
    })
    .catch((e: unknown) => e)
  expect(error).toMatchObject({ errorCode: 'browser_open_failed' })
  return new URL(opened)
}

describe('every interactive sign-in URL carries PKCE (S256), state and nonce', () => {
  it('whatever the request adds, and fresh values each time', async () => {
    const requests = [
      {},
      { redirectUri: 'http://127.0.0.1/auth/done' },
      { prompt: 'select_account' as const, loginHint: 'adele@contoso.example', domainHint: 'contoso.example' },
      { claims: '{"id_token":{"acrs":{"essential":true,"value":"c1"}}}', scopes: [] },
      // A caller cannot switch PKCE or state off through extra parameters.
      { extraQueryParameters: { state: 'attacker-state', code_challenge_method: 'plain', code_challenge: 'weak', nonce: 'fixed', dc: 'ESTS-PUB' } },
    ]
    const seen = { challenge: new Set<string>(), state: new Set<string>(), nonce: new Set<string>() }
    for (const request of requests) {
      const url = await authorizeUrlOf(request)
      const q = url.searchParams
      for (const name of ['code_challenge', 'code_challenge_method', 'state', 'nonce']) expect(q.getAll(name), name).toHaveLength(1)
      expect(q.get('code_challenge_method')).toBe('S256')
      expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/)
      expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{22,}$/)
      expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{22,}$/)
      expect(q.get('response_type')).toBe('code')
      seen.challenge.add(q.get('code_challenge')!)
      seen.state.add(q.get('state')!)
      seen.nonce.add(q.get('nonce')!)
    }
    expect(seen.challenge.size).toBe(requests.length)
    expect(seen.state.size).toBe(requests.length)
    expect(seen.nonce.size).toBe(requests.length)
  })
})

/** Listening sockets on a port, from /proc/net/tcp{,6}: local address as hex, e.g. 0100007F for 127.0.0.1. */
function listenersOn(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const out: string[] = []
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      // 0A is LISTEN.
      if (local?.endsWith(`:${hexPort}`) && state === '0A') out.push(`${file.endsWith('6') ? 'tcp6' : 'tcp'} ${local.split(':')[0]}`)
    }
  }
  return out
}

function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port })
    socket.setTimeout(1000)
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

/** Sends raw bytes and returns whatever comes back (or '' when the socket is closed on us). */
function raw(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let answer = ''
    socket.setTimeout(300)
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')))
    socket.once('connect', () => socket.write(bytes))
    socket.once('close', () => resolve(answer))
    socket.once('error', () => resolve(answer))
    socket.once('timeout', () => socket.destroy())
  })
}

async function status(url: string): Promise<number> {
  const res = await fetch(url, { redirect: 'manual' })
  await res.arrayBuffer()
  return res.status
}

describe('the loopback listener', () => {
  it('binds 127.0.0.1 only, answers only its exact path, survives junk, and closes after one valid redirect', async () => {
    const entra = new FakeEntra({ tenant: TENANT })
    server.use(...entra.handlers())
    const checks: Record<string, unknown> = {}
    let port = 0
    const result = await app().acquireTokenInteractive({
      scopes: ['User.Read'],
      redirectUri: 'http://localhost/auth/done',
      openBrowser: async (url) => {
        const redirectUri = new URL(new URL(url).searchParams.get('redirect_uri')!)
        port = Number(redirectUri.port)
        const base = `http://127.0.0.1:${port}`
        const state = new URL(url).searchParams.get('state')!
        checks.listeners = listenersOn(port)
        checks.ipv6 = await canConnect('::1', port)
        // Only /auth/done: neighbours, prefixes, case and trailing slashes are not it.
        checks.paths = await Promise.all(['/auth', '/auth/done/', '/auth/DONE', '/auth/done/x', '/Auth/done', '/auth/donex', '/'].map((p) => status(`${base}${p}?code=x&state=${state}`)))
        // Junk: not HTTP at all, a huge header, a bad method, a request line with no path, a half request.
        checks.junk = await Promise.all([
          raw(port, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00, 0x00])),
          raw(port, `GET /auth/done HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Big: ${'a'.repeat(70_000)}\r\n\r\n`),
          raw(port, `BREW /auth/done?code=x&state=${state} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`),
          raw(port, 'GET\r\n\r\n'),
          raw(port, `GET /auth/done?code=x&st`),
        ]).then((answers) => answers.map((a) => a.split('\r\n')[0] ?? ''))
        void fetch(entra.authorize(url).replace('//localhost:', '//127.0.0.1:')).then((r) => r.text())
      },
    })
    expect(result.account?.homeAccountId).toBeDefined()
    if (existsSync('/proc/net/tcp')) expect(checks.listeners).toEqual(['tcp 0100007F'])
    expect(checks.ipv6).toBe(false)
    expect(checks.paths).toEqual([404, 404, 404, 404, 404, 404, 404])
    const junk = checks.junk as string[]
    // Node's parser answers what it cannot read with 400/431 (or drops the socket); never a success, never a crash.
    expect(junk[0]).toMatch(/^(HTTP\/1\.1 400 |$)/)
    expect(junk[1]).toMatch(/^HTTP\/1\.1 431 /)
    expect(junk[2]).toMatch(/^(HTTP\/1\.1 (400|405|501) |$)/)
    expect(junk[3]).toMatch(/^(HTTP\/1\.1 400 |$)/)
    expect(junk[4]).toMatch(/^(HTTP\/1\.1 (400|408) |$)/)
    // The one valid redirect was taken (the code was redeemed once), then the listener is gone.
    expect(entra.requests).toHaveLength(1)
    expect(await canConnect('127.0.0.1', port)).toBe(false)
    expect(listenersOn(port)).toEqual([])
  })
})

describe('redirects from the token endpoint are never followed by a flow', () => {
  it.each([301, 302, 303, 307, 308])('HTTP %i on a code redemption and on a refresh: refused, nothing re-sent, cache unchanged', async (status) => {
    const stolen: Request[] = []
    server.use(
      http.all('https://collector.example/*', ({ request }) => {
        stolen.push(request)
        return HttpResponse.json({ token_type: 'Bearer', expires_in: 3599, access_token: 'attacker-token' })
      }),
      http.post(tokenUrl(), () => new HttpResponse(null, { status, headers: { location: 'https://collector.example/token' } })),
    )
    const a = app()
    const before = a.getTokenCache().serialize()
    const codeError = await a.acquireTokenByCode({ code: CODE, redirectUri: REDIRECT }).catch((e: unknown) => e)
    const refreshError = await a.acquireTokenByRefreshToken({ refreshToken: 'rt-secret-never-forwarded', scopes: ['User.Read'] }).catch((e: unknown) => e)
    for (const error of [codeError, refreshError]) {
      expect(error).toBeInstanceOf(AuthError)
      expect(error).toMatchObject({ errorCode: 'redirect_not_followed', status })
      expect((error as AuthError).endpoint).toMatch(/^token endpoint/)
      expect(String(error)).not.toMatch(/collector\.example|rt-secret-never-forwarded|security-secret/)
    }
    expect(stolen).toHaveLength(0)
    expect(a.getTokenCache().serialize()).toBe(before)
  })
})
