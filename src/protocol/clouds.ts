/**
 * The Microsoft clouds whose endpoints are known without asking: the same table msal-common
 * ships as its hard-coded instance discovery metadata. For these hosts the first token request
 * goes straight to the token endpoint, with no discovery round trip.
 */

export interface CloudDiscoveryEntry {
  /** The host requests go to. */
  preferred_network: string
  /** The host written as `environment` in cache entries (msal-node writes login.windows.net for the public cloud). */
  preferred_cache: string
  aliases: readonly string[]
}

export const KNOWN_CLOUDS: readonly CloudDiscoveryEntry[] = Object.freeze([
  {
    preferred_network: 'login.microsoftonline.com',
    preferred_cache: 'login.windows.net',
    aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
  },
  {
    preferred_network: 'login.partner.microsoftonline.cn',
    preferred_cache: 'login.partner.microsoftonline.cn',
    aliases: ['login.partner.microsoftonline.cn', 'login.chinacloudapi.cn'],
  },
  { preferred_network: 'login.microsoftonline.de', preferred_cache: 'login.microsoftonline.de', aliases: ['login.microsoftonline.de'] },
  {
    preferred_network: 'login.microsoftonline.us',
    preferred_cache: 'login.microsoftonline.us',
    aliases: ['login.microsoftonline.us', 'login.usgovcloudapi.net'],
  },
  { preferred_network: 'login-us.microsoftonline.com', preferred_cache: 'login-us.microsoftonline.com', aliases: ['login-us.microsoftonline.com'] },
  { preferred_network: 'login.sovcloud-identity.fr', preferred_cache: 'login.sovcloud-identity.fr', aliases: ['login.sovcloud-identity.fr'] },
  { preferred_network: 'login.sovcloud-identity.de', preferred_cache: 'login.sovcloud-identity.de', aliases: ['login.sovcloud-identity.de'] },
  { preferred_network: 'login.sovcloud-identity.sg', preferred_cache: 'login.sovcloud-identity.sg', aliases: ['login.sovcloud-identity.sg'] },
])

const BY_ALIAS = new Map<string, CloudDiscoveryEntry>()
for (const cloud of KNOWN_CLOUDS) for (const alias of cloud.aliases) BY_ALIAS.set(alias, cloud)

/** The known cloud a host belongs to, if any (case-insensitive). */
export function knownCloud(host: string): CloudDiscoveryEntry | undefined {
  return BY_ALIAS.get(host.toLowerCase())
}

/** Hosts that are this machine: the only ones where plain http is allowed (tests, the emulator). */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]'
}

/** Tenants that are not a single directory. */
export const MULTI_TENANT = new Set(['common', 'organizations', 'consumers'])

/** The tenant id of every personal Microsoft account. */
export const CONSUMERS_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad'

/**
 * The host a cache entry's `environment` is filed under: the cloud's `preferred_cache` for
 * known aliases, the host itself otherwise. Entries written by MSAL Python (login.microsoftonline.com)
 * and msal-node (login.windows.net) meet here.
 */
export function cacheEnvironment(host: string): string {
  return knownCloud(host)?.preferred_cache ?? host.toLowerCase()
}
