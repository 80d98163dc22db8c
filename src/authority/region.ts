/**
 * Regional token endpoints (ESTS-R) for apps running in Azure. msal-node's `azureRegion`:
 * a region name such as `westus2`, or `TryAutoDetect`, which reads the `REGION_NAME` variable
 * that Azure sets (no IMDS probe here: that would be a network call on every cold start).
 */
import { ClientConfigurationError } from '../errors.js'
import type { Authority } from './authority.js'

export const AUTO_DETECT_REGION = 'TryAutoDetect'

/** The region to use, or undefined for the global endpoint. */
export function resolveRegion(azureRegion: string | undefined, env: Record<string, string | undefined> = process.env): string | undefined {
  if (azureRegion === undefined || azureRegion === '') return undefined
  const region = azureRegion === AUTO_DETECT_REGION ? env.REGION_NAME?.trim().toLowerCase() : azureRegion.trim().toLowerCase()
  if (region === undefined || region === '') return undefined
  if (!/^[a-z0-9]+$/.test(region)) {
    throw new ClientConfigurationError('invalid_region', `azureRegion "${region}" is not an Azure region name such as "westus2" (letters and digits only).`)
  }
  return region
}

/**
 * The regional token endpoint for a Microsoft cloud authority: `{region}.login.microsoft.com`
 * for the public cloud, `{region}.{host}` otherwise, with ESTS-R's fallback flag.
 */
export function regionalTokenEndpoint(authority: Authority, tokenEndpoint: string, region: string): string {
  if (!authority.cloud) return tokenEndpoint
  const url = new URL(tokenEndpoint)
  url.host = authority.cloud.preferred_network === 'login.microsoftonline.com' ? `${region}.login.microsoft.com` : `${region}.${url.host}`
  url.searchParams.set('allowestsrfallback', 'true')
  return url.href
}
