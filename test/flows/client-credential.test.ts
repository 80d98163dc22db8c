import { readFileSync } from 'node:fs'
import { createPublicKey, createHash } from 'node:crypto'
import { compactVerify } from 'jose'
import { HttpResponse, http } from 'msw'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ClientAuthError, ClientConfigurationError, ConfidentialClientApplication, ServerError } from '../../src/index.js'
import { thrown } from '../helpers.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, GRAPH_DEFAULT, SECRET, TENANT, aadstsError, appTokenResponse, decodeJwt, form, recordRequests, tokenEndpoint, tokenUrl } from '../msw/entra.js'

const AUTHORITY = `https://login.microsoftonline.com/${TENANT}`
const key = (name: string): string => readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8')
const CERT = key('rsa-cert.pem')
const SHA256 = key('rsa-cert.sha256').trim()
const SHA1 = key('rsa-cert.sha1').trim()

function secretApp(extra: Record<string, unknown> = {}): ConfidentialClientApplication {
  return new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientSecret: SECRET }, ...extra })
}

afterEach(() => {
  vi.useRealTimers()
})

describe('client credentials with a secret', () => {
  it('sends the form the daemon page shows and returns a typed result', async () => {
    const seen = recordRequests()
    const token = appTokenResponse()
    server.use(seen.handler, tokenEndpoint(token))
    const result = await secretApp().acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })

    expect(seen.requests).toHaveLength(1)
    const req = seen.requests[0]!
    expect(req.url).toBe(tokenUrl())
    expect(req.headers.get('content-type')).toMatch(/^application\/x-www-form-urlencoded/)
    expect(await form(req)).toEqual({ client_id: CLIENT_ID, client_secret: SECRET, scope: GRAPH_DEFAULT, grant_type: 'client_credentials' })
    expect(req.headers.get('client-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    expect(req.headers.get('x-client-SKU')).toBe('entra-oauth.node')
    expect(req.headers.get('x-client-VER')).toMatch(/^\d+\.\d+\.\d+/)

    expect(result.accessToken).toBe(token.access_token)
    expect(result.fromCache).toBe(false)
    expect(result.tokenType).toBe('Bearer')
    expect(result.account).toBeNull()
    expect(result.tenantId).toBe(TENANT)
    expect(result.scopes).toEqual([GRAPH_DEFAULT])
    expect(result.correlationId).toBe(req.headers.get('client-request-id'))
    expect(result.expiresOn!.getTime()).toBeGreaterThan(Date.now() + 3500_000)
  })

  it('serves the second call from the cache without sending anything', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const app = secretApp()
    const first = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    const second = await app.acquireTokenByClientCredential({ scopes: ['HTTPS://GRAPH.microsoft.com/.default'] })
    expect(seen.requests).toHaveLength(1)
    expect(second.fromCache).toBe(true)
    expect(second.accessToken).toBe(first.accessToken)
    expect(app.getTokenCache().accessTokens()).toHaveLength(1)
  })

  it('skipCache goes to the server and replaces the cached token', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint(() => HttpResponse.json(appTokenResponse())))
    const app = secretApp()
    const first = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    const second = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT], skipCache: true })
    expect(seen.requests).toHaveLength(2)
    expect(second.fromCache).toBe(false)
    expect(second.accessToken).not.toBe(first.accessToken)
    const cached = app.getTokenCache().accessTokens()
    expect(cached.map((t) => t.secret)).toEqual([second.accessToken])
  })

  it('100 concurrent calls on an empty cache send exactly one POST', async () => {
    const seen = recordRequests()
    server.use(
      seen.handler,
      tokenEndpoint(async () => {
        await new Promise((r) => setTimeout(r, 20))
        return HttpResponse.json(appTokenResponse())
      }),
    )
    const app = secretApp()
    const results = await Promise.all(Array.from({ length: 100 }, () => app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })))
    expect(seen.requests).toHaveLength(1)
    expect(new Set(results.map((r) => r.accessToken)).size).toBe(1)
    // Afterwards the cache serves, still without a request.
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(seen.requests).toHaveLength(1)
  })

  it('different scopes are different keys: two resources, two requests, two cache entries', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint(async (req) => HttpResponse.json(appTokenResponse({ scope: (await form(req)).scope }))))
    const app = secretApp()
    const [a, b] = await Promise.all([
      app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] }),
      app.acquireTokenByClientCredential({ scopes: ['https://management.azure.com//.default'] }),
    ])
    expect(seen.requests).toHaveLength(2)
    expect(a.accessToken).not.toBe(b.accessToken)
    expect(app.getTokenCache().accessTokens()).toHaveLength(2)
  })

  it('treats a token within five minutes of expiry as expired (fake timers)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-21T10:00:00Z'))
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint(() => HttpResponse.json(appTokenResponse({ expires_in: 3600 }))))
    const app = secretApp()
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    vi.setSystemTime(new Date('2026-11-21T10:54:00Z')) // 6 min left: still served
    expect((await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).fromCache).toBe(true)
    expect(seen.requests).toHaveLength(1)
    vi.setSystemTime(new Date('2026-11-21T10:55:01Z')) // under 5 min left: fetched again
    expect((await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).fromCache).toBe(false)
    expect(seen.requests).toHaveLength(2)
  })

  it('honours refresh_in: returns the cached token and refreshes in the background', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-21T10:00:00Z'))
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint(() => HttpResponse.json(appTokenResponse({ expires_in: 7200, refresh_in: 3600 }))))
    const app = secretApp()
    const first = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(first.refreshOn?.toISOString()).toBe('2026-11-21T11:00:00.000Z')
    vi.setSystemTime(new Date('2026-11-21T11:00:01Z'))
    const during = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(during.fromCache).toBe(true)
    expect(during.accessToken).toBe(first.accessToken)
    await vi.waitFor(() => expect(seen.requests).toHaveLength(2))
    await vi.waitFor(() => expect(app.getTokenCache().accessTokens()[0]!.secret).not.toBe(first.accessToken))
    const after = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(after.fromCache).toBe(true)
    expect(after.accessToken).not.toBe(first.accessToken)
    expect(seen.requests).toHaveLength(2)
  })

  it('a claims request bypasses the cache and sends the claims', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const app = secretApp()
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    const claims = '{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}'
    const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT], claims })
    expect(result.fromCache).toBe(false)
    expect(seen.requests).toHaveLength(2)
    expect((await form(seen.requests[1]!)).claims).toBe(claims)
  })

  it('sends the v1.0 double-slash scope unchanged', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    await secretApp().acquireTokenByClientCredential({ scopes: ['https://database.windows.net//.default'] })
    expect((await form(seen.requests[0]!)).scope).toBe('https://database.windows.net//.default')
  })

  it('calls the regional endpoint when azureRegion is set', async () => {
    const seen = recordRequests()
    server.use(seen.handler, http.post(`https://westus2.login.microsoft.com/${TENANT}/oauth2/v2.0/token`, () => HttpResponse.json(appTokenResponse())))
    await secretApp().acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT], azureRegion: 'westus2' })
    expect(seen.requests[0]!.url).toBe(`https://westus2.login.microsoft.com/${TENANT}/oauth2/v2.0/token?allowestsrfallback=true`)
  })
})

