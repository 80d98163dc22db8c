/**
 * Authority parsing. `https://login.microsoftonline.com/{tenant}` where tenant is a GUID, a
 * verified domain, `common`, `organizations` or `consumers`; any Microsoft cloud host; other
 * hosts when listed in `knownAuthorities` (B2C, CIAM, ADFS, a plain OpenID provider); and plain
 * `http://` only on loopback (tests and the emulator).
 */
import { ClientConfigurationError } from '../errors.js'
import { isLoopbackHost, knownCloud, MULTI_TENANT, type CloudDiscoveryEntry } from '../protocol/clouds.js'

export type TenantKind = 'guid' | 'domain' | 'common' | 'organizations' | 'consumers' | 'other'

export interface Authority {
  /** Canonical form with a trailing slash: `https://login.microsoftonline.com/contoso.com/`. */
  readonly url: string
  readonly protocol: 'https:' | 'http:'
  /** Host (and port, when not the default) as written by the caller. */
  readonly host: string
  /** The first path segment: the tenant for Entra hosts. */
  readonly tenant: string
  readonly tenantKind: TenantKind
  /** Whether endpoints are known without discovery (a Microsoft cloud, not pinned otherwise). */
  readonly cloud: CloudDiscoveryEntry | undefined
  /** The host written as `environment` in the cache. */
  readonly environment: string
  /** Hosts that share tokens with this one (cache reads match any of them). */
  readonly aliases: readonly string[]
}

export interface AuthorityParseOptions {
  knownAuthorities?: readonly string[] | undefined
  /** msal-node's `cloudDiscoveryMetadata`: a JSON string of `{ metadata: [{ preferred_network, preferred_cache, aliases }] }`. */
  cloudDiscoveryMetadata?: readonly CloudDiscoveryEntry[] | undefined
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Parses and checks an authority URL.
 * @throws ClientConfigurationError `invalid_authority`, `insecure_authority` (plain http off
 *   loopback) or `untrusted_authority` (a host that is neither Microsoft's nor in `knownAuthorities`).
 */
export function parseAuthority(input: string, options: AuthorityParseOptions = {}): Authority {
  let url: URL
  try {
    url = new URL(input)
  } catch {
    throw new ClientConfigurationError('invalid_authority', `auth.authority "${input}" is not a URL. Write it as https://login.microsoftonline.com/{tenant-id}.`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ClientConfigurationError('invalid_authority', `auth.authority must use https:, not ${url.protocol}`)
  }
  if (url.search || url.hash) {
    throw new ClientConfigurationError('invalid_authority', `auth.authority must not have a query or fragment: write https://${url.host}${url.pathname}.`)
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ClientConfigurationError('insecure_authority', `auth.authority ${url.origin} uses plain http; only loopback hosts (127.0.0.1, localhost) may. Use https.`)
  }
  const segments = url.pathname.split('/').filter((s) => s !== '')
  const host = url.host.toLowerCase()
  const pinned = options.cloudDiscoveryMetadata?.find((c) => c.aliases.some((a) => a.toLowerCase() === host))
  const cloud = pinned ?? knownCloud(host)
  const known = (options.knownAuthorities ?? []).some((a) => hostOf(a) === host)
  if (!cloud && !known && !isLoopbackHost(url.hostname)) {
    throw new ClientConfigurationError(
      'untrusted_authority',
      `auth.authority host ${host} is not a Microsoft cloud. If you trust it (B2C, CIAM, ADFS, another OpenID provider), list it in auth.knownAuthorities.`,
    )
  }
  if (cloud && segments.length === 0) {
    throw new ClientConfigurationError('invalid_authority', `auth.authority ${url.origin} has no tenant. Write ${url.origin}/{tenant-id}, or ${url.origin}/common for any account.`)
  }
  const tenant = segments[0] ?? ''
  const path = segments.length > 0 ? `/${segments.join('/')}/` : '/'
  return Object.freeze({
    url: `${url.protocol}//${host}${path}`,
    protocol: url.protocol as 'https:' | 'http:',
    host,
    tenant,
    tenantKind: tenantKindOf(tenant),
    cloud,
    environment: cloud?.preferred_cache ?? host,
    aliases: Object.freeze(cloud ? [...cloud.aliases] : [host]),
  })
}

/** The same authority with another tenant, e.g. to call a tenant-specific endpoint. */
export function withTenant(authority: Authority, tenant: string, options: AuthorityParseOptions = {}): Authority {
  const url = new URL(authority.url)
  return parseAuthority(`${url.protocol}//${url.host}/${tenant}`, { ...options, knownAuthorities: [...(options.knownAuthorities ?? []), authority.host] })
}

function tenantKindOf(tenant: string): TenantKind {
  const lower = tenant.toLowerCase()
  if (MULTI_TENANT.has(lower)) return lower as TenantKind
  if (GUID.test(tenant)) return 'guid'
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(tenant)) return 'domain'
  return 'other'
}

function hostOf(value: string): string {
  try {
    return new URL(value.includes('://') ? value : `https://${value}`).host.toLowerCase()
  } catch {
    return value.toLowerCase()
  }
}
