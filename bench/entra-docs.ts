/**
 * The documents login.microsoftonline.com serves, shaped like the real ones: the instance
 * discovery answer and a tenant's OpenID configuration. The token server answers with them, and
 * msal-node gets the same text pinned (auth.cloudDiscoveryMetadata, auth.authorityMetadata) so
 * that it needs no discovery request.
 */
export const HOST = 'login.microsoftonline.com'

export const PUBLIC_CLOUD = {
  preferred_network: HOST,
  preferred_cache: 'login.windows.net',
  aliases: [HOST, 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
}

export function instanceDiscovery(tenant: string): Record<string, unknown> {
  return {
    tenant_discovery_endpoint: `https://${HOST}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [PUBLIC_CLOUD],
  }
}

export function openIdConfiguration(tenant: string): Record<string, unknown> {
  const base = `https://${HOST}/${tenant}`
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `https://${HOST}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `https://${HOST}/${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: 'https://graph.microsoft.com/oidc/userinfo',
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
    kerberos_endpoint: `${base}/kerberos`,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
    rbac_url: 'https://pas.windows.net',
  }
}