describe('scope rules, before anything is sent', () => {
  it.each([
    [['User.Read'], /"https:\/\/graph.microsoft.com\/.default"/],
    [['https://graph.microsoft.com/User.Read'], /Write "https:\/\/graph.microsoft.com\/.default" instead/],
    [[GRAPH_DEFAULT, 'https://management.azure.com/.default'], /exactly one scope/],
    [[], /none was given/],
    [['/.default'], /names no resource/],
  ])('%j is refused with advice', async (scopes, advice) => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const error = await secretApp().acquireTokenByClientCredential({ scopes }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientConfigurationError)
    expect((error as ClientConfigurationError).errorCode).toBe('invalid_scopes')
    expect((error as Error).message).toMatch(advice)
    expect(seen.requests).toHaveLength(0)
  })

  it('refuses common as a tenant for client credentials', async () => {
    const app = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, clientSecret: SECRET } })
    await expect(app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).rejects.toMatchObject({ errorCode: 'invalid_authority' })
  })
})

describe('client credentials with a certificate', () => {
  async function verifyAssertion(assertion: string): Promise<{ header: Record<string, unknown>; payload: Record<string, unknown> }> {
    // Throws unless the certificate's public key verifies the signature.
    await compactVerify(assertion, createPublicKey(CERT))
    return decodeJwt(assertion)
  }

  it('signs a PS256 assertion with x5t#S256 and the claims Entra requires', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const app = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientCertificate: { thumbprintSha256: SHA256, privateKey: key('rsa-pkcs8.pem') } },
    })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    const fields = await form(seen.requests[0]!)
    expect(fields.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')
    expect(fields.client_secret).toBeUndefined()
    expect(fields.grant_type).toBe('client_credentials')
    const { header, payload } = await verifyAssertion(fields.client_assertion!)
    expect(header).toEqual({ alg: 'PS256', typ: 'JWT', 'x5t#S256': Buffer.from(SHA256, 'hex').toString('base64url') })
    expect(payload.aud).toBe(tokenUrl())
    expect(payload.iss).toBe(CLIENT_ID)
    expect(payload.sub).toBe(CLIENT_ID)
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/)
    const now = Math.floor(Date.now() / 1000)
    expect(Math.abs((payload.iat as number) - now)).toBeLessThan(5)
    expect(payload.nbf).toBe(payload.iat)
    expect(payload.exp).toBe((payload.iat as number) + 600)
  })

  it('uses RS256 and x5t for a SHA-1 thumbprint, reads PKCS#1, and sends x5c when given', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const app = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientCertificate: { thumbprint: SHA1, privateKey: key('rsa-pkcs1.pem'), x5c: CERT } },
    })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    const { header } = await verifyAssertion((await form(seen.requests[0]!)).client_assertion!)
    expect(header.alg).toBe('RS256')
    expect(header.x5t).toBe(Buffer.from(SHA1, 'hex').toString('base64url'))
    expect(header['x5t#S256']).toBeUndefined()
    const der = Buffer.from((header.x5c as string[])[0]!, 'base64')
    expect(createHash('sha256').update(der).digest('hex')).toBe(SHA256)
  })

  it('opens an encrypted key with its passphrase, and says so when the passphrase is missing', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const app = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientCertificate: { thumbprintSha256: SHA256, privateKey: key('rsa-encrypted.pem'), passphrase: 'test-passphrase' } },
    })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    await verifyAssertion((await form(seen.requests[0]!)).client_assertion!)

    expect(
      () => new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientCertificate: { thumbprintSha256: SHA256, privateKey: key('rsa-encrypted.pem') } } }),
    ).toThrow(/encrypted: set auth.clientCertificate.passphrase/)
    const wrong = thrown(
      () => new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientCertificate: { thumbprintSha256: SHA256, privateKey: key('rsa-encrypted.pem'), passphrase: 'nope' } } }),
    ) as ClientConfigurationError
    expect(wrong.errorCode).toBe('invalid_private_key')
    expect(String(wrong)).not.toContain('nope')
  })

  it('reuses one assertion per tenant until shortly before it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-21T10:00:00Z'))
    const seen = recordRequests()
    const other = '11111111-2222-3333-4444-555555555555'
    server.use(seen.handler, tokenEndpoint(), tokenEndpoint(undefined, other))
    const app = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientCertificate: { thumbprintSha256: SHA256, privateKey: key('rsa-pkcs8.pem') } },
    })
    for (let i = 0; i < 3; i++) {
      await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT], skipCache: true })
      await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT], skipCache: true, authority: `https://login.microsoftonline.com/${other}` })
    }
    const assertions = await Promise.all(seen.requests.map(async (r) => (await form(r)).client_assertion))
    expect(seen.requests).toHaveLength(6)
    expect(new Set(assertions).size).toBe(2)
    expect(decodeJwt(assertions[1]!).payload.aud).toBe(tokenUrl(other))
    vi.setSystemTime(new Date('2026-11-21T10:08:30Z')) // under two minutes left: sign a new one
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT], skipCache: true })
    expect(new Set([...assertions, (await form(seen.requests[6]!)).client_assertion]).size).toBe(3)
  })

  it('signs nothing on a cache hit', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const app = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientCertificate: { thumbprintSha256: SHA256, privateKey: key('rsa-pkcs8.pem') } },
    })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    for (let i = 0; i < 5; i++) await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(seen.requests).toHaveLength(1)
  })

  it.each([
    ['a short thumbprint', { thumbprintSha256: 'abc', privateKey: key('rsa-pkcs8.pem') }, 'invalid_certificate'],
    ['no thumbprint', { privateKey: key('rsa-pkcs8.pem') }, 'invalid_certificate'],
    ['a key that is not PEM', { thumbprintSha256: SHA256, privateKey: 'not a key' }, 'invalid_private_key'],
    ['an x5c that is not PEM', { thumbprintSha256: SHA256, privateKey: key('rsa-pkcs8.pem'), x5c: 'MIIB...' }, 'invalid_certificate'],
  ])('refuses %s in the constructor', (_, cert, code) => {
    expect(() => new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientCertificate: cert } })).toThrow(
      expect.objectContaining({ errorCode: code }),
    )
  })
})

