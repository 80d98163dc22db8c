import { HttpResponse, delay, http } from 'msw'
import { describe, expect, it } from 'vitest'
import { parseAuthority, withTenant } from '../../src/authority/authority.js'
import { EndpointResolver, microsoftEndpoints } from '../../src/authority/endpoints.js'
import { regionalTokenEndpoint, resolveRegion } from '../../src/authority/region.js'
import { ClientConfigurationError, ConfidentialClientApplication } from '../../src/index.js'
import { Transport } from '../../src/transport/index.js'
import { thrown } from '../helpers.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, GRAPH_DEFAULT, SECRET, TENANT, appTokenResponse, recordRequests, tokenEndpoint } from '../msw/entra.js'

describe('parseAuthority', () => {
  it.each([
    [`https://login.microsoftonline.com/${TENANT}`, TENANT, 'guid'],
    ['https://login.microsoftonline.com/contoso.onmicrosoft.com/', 'contoso.onmicrosoft.com', 'domain'],
    ['https://login.microsoftonline.com/common', 'common', 'common'],
    ['https://login.microsoftonline.com/Organizations', 'Organizations', 'organizations'],
    ['https://login.microsoftonline.com/consumers', 'consumers', 'consumers'],
  ])('%s -> tenant %s (%s)', (url, tenant, kind) => {
    const a = parseAuthority(url)
    expect(a.tenant).toBe(tenant)
    expect(a.tenantKind).toBe(kind)
    expect(a.url).toBe(`https://login.microsoftonline.com/${tenant}/`)
    expect(a.environment).toBe('login.windows.net')
    expect(a.aliases).toContain('sts.windows.net')
  })

  it.each([
    ['https://login.microsoftonline.us/contoso.onmicrosoft.us', 'login.microsoftonline.us', 'login.microsoftonline.us'],
    ['https://login.usgovcloudapi.net/contoso.onmicrosoft.us', 'login.microsoftonline.us', 'login.microsoftonline.us'],
    ['https://login.chinacloudapi.cn/contoso.partner.onmschina.cn', 'login.partner.microsoftonline.cn', 'login.partner.microsoftonline.cn'],
    ['https://login.windows.net/contoso.com', 'login.microsoftonline.com', 'login.windows.net'],
  ])('knows the sovereign or alias host of %s', (url, network, environment) => {
    const a = parseAuthority(url)
    expect(a.cloud?.preferred_network).toBe(network)
    expect(a.environment).toBe(environment)
    expect(microsoftEndpoints(a).token_endpoint).toBe(`https://${network}/${a.tenant}/oauth2/v2.0/token`)
  })

  it('builds every endpoint of a Microsoft authority without a request', () => {
    const e = microsoftEndpoints(parseAuthority(`https://login.microsoftonline.com/${TENANT}`))
    expect(e).toEqual({
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      token_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
      authorization_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/devicecode`,
      jwks_uri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
      end_session_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/logout`,
    })
    expect(microsoftEndpoints(parseAuthority('https://login.microsoftonline.com/common')).issuer).toBe('https://login.microsoftonline.com/{tenantid}/v2.0')
  })

  it.each([
    ['not a url', 'invalid_authority'],
    ['ftp://login.microsoftonline.com/common', 'invalid_authority'],
    ['https://login.microsoftonline.com/', 'invalid_authority'],
    ['https://login.microsoftonline.com/common?x=1', 'invalid_authority'],
    ['http://login.microsoftonline.com/common', 'insecure_authority'],
    ['http://10.0.0.5:8080/tenant', 'insecure_authority'],
    ['https://login.evil.example/common', 'untrusted_authority'],
  ])('refuses %s with %s', (url, code) => {
    const error = thrown(() => parseAuthority(url))
    expect(error).toBeInstanceOf(ClientConfigurationError)
    expect((error as ClientConfigurationError).errorCode).toBe(code)
  })

  it('accepts knownAuthorities and loopback http', () => {
    expect(parseAuthority('https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signin', { knownAuthorities: ['contoso.b2clogin.com'] }).cloud).toBeUndefined()
    const loop = parseAuthority('http://127.0.0.1:4000/tenant-a')
    expect(loop.url).toBe('http://127.0.0.1:4000/tenant-a/')
    expect(loop.environment).toBe('127.0.0.1:4000')
  })

  it('withTenant swaps the tenant and keeps the host', () => {
    expect(withTenant(parseAuthority('https://login.microsoftonline.com/common'), TENANT).url).toBe(`https://login.microsoftonline.com/${TENANT}/`)
  })
})

