/**
 * OpenID Provider metadata (OpenID Connect Discovery 1.0 §3), parsed at the boundary. Endpoints
 * must be https, or http on loopback: a document that sends tokens elsewhere in the clear is
 * refused.
 * @see https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderMetadata
 */
import * as z from 'zod/mini'
import { ClientAuthError, ClientConfigurationError, ServerError } from '../errors.js'
import { isLoopbackHost } from './clouds.js'
import { parseErrorResponse, type WireResponse } from './token-response.js'

const endpoint = z.string().check(z.refine((v) => isSafeEndpoint(v), 'must be an https URL (http only on loopback)'))

const OpenIdConfigurationSchema = z.looseObject({
  issuer: z.string().check(z.minLength(1)),
  token_endpoint: endpoint,
  authorization_endpoint: z.optional(endpoint),
  device_authorization_endpoint: z.optional(endpoint),
  jwks_uri: z.optional(endpoint),
  end_session_endpoint: z.optional(endpoint),
})

export interface EndpointMetadata {
  issuer: string
  token_endpoint: string
  authorization_endpoint?: string | undefined
  device_authorization_endpoint?: string | undefined
  jwks_uri?: string | undefined
  end_session_endpoint?: string | undefined
}

/** Parses a discovery response. @throws ClientAuthError `invalid_response` or `http_error`. */
export function parseOpenIdConfiguration(res: WireResponse, endpointName: string): EndpointMetadata {
  if (res.status !== 200) {
    // Entra explains an unknown tenant in an OAuth error body (invalid_tenant, AADSTS90002): keep it.
    const error = parseErrorResponse(res, { endpoint: endpointName })
    if (error instanceof ServerError) throw error
    throw new ClientAuthError('http_error', `The ${endpointName} answered HTTP ${res.status}. Check that the authority URL names an existing tenant or OpenID provider.`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: endpointName,
      retryAfterSeconds: error.retryAfterSeconds,
    })
  }
  let json: unknown
  try {
    json = JSON.parse(res.body)
  } catch {
    throw new ClientAuthError('invalid_response', `The ${endpointName} answered with a body that is not JSON; a proxy may have answered instead.`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: endpointName,
    })
  }
  const parsed = OpenIdConfigurationSchema.safeParse(json)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `"${i.path.map(String).join('.') || 'body'}" ${i.message}`).join('; ')
    throw new ClientAuthError('invalid_response', `The ${endpointName} sent unusable metadata: ${problems}.`, {
      correlationId: res.correlationId,
      status: res.status,
      endpoint: endpointName,
    })
  }
  return pick(parsed.data)
}

/** Parses msal-node's `authorityMetadata` option (the OpenID configuration as a JSON string). */
export function parsePinnedOpenIdConfiguration(json: string): EndpointMetadata {
  let value: unknown
  try {
    value = JSON.parse(json)
  } catch (cause) {
    throw new ClientConfigurationError('invalid_authority_metadata', 'auth.authorityMetadata must be the OpenID configuration as a JSON string; it did not parse.', { cause })
  }
  const parsed = OpenIdConfigurationSchema.safeParse(value)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `"${i.path.map(String).join('.') || 'body'}" ${i.message}`).join('; ')
    throw new ClientConfigurationError('invalid_authority_metadata', `auth.authorityMetadata is missing what the library needs: ${problems}.`)
  }
  return pick(parsed.data)
}

function pick(v: z.infer<typeof OpenIdConfigurationSchema>): EndpointMetadata {
  return {
    issuer: v.issuer,
    token_endpoint: v.token_endpoint,
    authorization_endpoint: v.authorization_endpoint,
    device_authorization_endpoint: v.device_authorization_endpoint,
    jwks_uri: v.jwks_uri,
    end_session_endpoint: v.end_session_endpoint,
  }
}

/** https anywhere, http only on loopback. */
export function isSafeEndpoint(value: string): boolean {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return false
  }
  if (url.protocol === 'https:') return true
  return url.protocol === 'http:' && isLoopbackHost(url.hostname)
}
