/**
 * Client credentials against a real OpenID provider: a client secret (client_secret_post) and a
 * certificate-signed assertion (private_key_jwt). Discovery is the plain OIDC path; Entra's
 * `.default` rule does not apply.
 */
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfidentialClientApplication, ServerError } from '../../src/index.js'
import { server as msw } from '../msw/server.js'
import { JWT_CLIENT, SECRET, SECRET_CLIENT, startProvider, type RunningProvider } from './provider.js'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8')

let op: RunningProvider
beforeAll(async () => {
  msw.close()
  op = await startProvider()
})
afterAll(async () => {
  await op.close()
})

describe('client credentials against oidc-provider', () => {
  it('with a client secret', async () => {
    const app = new ConfidentialClientApplication({ auth: { clientId: SECRET_CLIENT, authority: op.issuer, clientSecret: SECRET, protocolMode: 'OIDC' } })
    const result = await app.acquireTokenByClientCredential({ scopes: ['api:read'] })
    expect(result.accessToken.length).toBeGreaterThan(20)
    expect(result.tokenType).toBe('Bearer')
    expect(result.scopes).toEqual(['api:read'])
    expect(result.fromCache).toBe(false)
    const again = await app.acquireTokenByClientCredential({ scopes: ['api:read'] })
    expect(again).toMatchObject({ fromCache: true, accessToken: result.accessToken })
  })

  it('with a private_key_jwt assertion, signed fresh for every request (the provider refuses replays)', async () => {
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: JWT_CLIENT,
        authority: op.issuer,
        protocolMode: 'OIDC',
        clientCertificate: { thumbprintSha256: fixture('rsa-cert.sha256').trim(), privateKey: fixture('rsa-pkcs8.pem') },
      },
    })
    const first = await app.acquireTokenByClientCredential({ scopes: ['api:read'] })
    const second = await app.acquireTokenByClientCredential({ scopes: ['api:read'], skipCache: true })
    expect(second.accessToken).not.toBe(first.accessToken)
  })

  it('a wrong secret is the provider\'s invalid_client, as a ServerError', async () => {
    const app = new ConfidentialClientApplication({ auth: { clientId: SECRET_CLIENT, authority: op.issuer, clientSecret: 'wrong-secret', protocolMode: 'OIDC' } })
    const error = await app.acquireTokenByClientCredential({ scopes: ['api:read'] }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServerError)
    expect((error as ServerError).errorCode).toBe('invalid_client')
    expect(String(error)).not.toContain('wrong-secret')
  })

  it('a certificate the provider does not know is refused', async () => {
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: JWT_CLIENT,
        authority: op.issuer,
        protocolMode: 'OIDC',
        clientCertificate: { thumbprintSha256: fixture('other-rsa-cert.sha256').trim(), privateKey: fixture('other-rsa-pkcs8.pem') },
      },
    })
    await expect(app.acquireTokenByClientCredential({ scopes: ['api:read'] })).rejects.toMatchObject({ errorCode: 'invalid_client' })
  })
})
