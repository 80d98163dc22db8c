/**
 * A cache plugin written exactly as msal-node's documentation writes one works unchanged, and
 * the file it keeps is shared with msal-node itself.
 */
import { promises as fs, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import * as msal from '@azure/msal-node'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfidentialClientApplication } from '../../src/apps/confidential-client-application.js'
import type { TokenCacheContext } from '../../src/cache/token-cache.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, GRAPH_DEFAULT, SECRET, TENANT, appTokenResponse, recordRequests, tokenEndpoint } from '../msw/entra.js'

let dir: string
let cachePath: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'entra-oauth-plugin-'))
  cachePath = join(dir, 'cache.json')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** msal-node's documented plugin (learn.microsoft.com/entra/msal/javascript/node/caching), plus a log of calls. */
function docsPlugin(log: string[] = []): { beforeCacheAccess(c: TokenCacheContext): Promise<void>; afterCacheAccess(c: TokenCacheContext): Promise<void> } {
  const beforeCacheAccess = async (cacheContext: TokenCacheContext): Promise<void> => {
    log.push('before')
    try {
      const cacheFile = await fs.readFile(cachePath, 'utf-8')
      cacheContext.tokenCache.deserialize(cacheFile)
    } catch {
      // if cache file doesn't exist, create it
      await fs.writeFile(cachePath, cacheContext.tokenCache.serialize())
    }
  }
  const afterCacheAccess = async (cacheContext: TokenCacheContext): Promise<void> => {
    log.push(`after:${String(cacheContext.cacheHasChanged)}`)
    if (cacheContext.cacheHasChanged) {
      await fs.writeFile(cachePath, cacheContext.tokenCache.serialize())
    }
  }
  return { beforeCacheAccess, afterCacheAccess }
}

const auth = { clientId: CLIENT_ID, clientSecret: SECRET, authority: `https://login.microsoftonline.com/${TENANT}` }

describe('cache.cachePlugin', () => {
  it('calls the plugin around the lookup (unchanged) and the write (changed), as msal-node does; a new app reads the file', async () => {
    const body = appTokenResponse()
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint(body))
    const log: string[] = []
    const first = new ConfidentialClientApplication({ auth, cache: { cachePlugin: docsPlugin(log) } })
    const result = await first.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(result.fromCache).toBe(false)
    expect(seen.requests).toHaveLength(1)
    expect(log).toEqual(['before', 'after:false', 'before', 'after:true'])
    const file = JSON.parse(await fs.readFile(cachePath, 'utf8')) as { AccessToken: Record<string, { secret: string }> }
    expect(Object.values(file.AccessToken).map((e) => e.secret)).toEqual([body['access_token']])

    const secondLog: string[] = []
    const second = new ConfidentialClientApplication({ auth, cache: { cachePlugin: docsPlugin(secondLog) } })
    const again = await second.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(again).toMatchObject({ fromCache: true, accessToken: body['access_token'] })
    expect(seen.requests).toHaveLength(1)
    expect(secondLog).toEqual(['before', 'after:false'])
  })

  it('shares the plugin’s file with msal-node: what we wrote, msal-node serves from cache, and back', async () => {
    const body = appTokenResponse()
    server.use(tokenEndpoint(body))
    const ours = new ConfidentialClientApplication({ auth, cache: { cachePlugin: docsPlugin() } })
    await ours.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    server.resetHandlers()

    const seen = recordRequests()
    server.use(seen.handler)
    const theirs = new msal.ConfidentialClientApplication({
      auth: {
        ...auth,
        authorityMetadata: JSON.stringify({
          token_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`,
          authorization_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`,
          issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
          jwks_uri: `https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`,
          end_session_endpoint: `https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/logout`,
        }),
        cloudDiscoveryMetadata: JSON.stringify({
          tenant_discovery_endpoint: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
          metadata: [{ preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] }],
        }),
      },
      cache: { cachePlugin: docsPlugin() as unknown as msal.ICachePlugin },
    })
    const result = await theirs.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(result).toMatchObject({ fromCache: true, accessToken: body['access_token'] })
    expect(seen.requests).toHaveLength(0)
  })

  it('a plugin that fails before the access fails the call, and no token request is sent', async () => {
    const seen = recordRequests()
    server.use(seen.handler, tokenEndpoint(appTokenResponse()))
    const broken = {
      beforeCacheAccess: async (): Promise<void> => {
        throw new Error('disk on fire')
      },
      afterCacheAccess: async (): Promise<void> => {},
    }
    const cca = new ConfidentialClientApplication({ auth, cache: { cachePlugin: broken } })
    await expect(cca.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })).rejects.toThrow('disk on fire')
    expect(seen.requests).toHaveLength(0)
  })

  it('context.hasChanged is msal-node’s older name for cacheHasChanged', async () => {
    server.use(tokenEndpoint(appTokenResponse()))
    const seen: boolean[] = []
    const plugin = {
      beforeCacheAccess: async (): Promise<void> => {},
      afterCacheAccess: async (context: TokenCacheContext): Promise<void> => {
        seen.push(context.hasChanged)
      },
    }
    const cca = new ConfidentialClientApplication({ auth, cache: { cachePlugin: plugin } })
    await cca.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    expect(seen).toEqual([false, true])
  })
})
