/**
 * `protocolMode: 'OIDC'` speaks plain OpenID Connect: no Entra `client_info` on the authorize URL
 * or on user grants, while the default (Entra) mode keeps asking for it.
 */
import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import { PublicClientApplication } from '../../src/index.js'
import { server } from '../msw/server.js'
import { form, recordRequests } from '../msw/entra.js'

const OP = 'https://idp.example.com/realm-a'
const metadata = { issuer: OP, token_endpoint: `${OP}/token`, authorization_endpoint: `${OP}/authorize`, jwks_uri: `${OP}/jwks` }

function app(protocolMode: 'AAD' | 'OIDC'): PublicClientApplication {
  return new PublicClientApplication({ auth: { clientId: 'native-app', authority: OP, knownAuthorities: ['idp.example.com'], authorityMetadata: JSON.stringify(metadata), protocolMode } })
}

describe.each([
  ['OIDC', false],
  ['AAD', true],
] as const)('protocolMode %s', (mode, asksForClientInfo) => {
  it(`${asksForClientInfo ? 'asks' : 'does not ask'} for client_info on the authorize URL and the token request`, async () => {
    const url = new URL(await app(mode).getAuthCodeUrl({ scopes: ['api:read'], redirectUri: 'http://localhost:3000/cb' }))
    expect(url.searchParams.has('client_info')).toBe(asksForClientInfo)

    const seen = recordRequests()
    server.use(seen.handler, http.post(metadata.token_endpoint, () => HttpResponse.json({ token_type: 'Bearer', expires_in: 3600, access_token: 'at-1', scope: 'api:read' })))
    await app(mode).acquireTokenByRefreshToken({ refreshToken: 'rt-from-elsewhere', scopes: ['api:read'] })
    const fields = await form(seen.requests[0]!)
    expect(fields.grant_type).toBe('refresh_token')
    expect('client_info' in fields).toBe(asksForClientInfo)
  })
})
