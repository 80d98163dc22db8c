/**
 * The library's client credentials flow against the emulator over real loopback HTTP: secret,
 * certificate (SHA-256 and SHA-1 thumbprints), a ready-made assertion; the tokens verify against
 * the emulator's JWKS, and the emulator's errors come back as typed errors with their AADSTS codes.
 */
import { readFileSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { createPrivateKey } from 'node:crypto'
import { createRemoteJWKSet, jwtVerify } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfidentialClientApplication, ServerError } from '../../src/index.js'
import { DEFAULTS, DEFAULT_DAEMON_CERTIFICATE, startEmulator, type Emulator } from '../../src/emulator/index.js'
import { buildClientAssertionClaims, signClientAssertion } from '../../src/protocol/client-assertion.js'
import { thumbprintToBase64Url } from '../../src/protocol/pem.js'
import { passLoopbackThrough } from './loopback.js'

const key = (name: string): string => readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8')
const GRAPH = 'https://graph.microsoft.com/.default'

let emulator: Emulator
beforeAll(async () => {
  emulator = await startEmulator()
})
afterAll(async () => {
  await emulator.close()
})
passLoopbackThrough()

function daemon(auth: Record<string, unknown>, tenant?: string): ConfidentialClientApplication {
  return new ConfidentialClientApplication({ auth: { clientId: DEFAULTS.daemonClientId, authority: emulator.authority(tenant), ...auth } })
}

async function verify(accessToken: string): Promise<Record<string, unknown>> {
  const jwks = createRemoteJWKSet(new URL(`${emulator.authority()}/discovery/v2.0/keys`))
  const { payload, protectedHeader } = await jwtVerify(accessToken, jwks, { issuer: `${emulator.authority()}/v2.0`, audience: 'https://graph.microsoft.com' })
  expect(protectedHeader.alg).toBe('RS256')
  expect(protectedHeader.kid).toEqual(expect.any(String))
  return payload as Record<string, unknown>
}

describe('client credentials against the emulator', () => {
  it('the default certificate is the fixtures certificate', () => {
    expect(DEFAULT_DAEMON_CERTIFICATE.trim()).toBe(key('rsa-cert.pem').trim())
  })

  it('with a secret: a signed app token with the granted roles, then the cache', async () => {
    const before = emulator.counters()['token:client_credentials'] ?? 0
    const app = daemon({ clientSecret: DEFAULTS.daemonSecret })
    const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH] })
    expect(result.fromCache).toBe(false)
    expect(result.tokenType).toBe('Bearer')
    expect(result.tenantId).toBe(DEFAULTS.tenantId)
    const claims = await verify(result.accessToken)
    expect(claims).toMatchObject({ azp: DEFAULTS.daemonClientId, azpacr: '1', tid: DEFAULTS.tenantId, roles: ['User.Read.All'], idtyp: 'app', ver: '2.0' })
    const again = await app.acquireTokenByClientCredential({ scopes: [GRAPH] })
    expect(again.fromCache).toBe(true)
    expect(emulator.counters()['token:client_credentials']).toBe(before + 1)
  })

  it('by tenant domain as well as by tenant id', async () => {
    const result = await daemon({ clientSecret: DEFAULTS.daemonSecret }, DEFAULTS.tenantDomain).acquireTokenByClientCredential({ scopes: [GRAPH] })
    expect((await verify(result.accessToken)).tid).toBe(DEFAULTS.tenantId)
  })

  it('with the certificate (x5t#S256, PS256): azpacr 2', async () => {
    const app = daemon({ clientCertificate: { thumbprintSha256: key('rsa-cert.sha256').trim(), privateKey: key('rsa-pkcs8.pem') } })
    const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH] })
    expect((await verify(result.accessToken)).azpacr).toBe('2')
  })

  it('with the certificate by its SHA-1 thumbprint (x5t, RS256) and a PKCS#1 key', async () => {
    const app = daemon({ clientCertificate: { thumbprint: key('rsa-cert.sha1').trim(), privateKey: key('rsa-pkcs1.pem') } })
    const result = await app.acquireTokenByClientCredential({ scopes: [GRAPH] })
    expect((await verify(result.accessToken)).azpacr).toBe('2')
  })

  it('with a ready-made assertion string and with an assertion callback', async () => {
    const tokenEndpoint = `${emulator.authority()}/oauth2/v2.0/token`
    const sign = () =>
      signClientAssertion(
        createPrivateKey(key('rsa-pkcs8.pem')),
        { alg: 'PS256', 'x5t#S256': thumbprintToBase64Url(key('rsa-cert.sha256').trim()) },
        buildClientAssertionClaims({ clientId: DEFAULTS.daemonClientId, tokenEndpoint, jti: randomUUID(), nowSeconds: Math.floor(Date.now() / 1000), lifetimeSeconds: 600 }),
      )
    const fromString = await daemon({ clientAssertion: await sign() }).acquireTokenByClientCredential({ scopes: [GRAPH] })
    expect((await verify(fromString.accessToken)).azpacr).toBe('2')
    const seen: unknown[] = []
    const fromCallback = await daemon({
      clientAssertion: async (config: unknown) => {
        seen.push(config)
        return sign()
      },
    }).acquireTokenByClientCredential({ scopes: [GRAPH] })
    expect((await verify(fromCallback.accessToken)).azpacr).toBe('2')
    expect(seen).toEqual([{ clientId: DEFAULTS.daemonClientId, tokenEndpoint }])
  })

  it('an app token for a custom API carries its audience and roles', async () => {
    const result = await daemon({ clientSecret: DEFAULTS.daemonSecret }).acquireTokenByClientCredential({ scopes: [`${DEFAULTS.apiAppIdUri}/.default`] })
    const jwks = createRemoteJWKSet(new URL(`${emulator.authority()}/discovery/v2.0/keys`))
    const { payload } = await jwtVerify(result.accessToken, jwks, { audience: DEFAULTS.apiClientId })
    expect(payload.roles).toEqual(['Tasks.Read.All'])
  })
})

