/**
 * Lookups over the configured directory, each answering as Entra would: the tenant a path names,
 * the client a request names, the user who signs in, and the resource and permissions a `scope`
 * asks for.
 */
import { MULTI_TENANT } from '../protocol/clouds.js'
import { normalizeScopes } from '../protocol/scopes.js'
import { EntraError, clientNotFound, invalidScope, tenantNotFound } from './aadsts.js'
import type { ApiConfig, ClientConfig, EmulatorConfig, TenantConfig, UserConfig } from './config.js'

/** What a path's tenant segment resolved to: one tenant, or a multi-tenant alias. */
export type TenantRef = { kind: 'tenant'; segment: string; tenant: TenantConfig } | { kind: 'common' | 'organizations'; segment: string }

/** The resource a token is for and the permissions it carries. */
export interface Grant {
  api: ApiConfig
  /** Delegated permissions (short names, for `scp`). */
  permissions: string[]
  /** The OIDC scopes asked for (`openid`, `profile`, `email`, `offline_access`). */
  oidc: string[]
  /** The `scope` value of the response. */
  responseScope: string
}

const OIDC = new Set(['openid', 'profile', 'email', 'offline_access'])
const GRAPH = 'https://graph.microsoft.com'

export class Directory {
  readonly config: EmulatorConfig
  readonly #tenants = new Map<string, TenantConfig>()
  readonly #clients = new Map<string, ClientConfig>()
  readonly #users = new Map<string, UserConfig>()
  readonly #usersById = new Map<string, UserConfig>()
  readonly #apis = new Map<string, ApiConfig>()

  constructor(config: EmulatorConfig) {
    this.config = config
    for (const t of config.tenants) {
      this.#tenants.set(t.id.toLowerCase(), t)
      for (const d of t.domains) this.#tenants.set(d.toLowerCase(), t)
    }
    for (const c of config.clients) this.#clients.set(c.clientId.toLowerCase(), c)
    for (const u of config.users) {
      this.#users.set(u.username.toLowerCase(), u)
      this.#usersById.set(u.id.toLowerCase(), u)
    }
    for (const a of config.apis) {
      for (const key of [a.appIdUri, a.audience, a.clientId]) if (key) this.#apis.set(trimSlash(key).toLowerCase(), a)
    }
  }

  /** @throws EntraError AADSTS90002 for a tenant that is not configured (`consumers` included: there are no personal accounts). */
  tenant(segment: string): TenantRef {
    const lower = segment.toLowerCase()
    if (lower === 'common' || lower === 'organizations') return { kind: lower, segment }
    const tenant = this.#tenants.get(lower)
    if (!tenant || MULTI_TENANT.has(lower)) throw tenantNotFound(segment)
    return { kind: 'tenant', segment, tenant }
  }

  tenantById(id: string): TenantConfig | undefined {
    return this.#tenants.get(id.toLowerCase())
  }

