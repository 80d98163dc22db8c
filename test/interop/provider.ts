/**
 * A real, certified OpenID provider (panva's oidc-provider) on 127.0.0.1, with a public client, a
 * client-secret client and a private_key_jwt client, for interop tests of the library's generic
 * paths (knownAuthorities-free loopback authority, OIDC discovery, no Entra extensions).
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import Provider from 'oidc-provider'

export const PUBLIC_CLIENT = 'public-app'
export const SECRET_CLIENT = 'secret-app'
export const SECRET = 'interop-secret-that-is-long-enough-0123456789'
export const JWT_CLIENT = 'jwt-app'
export const USER = 'alice'

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8')

export interface RunningProvider {
  issuer: string
  provider: Provider
  close(): Promise<void>
}

export async function startProvider(): Promise<RunningProvider> {
  const server: Server = createServer()
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const signing = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' })
  const clientKey = createPublicKey(fixture('rsa-cert.pem')).export({ format: 'jwk' })

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: PUBLIC_CLIENT,
        application_type: 'native',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
        redirect_uris: ['http://127.0.0.1/redirect'],
      },
      {
        client_id: SECRET_CLIENT,
        client_secret: SECRET,
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read api:write',
      },
      {
        client_id: JWT_CLIENT,
        token_endpoint_auth_method: 'private_key_jwt',
        token_endpoint_auth_signing_alg: 'PS256',
        jwks: { keys: [{ ...clientKey, alg: 'PS256', use: 'sig' }] },
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: 'api:read',
      },
    ],
    jwks: { keys: [{ ...signing, alg: 'RS256', use: 'sig', kid: 'interop-key-1' }] },
    scopes: ['openid', 'offline_access', 'profile', 'api:read', 'api:write'],
    // Profile claims in the id token, as Entra, Google and Keycloak put them (the library reads the username there; it does not call userinfo).
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'] },
    conformIdTokenClaims: false,
    features: { clientCredentials: { enabled: true }, deviceFlow: { enabled: true }, devInteractions: { enabled: true } },
    pkce: { required: () => true },
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, name: 'Alice Example', preferred_username: `${sub}@example.test` }) }),
    // Offline access for native clients without a consent prompt dance.
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  })
  provider.on('server_error', () => undefined)
  server.on('request', provider.callback())
  return {
    issuer,
    provider,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