describe('client credentials with an assertion', () => {
  it('sends a string assertion as is', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const app = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: AUTHORITY, clientAssertion: 'eyJ.fixed.assertion' } })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(await form(seen.requests[0]!)).toEqual({
      client_id: CLIENT_ID,
      scope: GRAPH_DEFAULT,
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: 'eyJ.fixed.assertion',
    })
  })

  it('calls the callback for every request that goes on the wire, not for cache hits', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const calls: unknown[] = []
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: CLIENT_ID,
        authority: AUTHORITY,
        clientAssertion: async (config) => {
          calls.push(config)
          return `federated-${calls.length}`
        },
      },
    })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT], skipCache: true })
    expect(calls).toEqual([
      { clientId: CLIENT_ID, tokenEndpoint: tokenUrl() },
      { clientId: CLIENT_ID, tokenEndpoint: tokenUrl() },
    ])
    expect((await form(seen.requests[1]!)).client_assertion).toBe('federated-2')
  })
})

describe('errors from the token endpoint', () => {
  it('turns an AADSTS error into a ServerError with every field, and caches nothing', async () => {
    server.use(tokenEndpoint(() => aadstsError('invalid_scope', 70011)))
    const app = secretApp()
    const error = (await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] }).catch((e: unknown) => e)) as ServerError
    expect(error).toBeInstanceOf(ServerError)
    expect(error.errorCode).toBe('invalid_scope')
    expect(error.errorCodes).toEqual([70011])
    expect(error.errorMessage).toBe('AADSTS70011: Something went wrong for test purposes.')
    expect(error.correlationId).toBe('aaaa0000-bb11-2222-33cc-444444dddddd')
    expect(error.traceId).toBe('0000aaaa-11bb-cccc-dd22-eeeeee333333')
    expect(error.timestamp).toBe('2026-11-21 10:00:00Z')
    expect(error.status).toBe(400)
    expect(error.message).toContain('AADSTS70011')
    expect(String(error)).not.toContain(SECRET)
    expect(app.getTokenCache().accessTokens()).toHaveLength(0)
  })

  it('a bad secret (AADSTS7000215) is a ServerError, not an interaction error', async () => {
    server.use(tokenEndpoint(() => aadstsError('invalid_client', 7000215, 401)))
    await expect(secretApp().acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).rejects.toMatchObject({ name: 'ServerError', errorCode: 'invalid_client', errorCodes: [7000215] })
  })

  it('an HTML page from a proxy is a ClientAuthError naming the endpoint', async () => {
    server.use(tokenEndpoint(() => new HttpResponse('<html><body>Proxy login</body></html>', { status: 200, headers: { 'content-type': 'text/html' } })))
    const error = (await secretApp().acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] }).catch((e: unknown) => e)) as ClientAuthError
    expect(error).toBeInstanceOf(ClientAuthError)
    expect(error.errorCode).toBe('invalid_response')
    expect(error.message).toContain(`token endpoint ${tokenUrl()}`)
    expect(error.message).toContain('text/html')
  })

  it('a 200 without access_token is invalid_response, and the error holds no secret', async () => {
    server.use(tokenEndpoint({ token_type: 'Bearer', expires_in: 3600, refresh_token: 'RT-must-not-leak' }))
    const error = (await secretApp().acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] }).catch((e: unknown) => e)) as ClientAuthError
    expect(error.errorCode).toBe('invalid_response')
    expect(error.message).toContain('"access_token" is missing')
    expect(JSON.stringify({ m: error.message, c: String(error.cause), s: error.stack })).not.toMatch(/RT-must-not-leak|qWgdYAmab0/)
  })

  it('a token request fails, then the next call tries again (no failure is cached)', async () => {
    let n = 0
    server.use(tokenEndpoint(() => (++n === 1 ? aadstsError('invalid_client', 7000215, 401) : HttpResponse.json(appTokenResponse()))))
    const app = secretApp()
    await expect(app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).rejects.toBeInstanceOf(ServerError)
    await expect(app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).resolves.toMatchObject({ fromCache: false })
  })
})