  /**
   * The app registration `clientId` names, visible from `ref`.
   * @throws EntraError AADSTS900144 when missing, AADSTS700016 when unknown.
   */
  client(clientId: string | undefined, ref: TenantRef): ClientConfig {
    if (!clientId) throw new EntraError('invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.")
    const client = this.#clients.get(clientId.toLowerCase())
    if (!client || (ref.kind === 'tenant' && client.tenant.toLowerCase() !== ref.tenant.id.toLowerCase())) {
      throw clientNotFound(clientId, ref.kind === 'tenant' ? ref.tenant.id : ref.segment)
    }
    return client
  }

  user(username: string): UserConfig | undefined {
    return this.#users.get(username.toLowerCase())
  }

  userById(id: string): UserConfig | undefined {
    return this.#usersById.get(id.toLowerCase())
  }

  /** The users who can sign in where `ref` points. */
  usersIn(ref: TenantRef): UserConfig[] {
    return this.config.users.filter((u) => ref.kind !== 'tenant' || u.tenant.toLowerCase() === ref.tenant.id.toLowerCase())
  }

  /** @throws EntraError AADSTS50034 for an unknown user, AADSTS50020 for a user of another tenant. */
  signInUser(username: string, ref: TenantRef): UserConfig {
    const user = this.user(username)
    const tenantName = ref.kind === 'tenant' ? ref.tenant.domains[0] ?? ref.tenant.id : ref.segment
    if (!user) {
      throw new EntraError('invalid_grant', 50034, `The user account ${username} does not exist in the ${tenantName} directory. To sign into this application, the account must be added to the directory.`)
    }
    if (ref.kind === 'tenant' && user.tenant.toLowerCase() !== ref.tenant.id.toLowerCase()) {
      throw new EntraError('invalid_grant', 50020, `User account '${username}' from identity provider does not exist in tenant '${ref.tenant.name}' and cannot access the application in that tenant.`)
    }
    return user
  }

  /** The API a resource identifier (app id URI, audience or client id) names. */
  api(resource: string): ApiConfig | undefined {
    return this.#apis.get(trimSlash(resource).toLowerCase())
  }

  /**
   * Resolves the scopes of a user flow to one resource and its delegated permissions.
   * @throws EntraError AADSTS70011 (unknown permission), AADSTS28000 (more than one resource),
   *   AADSTS500011 (unknown resource).
   */
  delegatedGrant(scope: string, tenantName: string): Grant {
    const scopes = normalizeScopes([scope])
    const oidc = scopes.filter((s) => OIDC.has(s.toLowerCase())).map((s) => s.toLowerCase())
    const rest = scopes.filter((s) => !OIDC.has(s.toLowerCase()))
    const byResource = new Map<string, { api: ApiConfig; permissions: string[] }>()
    for (const s of rest) {
      const { resource, permission } = splitScope(s)
      const api = this.api(resource) ?? (trimSlash(resource).toLowerCase() === GRAPH ? defaultGraph : undefined)
      if (!api) throw resourceNotFound(resource, tenantName)
      const entry = byResource.get(api.appIdUri) ?? { api, permissions: [] }
      entry.permissions.push(permission)
      byResource.set(api.appIdUri, entry)
    }
    if (byResource.size > 1) {
      throw new EntraError('invalid_scope', 28000, `Provided value for the input parameter scope '${rest.join(' ')}' is not valid because it contains more than one resource. Request one resource per call.`)
    }
    const only = [...byResource.values()][0] ?? { api: this.api(GRAPH) ?? defaultGraph, permissions: ['User.Read'] }
    const { api } = only
    let permissions: string[]
    if (only.permissions.some((p) => p === '.default')) {
      if (only.permissions.length > 1) throw invalidScope(`'.default' cannot be combined with other scopes for ${api.appIdUri}.`)
      permissions = [...api.scopes]
    } else {
      const known = new Map(api.scopes.map((p) => [p.toLowerCase(), p]))
      permissions = only.permissions.map((p) => {
        const found = known.get(p.toLowerCase())
        if (!found) throw invalidScope(`The scope '${api.appIdUri === GRAPH ? p : `${api.appIdUri}/${p}`}' is not valid. The resource ${api.appIdUri} does not define it.`)
        return found
      })
    }
    const short = api.appIdUri === GRAPH
    const responseScope = [...oidc.filter((s) => s !== 'offline_access'), ...permissions.map((p) => (short ? p : `${api.appIdUri}/${p}`))].join(' ')
    return { api, permissions, oidc, responseScope }
  }

  /**
   * Resolves the scope of a client credentials request: exactly one `{resource}/.default`.
   * @throws EntraError AADSTS1002012 (not `.default`), AADSTS70011 (several), AADSTS500011 (unknown resource).
   */
  applicationGrant(scope: string, tenantName: string): { api: ApiConfig; scope: string } {
    const scopes = normalizeScopes([scope])
    if (scopes.length !== 1) throw invalidScope(`Client credential flows take exactly one scope of the form '{resource}/.default', not ${scopes.length}.`)
    const only = scopes[0] as string
    if (!only.endsWith('/.default')) {
      throw new EntraError(
        'invalid_scope',
        1002012,
        `The provided value for scope ${only} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
      )
    }
    const resource = only.slice(0, -'/.default'.length)
    const api = this.api(resource) ?? (trimSlash(resource).toLowerCase() === GRAPH ? defaultGraph : undefined)
    if (!api) throw resourceNotFound(resource, tenantName)
    return { api, scope: only }
  }
}

const defaultGraph: ApiConfig = { appIdUri: GRAPH, scopes: ['User.Read'], appRoles: [] }

function resourceNotFound(resource: string, tenantName: string): EntraError {
  return new EntraError(
    'invalid_resource',
    500011,
    `The resource principal named ${resource} was not found in the tenant named ${tenantName}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  )
}

/** `https://graph.microsoft.com/User.Read` → resource + permission; a bare `User.Read` is Graph's. */
export function splitScope(scope: string): { resource: string; permission: string } {
  const slash = scope.lastIndexOf('/')
  if (slash <= 0) return { resource: GRAPH, permission: scope }
  return { resource: scope.slice(0, slash), permission: scope.slice(slash + 1) }
}

function trimSlash(s: string): string {
  return s.endsWith('/') ? s.slice(0, -1) : s
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

/**
 * Whether `requested` matches a registered redirect URI: exactly, or, for `http` loopback
 * hosts, with any port (Entra ignores the port of loopback redirect URIs of public clients).
 */
export function redirectUriAllowed(client: ClientConfig, requested: string): boolean {
  let req: URL
  try {
    req = new URL(requested)
  } catch {
    return false
  }
  for (const registered of client.redirectUris) {
    if (registered === requested) return true
    let reg: URL
    try {
      reg = new URL(registered)
    } catch {
      continue
    }
    if (reg.protocol === 'http:' && req.protocol === 'http:' && LOOPBACK_HOSTS.has(reg.hostname) && reg.hostname === req.hostname) {
      if (normalPath(reg.pathname) === normalPath(req.pathname) && reg.search === req.search) return true
    }
  }
  return false
}

function normalPath(p: string): string {
  return p === '' ? '/' : p
}