describe('regions', () => {
  it('maps a region to ESTS-R hosts and reads TryAutoDetect from REGION_NAME only', () => {
    const a = parseAuthority(`https://login.microsoftonline.com/${TENANT}`)
    expect(regionalTokenEndpoint(a, microsoftEndpoints(a).token_endpoint, 'westus2')).toBe(`https://westus2.login.microsoft.com/${TENANT}/oauth2/v2.0/token?allowestsrfallback=true`)
    const us = parseAuthority(`https://login.microsoftonline.us/${TENANT}`)
    expect(regionalTokenEndpoint(us, microsoftEndpoints(us).token_endpoint, 'usgovvirginia')).toBe(`https://usgovvirginia.login.microsoftonline.us/${TENANT}/oauth2/v2.0/token?allowestsrfallback=true`)
    expect(resolveRegion('TryAutoDetect', { REGION_NAME: 'EastUS' })).toBe('eastus')
    expect(resolveRegion('TryAutoDetect', {})).toBeUndefined()
    expect(() => resolveRegion('east us/../x')).toThrow(/not an Azure region name/)
  })
})

const OIDC = 'https://idp.example.com/tenant-a'
const discoveryDoc = {
  issuer: `${OIDC}/v2.0`,
  token_endpoint: `${OIDC}/oauth2/v2.0/token`,
  authorization_endpoint: `${OIDC}/oauth2/v2.0/authorize`,
  jwks_uri: `${OIDC}/discovery/v2.0/keys`,
}

