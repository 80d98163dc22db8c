/**
 * The fault matrix for client credentials and OpenID discovery: for each fault, the outcome, the
 * number of requests sent, and that the cache holds exactly what it held before (plus the new
 * token on success).
 */
import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import { AuthError, ConfidentialClientApplication } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, GRAPH_DEFAULT, SECRET, TENANT, appTokenResponse, tokenUrl } from '../msw/entra.js'
import { FAULT_SYSTEM, METADATA_FAULTS, TOKEN_ENDPOINT_FAULTS, type Fault } from './faults.js'

const snapshot = (app: ConfidentialClientApplication): string[] =>
  app
    .getTokenCache()
    .accessTokens()
    .map((t) => `${t.realm} ${t.target} ${t.secret}`)
    .sort()

async function outcomeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
    return 'success'
  } catch (error) {
    expect(error).toBeInstanceOf(AuthError)
    expect(String(error)).not.toContain(SECRET)
    expect(String(error)).not.toContain('eyJ-half')
    return (error as AuthError).errorCode
  }
}

describe('client credentials under faults', () => {
  it.each(TOKEN_ENDPOINT_FAULTS.map((f) => [f.name, f] as const))('%s', async (_, fault: Fault) => {
    const app = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: `https://login.microsoftonline.com/${TENANT}`, clientSecret: SECRET }, system: FAULT_SYSTEM })
    // What the cache held before: a token for another resource, and one for this scope.
    server.use(http.post(tokenUrl(), async ({ request }) => HttpResponse.json(appTokenResponse({ scope: new URLSearchParams(await request.text()).get('scope') }))))
    await app.acquireTokenByClientCredential({ scopes: ['https://vault.azure.net/.default'] })
    const held = await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    const before = snapshot(app)
    server.resetHandlers()

    let n = 0
    const fresh = appTokenResponse({ scope: GRAPH_DEFAULT })
    server.use(http.post(tokenUrl(), () => fault.reply(++n, () => HttpResponse.json(fresh))))
    const outcome = await outcomeOf(app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT], skipCache: true }))

    expect(outcome).toBe(fault.outcome)
    expect(n).toBe(fault.requests)
    const after = snapshot(app)
    if (outcome === 'success') {
      expect(after).toEqual(before.map((line) => line.replace(held.accessToken, fresh.access_token as string)).sort())
    } else {
      expect(after).toEqual(before)
    }
  })
})

const OIDC = 'https://idp.example.com/tenant-a'
const DISCOVERY = `${OIDC}/v2.0/.well-known/openid-configuration`
const metadata = { issuer: `${OIDC}/v2.0`, token_endpoint: `${OIDC}/oauth2/v2.0/token`, jwks_uri: `${OIDC}/keys` }

describe('OpenID discovery under faults', () => {
  it.each(METADATA_FAULTS.map((f) => [f.name, f] as const))('%s', async (_, fault: Fault) => {
    let n = 0
    let posts = 0
    server.use(
      http.get(DISCOVERY, () => fault.reply(++n, () => HttpResponse.json(metadata))),
      http.post(metadata.token_endpoint, () => {
        posts++
        return HttpResponse.json(appTokenResponse())
      }),
    )
    const app = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: OIDC, knownAuthorities: ['idp.example.com'], clientSecret: SECRET }, system: FAULT_SYSTEM })
    const outcome = await outcomeOf(app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] }))
    expect(outcome).toBe(fault.outcome)
    expect(n).toBe(fault.requests)
    expect(posts).toBe(outcome === 'success' ? 1 : 0)
    expect(app.getTokenCache().accessTokens()).toHaveLength(outcome === 'success' ? 1 : 0)
  })
})