describe('client credentials errors from the emulator', () => {
  async function failure(app: ConfidentialClientApplication, scopes = [GRAPH]): Promise<ServerError> {
    const err = await app.acquireTokenByClientCredential({ scopes }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(ServerError)
    return err as ServerError
  }

  it('a wrong secret: invalid_client AADSTS7000215, HTTP 401, the secret not in the message', async () => {
    const err = await failure(daemon({ clientSecret: 'not-the-secret-value' }))
    expect(err.errorCode).toBe('invalid_client')
    expect(err.errorCodes).toEqual([7000215])
    expect(err.status).toBe(401)
    expect(err.correlationId).toMatch(/^[0-9a-f-]{36}$/)
    expect(String(err)).not.toContain('not-the-secret-value')
  })

  it('an unregistered certificate: AADSTS700027 naming the thumbprint', async () => {
    const err = await failure(daemon({ clientCertificate: { thumbprintSha256: key('other-rsa-cert.sha256').trim(), privateKey: key('other-rsa-pkcs8.pem') } }))
    expect(err.errorCodes).toEqual([700027])
    expect(err.errorMessage).toContain(key('other-rsa-cert.sha256').trim().toUpperCase())
  })

  it("the registered certificate's thumbprint with another key: a signature failure, AADSTS700027", async () => {
    const err = await failure(daemon({ clientCertificate: { thumbprintSha256: key('rsa-cert.sha256').trim(), privateKey: key('other-rsa-pkcs8.pem') } }))
    expect(err.errorCodes).toEqual([700027])
    expect(err.errorMessage).toMatch(/signature/)
  })

  it('an assertion for another audience: AADSTS50013; an expired one: AADSTS700024', async () => {
    const sign = (aud: string, now: number) =>
      signClientAssertion(
        createPrivateKey(key('rsa-pkcs8.pem')),
        { alg: 'PS256', 'x5t#S256': thumbprintToBase64Url(key('rsa-cert.sha256').trim()) },
        buildClientAssertionClaims({ clientId: DEFAULTS.daemonClientId, tokenEndpoint: aud, jti: randomUUID(), nowSeconds: now, lifetimeSeconds: 600 }),
      )
    const now = Math.floor(Date.now() / 1000)
    const wrongAud = await failure(daemon({ clientAssertion: await sign('https://login.microsoftonline.com/other/oauth2/v2.0/token', now) }))
    expect(wrongAud.errorCodes).toEqual([50013])
    const expired = await failure(daemon({ clientAssertion: await sign(`${emulator.authority()}/oauth2/v2.0/token`, now - 3600) }))
    expect(expired.errorCodes).toEqual([700024])
  })

  it('an unknown client: AADSTS700016; an unknown resource: AADSTS500011', async () => {
    const unknownClient = await failure(
      new ConfidentialClientApplication({ auth: { clientId: '00000000-1111-2222-3333-444444444444', authority: emulator.authority(), clientSecret: 'x' } }),
    )
    expect(unknownClient.errorCode).toBe('unauthorized_client')
    expect(unknownClient.errorCodes).toEqual([700016])
    const unknownResource = await failure(daemon({ clientSecret: DEFAULTS.daemonSecret }), ['https://vault.azure.net/.default'])
    expect(unknownResource.errorCode).toBe('invalid_resource')
    expect(unknownResource.errorCodes).toEqual([500011])
  })

  it('an unknown tenant fails at discovery with Entra\'s invalid_tenant (AADSTS90002), before any token request', async () => {
    const err = await daemon({ clientSecret: DEFAULTS.daemonSecret }, 'fabrikam.onmicrosoft.com')
      .acquireTokenByClientCredential({ scopes: [GRAPH] })
      .then(
        () => undefined,
        (e: unknown) => e as ServerError,
      )
    expect(err).toBeInstanceOf(ServerError)
    expect(err?.errorCode).toBe('invalid_tenant')
    expect(err?.errorCodes).toEqual([90002])
    expect(err?.status).toBe(400)
    expect(err?.endpoint).toMatch(/OpenID discovery/)
  })
})
