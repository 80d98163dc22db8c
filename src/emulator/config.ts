/**
 * The emulator's directory: tenants, users, app registrations and the APIs they call, read from
 * JSON and checked strictly (an unknown field is a typo, not something to ignore). Without a
 * file, `DEFAULT_CONFIG` gives a tenant with two users, a desktop app, a daemon, a web API and
 * Microsoft Graph.
 */
import * as z from 'zod/mini'

const GUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const guid = z.string().check(z.regex(GUID_RE, 'must be a GUID such as 6f1c0a4e-1b2c-4d3e-8f90-a1b2c3d4e5f6'))
const seconds = (max: number) => z.number().check(z.int(), z.gte(1), z.lte(max))

const TenantSchema = z.strictObject({
  id: guid,
  /** Verified domains: the tenant can be addressed by any of them instead of its id. */
  domains: z._default(z.array(z.string().check(z.regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain name'))), []),
  name: z._default(z.string(), 'Emulated tenant'),
})

const UserSchema = z.strictObject({
  /** Object id (`oid`). */
  id: guid,
  tenant: guid,
  username: z.string().check(z.regex(/^[^@\s]+@[^@\s]+$/, 'must look like user@domain')),
  name: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
  /** Sign-ins without a browser (ROPC) fail with AADSTS50076, as for a user under MFA. */
  mfaRequired: z._default(z.boolean(), false),
})

const ClientSchema = z.strictObject({
  clientId: guid,
  tenant: guid,
  name: z.string().check(z.minLength(1)),
  /** `public`: desktop, mobile, CLI (no credential). `confidential`: web app, API, daemon. */
  type: z.enum(['public', 'confidential']),
  /** Exact redirect URIs; `http://localhost` and `http://127.0.0.1` match any port (Entra's loopback rule). */
  redirectUris: z._default(z.array(z.string()), []),
  /** Device code and username/password flows ("Allow public client flows" in the portal). */
  allowPublicClientFlows: z._default(z.boolean(), false),
  secrets: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** Registered certificates, PEM (`-----BEGIN CERTIFICATE-----`). */
  certificates: z._default(z.array(z.string().check(z.includes('BEGIN CERTIFICATE'))), []),
  /** Application permissions granted (admin-consented): resource app id URI → app roles. */
  appPermissions: z._default(z.record(z.string(), z.array(z.string())), {}),
  /** A member of the Microsoft family of client ids: its refresh tokens are family tokens. */
  foci: z._default(z.boolean(), false),
})

const ApiSchema = z.strictObject({
  /** The resource identifier in scopes, e.g. `https://graph.microsoft.com` or `api://contoso-api`. */
  appIdUri: z.string().check(z.minLength(1)),
  /** The token's `aud`; defaults to `appIdUri`. */
  audience: z.optional(z.string()),
  /** The API's own client id, when it is also an app registration (for on-behalf-of). */
  clientId: z.optional(guid),
  /** Delegated permissions (`scp`). */
  scopes: z._default(z.array(z.string()), []),
  /** Application permissions (`roles`). */
  appRoles: z._default(z.array(z.string()), []),
})

const LifetimesSchema = z.strictObject({
  accessToken: z._default(seconds(86_400), 3600),
  idToken: z._default(seconds(86_400), 3600),
  refreshToken: z._default(seconds(365 * 86_400), 90 * 86_400),
  authorizationCode: z._default(seconds(3600), 600),
  deviceCode: z._default(seconds(3600), 900),
})

export const EmulatorConfigSchema = z.strictObject({
  tenants: z.array(TenantSchema).check(z.minLength(1)),
  users: z._default(z.array(UserSchema), []),
  clients: z._default(z.array(ClientSchema), []),
  apis: z._default(z.array(ApiSchema), []),
  lifetimes: z._default(LifetimesSchema, {
    accessToken: 3600,
    idToken: 3600,
    refreshToken: 90 * 86_400,
    authorizationCode: 600,
    deviceCode: 900,
  }),
  /** Seconds between device code polls (RFC 8628 wants at least 1); a faster poll gets `slow_down`. */
  deviceCodeInterval: z._default(z.number().check(z.int(), z.gte(1), z.lte(60)), 5),
  /**
   * Sign users in without showing a page: `true` signs in the `login_hint` user or the first
   * user of the tenant; a username signs in that user. Device codes are approved as issued.
   */
  autoApprove: z._default(z.union([z.boolean(), z.string()]), false),
  /** A PKCS#8 RSA private key (PEM) to sign tokens with; otherwise one is generated at start-up. */
  signingKey: z.optional(z.string().check(z.includes('PRIVATE KEY'))),
})

export type EmulatorConfigInput = z.input<typeof EmulatorConfigSchema>
export type EmulatorConfig = z.output<typeof EmulatorConfigSchema>
export type TenantConfig = EmulatorConfig['tenants'][number]
export type UserConfig = EmulatorConfig['users'][number]
export type ClientConfig = EmulatorConfig['clients'][number]
export type ApiConfig = EmulatorConfig['apis'][number]

/**
 * Checks a configuration (parsed JSON) and fills in defaults.
 * @throws Error listing every problem with its JSON path, e.g. `clients.0.clientId must be a GUID`.
 */
export function parseEmulatorConfig(value: unknown): EmulatorConfig {
  const parsed = EmulatorConfigSchema.safeParse(value)
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${describeIssue(i)}`)
    throw new Error(`The emulator configuration is invalid:\n  ${problems.join('\n  ')}`)
  }
  const config = parsed.data
  const tenantIds = new Set(config.tenants.map((t) => t.id.toLowerCase()))
  const problems: string[] = []
  for (const [i, u] of config.users.entries()) if (!tenantIds.has(u.tenant.toLowerCase())) problems.push(`users.${i}.tenant ${u.tenant} is not in tenants`)
  for (const [i, c] of config.clients.entries()) {
    if (!tenantIds.has(c.tenant.toLowerCase())) problems.push(`clients.${i}.tenant ${c.tenant} is not in tenants`)
    if (c.type === 'public' && (c.secrets.length > 0 || c.certificates.length > 0)) problems.push(`clients.${i} is public but has secrets or certificates`)
  }
  const seen = new Set<string>()
  for (const [i, c] of config.clients.entries()) {
    if (seen.has(c.clientId.toLowerCase())) problems.push(`clients.${i}.clientId ${c.clientId} is registered twice`)
    seen.add(c.clientId.toLowerCase())
  }
  const usernames = new Set<string>()
  for (const [i, u] of config.users.entries()) {
    if (usernames.has(u.username.toLowerCase())) problems.push(`users.${i}.username ${u.username} is used twice`)
    usernames.add(u.username.toLowerCase())
  }
  if (problems.length > 0) throw new Error(`The emulator configuration is invalid:\n  ${problems.join('\n  ')}`)
  return config
}

/** zod/mini carries no English messages; say what is wrong in words. */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    case 'invalid_type':
      return `expected ${issue.expected}`
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`
    case 'too_big':
      return `must be at most ${String(issue.maximum)}`
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`
    default:
      return issue.message === 'Invalid input' ? `is invalid (${issue.code})` : issue.message
  }
}

/** Ids of the default directory, for tests, the demo and the README. */
export const DEFAULTS = Object.freeze({
  tenantId: '8eaef023-2b34-4da1-9baa-8bc8c9d6a490',
  tenantDomain: 'contoso.onmicrosoft.com',
  /** A public client (desktop app, CLI) with loopback redirect URIs and public client flows on. */
  publicClientId: 'b7e6a3f1-5c2d-4e8f-9a1b-0c3d5e7f9a21',
  /** A confidential client (daemon) with a secret and the fixtures' RSA certificate. */
  daemonClientId: 'f1d2c3b4-a596-4788-9a0b-1c2d3e4f5a6b',
  daemonSecret: 'emulator-daemon-secret~not-a-real-secret',
  /** A web API that calls Graph on behalf of its users. */
  apiClientId: '3c9e1f5a-7b2d-4a6c-8e0f-2a4b6c8d0e1f',
  apiSecret: 'emulator-api-secret~not-a-real-secret',
  apiAppIdUri: 'api://contoso-api',
  graph: 'https://graph.microsoft.com',
  users: [
    { id: '5d1f0a9e-3b7c-4e2a-9f6d-8c4b2a0e1f3d', username: 'adele@contoso.onmicrosoft.com', name: 'Adele Vance', password: 'emulator-password-adele' },
    { id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', username: 'alex@contoso.onmicrosoft.com', name: 'Alex Wilber', password: 'emulator-password-alex' },
  ],
})

/**
 * The test certificate registered on the default daemon (fixtures/keys/rsa-cert.pem; its private
 * key is fixtures/keys/rsa-pkcs8.pem). Test material only: never register it anywhere real.
 */
export const DEFAULT_DAEMON_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIDGTCCAgGgAwIBAgIUTaqYpm10oq4436d4bg4HzpGZYqIwDQYJKoZIhvcNAQEL
BQAwGzEZMBcGA1UEAwwQZW50cmEtb2F1dGgtdGVzdDAgFw0yNjExMjEwNTQwMjBa
GA8yMTI2MTAyODA1NDAyMFowGzEZMBcGA1UEAwwQZW50cmEtb2F1dGgtdGVzdDCC
ASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAKL4jQviHb5YP+FRvpCDTRFw
X4BA3CwkPVJ3mG20LJYlk8SODMPvs0PxnhK+JYyF0P0pq4RFa3tf3FdnknWhV3n/
PouDwPjnxk9oQgAgKv4Z03D3CujbUjvjdm5dqftuZoR+oUSsF6/ahwDpyM6OWIQc
B7ZLlULni8FhNxqaCurnxaWXjwboyO0RnXvKr3tt2EJ2qS9dgd6/EosqWl7NRnHI
HRm2tEcdAdAkRHOd2VJAu056pOel6Ht/Hvrju7JnkLsk5V4q1/9r6jbKIl9vYjbi
/Wf5JziPqYWHTYB+WXXZqc6pXrrNoOVUuRo/64zSAIAYhuYApGaExrDhnTK6i7UC
AwEAAaNTMFEwHQYDVR0OBBYEFCkzvGCg60/FhM9NvYN0mLO/dEYeMB8GA1UdIwQY
MBaAFCkzvGCg60/FhM9NvYN0mLO/dEYeMA8GA1UdEwEB/wQFMAMBAf8wDQYJKoZI
hvcNAQELBQADggEBACrNZ0uKlXiTLVRJPmC1j5fh7LQ7ubgpuEWMviLoOL+qfBHC
KKKmphZgIyCb7uunbk67aG+/kCXHpHWjjzuEE6n6xrAqUxVy2f78K9epOcUVVqvy
Iqm7Oiret2d3U/8Td8J4M9NMBg0cybSJjc0r+wxr+4WHO/l9T6ixA+Ze9gK0bz8i
XfnpfndC3M0t7A4YmW/2tPfWIp4e6L0sZ5GBNn1C2T3HOE0De/HCDnn4X2Rr7Sui
fkwkLH0+vhcI8/x5Tut/KKZTO/vjjq9bgggaapNNzXx0nd7/ukKNuNfSVUkBuGrL
5A4YCXi6saZJeYkKtxj1PT6KPqNo2OuTlPr6g2E=
-----END CERTIFICATE-----
`

/** The directory the emulator starts with when no configuration is given. */
export function defaultConfig(): EmulatorConfigInput {
  return {
    tenants: [{ id: DEFAULTS.tenantId, domains: [DEFAULTS.tenantDomain], name: 'Contoso (emulated)' }],
    users: DEFAULTS.users.map((u) => ({ ...u, tenant: DEFAULTS.tenantId })),
    clients: [
      {
        clientId: DEFAULTS.publicClientId,
        tenant: DEFAULTS.tenantId,
        name: 'Contoso Desktop',
        type: 'public',
        redirectUris: ['http://localhost', 'http://127.0.0.1', 'https://login.microsoftonline.com/common/oauth2/nativeclient'],
        allowPublicClientFlows: true,
      },
      {
        clientId: DEFAULTS.daemonClientId,
        tenant: DEFAULTS.tenantId,
        name: 'Contoso Daemon',
        type: 'confidential',
        secrets: [DEFAULTS.daemonSecret],
        certificates: [DEFAULT_DAEMON_CERTIFICATE],
        appPermissions: { [DEFAULTS.graph]: ['User.Read.All'], [DEFAULTS.apiAppIdUri]: ['Tasks.Read.All'] },
      },
      {
        clientId: DEFAULTS.apiClientId,
        tenant: DEFAULTS.tenantId,
        name: 'Contoso API',
        type: 'confidential',
        redirectUris: ['http://localhost:3000/redirect'],
        secrets: [DEFAULTS.apiSecret],
      },
    ],
    apis: [
      { appIdUri: DEFAULTS.graph, scopes: ['User.Read', 'User.ReadBasic.All', 'Mail.Read'], appRoles: ['User.Read.All'] },
      { appIdUri: DEFAULTS.apiAppIdUri, audience: DEFAULTS.apiClientId, clientId: DEFAULTS.apiClientId, scopes: ['access_as_user'], appRoles: ['Tasks.Read.All'] },
    ],
  }
}