describe('endpoint metadata', () => {
  it('sends the first token request for a Microsoft authority with no discovery round trip', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint())
    const app = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: `https://login.microsoftonline.com/${TENANT}`, clientSecret: SECRET } })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(seen.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([`POST /${TENANT}/oauth2/v2.0/token`])
  })

  it('discovers a known authority once, shared by concurrent callers', async () => {
    const seen = recordRequests()
    server.use(
      seen.handler,
      http.get(`${OIDC}/v2.0/.well-known/openid-configuration`, async () => {
        await delay(20)
        return HttpResponse.json(discoveryDoc)
      }),
      http.post(discoveryDoc.token_endpoint, () => HttpResponse.json(appTokenResponse())),
    )
    const app = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: OIDC, knownAuthorities: ['idp.example.com'], clientSecret: SECRET } })
    await Promise.all([
      app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] }),
      app.acquireTokenByClientCredential({ scopes: ['https://other.example/.default'] }),
      app.acquireTokenByClientCredential({ scopes: ['https://third.example/.default'] }),
    ])
    await app.acquireTokenByClientCredential({ scopes: ['https://fourth.example/.default'] })
    const gets = seen.requests.filter((r) => r.method === 'GET')
    expect(gets).toHaveLength(1)
    expect(seen.requests.filter((r) => r.method === 'POST')).toHaveLength(4)
  })

  it('uses OIDC mode discovery path for a plain OpenID provider', async () => {
    const seen = recordRequests()
    const resolver = new EndpointResolver(new Transport(), { protocolMode: 'OIDC' })
    server.use(seen.handler, http.get(`${OIDC}/.well-known/openid-configuration`, () => HttpResponse.json(discoveryDoc)))
    const meta = await resolver.resolve(parseAuthority(OIDC, { knownAuthorities: ['idp.example.com'] }))
    expect(meta.token_endpoint).toBe(discoveryDoc.token_endpoint)
    expect(new URL(seen.requests[0]!.url).pathname).toBe('/tenant-a/.well-known/openid-configuration')
  })

  it('forgets a failed discovery so the next call tries again', async () => {
    let n = 0
    server.use(http.get(`${OIDC}/v2.0/.well-known/openid-configuration`, () => (++n === 1 ? new HttpResponse('nope', { status: 404 }) : HttpResponse.json(discoveryDoc))))
    const resolver = new EndpointResolver(new Transport())
    const authority = parseAuthority(OIDC, { knownAuthorities: ['idp.example.com'] })
    await expect(resolver.resolve(authority)).rejects.toMatchObject({ errorCode: 'http_error', message: expect.stringContaining('HTTP 404') })
    await expect(resolver.resolve(authority)).resolves.toMatchObject({ issuer: discoveryDoc.issuer })
    expect(resolver.discoveryRequests).toBe(2)
  })

  it.each([
    ['HTML', () => new HttpResponse('<html>proxy</html>', { headers: { 'content-type': 'text/html' } }), 'not JSON'],
    ['no token endpoint', () => HttpResponse.json({ issuer: 'x' }), '"token_endpoint"'],
    ['an http token endpoint off loopback', () => HttpResponse.json({ ...discoveryDoc, token_endpoint: 'http://idp.example.com/token' }), 'https'],
  ])('refuses discovery metadata with %s', async (_, reply, text) => {
    server.use(http.get(`${OIDC}/v2.0/.well-known/openid-configuration`, reply))
    await expect(new EndpointResolver(new Transport()).resolve(parseAuthority(OIDC, { knownAuthorities: ['idp.example.com'] }))).rejects.toMatchObject({
      errorCode: 'invalid_response',
      message: expect.stringContaining(text),
    })
  })

  it('pinned authorityMetadata skips discovery entirely', async () => {
    const seen = recordRequests()
    server.use(seen.handler, http.post(discoveryDoc.token_endpoint, () => HttpResponse.json(appTokenResponse())))
    const app = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, authority: OIDC, knownAuthorities: ['idp.example.com'], clientSecret: SECRET, authorityMetadata: JSON.stringify(discoveryDoc) },
    })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(seen.requests.map((r) => r.method)).toEqual(['POST'])
  })

  it('cloudDiscoveryMetadata makes a custom host a known cloud', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint(undefined, TENANT, 'https://login.contoso-cloud.example'))
    const app = new ConfidentialClientApplication({
      auth: {
        clientId: CLIENT_ID,
        authority: `https://login.contoso-cloud.example/${TENANT}`,
        clientSecret: SECRET,
        cloudDiscoveryMetadata: JSON.stringify({ metadata: [{ preferred_network: 'login.contoso-cloud.example', preferred_cache: 'login.contoso-cloud.example', aliases: ['login.contoso-cloud.example'] }] }),
      },
    })
    await app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(seen.requests).toHaveLength(1)
  })

  it('refuses bad cloudDiscoveryMetadata in the constructor', () => {
    expect(
      () => new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: `https://login.microsoftonline.com/${TENANT}`, clientSecret: SECRET, cloudDiscoveryMetadata: '{"metadata":[{}]}' } }),
    ).toThrow(expect.objectContaining({ errorCode: 'invalid_cloud_discovery_metadata' }))
  })

  it.each(['{not json', '{"issuer":"x"}', JSON.stringify({ ...discoveryDoc, token_endpoint: 'http://idp.example.com/token' })])(
    'refuses unusable authorityMetadata %s on every call, sending nothing',
    async (authorityMetadata) => {
      const seen = recordRequests()
      server.use(seen.handler)
      const app = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: OIDC, knownAuthorities: ['idp.example.com'], clientSecret: SECRET, authorityMetadata } })
      for (let i = 0; i < 2; i++) {
        await expect(app.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).rejects.toMatchObject({ name: 'ClientConfigurationError', errorCode: 'invalid_authority_metadata' })
      }
      expect(seen.requests).toHaveLength(0)
    },
  )
})
