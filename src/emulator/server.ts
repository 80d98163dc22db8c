/**
 * The emulator's HTTP server on 127.0.0.1: routing, body reading, content-type and method checks,
 * correlation ids, and the programmatic handle tests and the demo use.
 *
 * @example
 * ```ts
 * import { startEmulator, DEFAULTS } from './src/emulator/index.js'
 * const emulator = await startEmulator({ autoApprove: true })
 * const cca = new ConfidentialClientApplication({ auth: { clientId: DEFAULTS.daemonClientId, authority: emulator.authority(), clientSecret: DEFAULTS.daemonSecret } })
 * await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })
 * await emulator.close()
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { EntraError, entraErrorBody, missingParameter, tenantNotFound } from './aadsts.js'
import { handleAuthorize, handleSignIn } from './authorize.js'
import { defaultConfig, parseEmulatorConfig, type EmulatorConfig, type EmulatorConfigInput } from './config.js'
import { count, type EmulatorCore } from './core.js'
import { Directory, type TenantRef } from './directory.js'
import { handleGraph } from './graph-api.js'
import { deviceLoginPage, messagePage } from './pages.js'
import { html, json, type Reply } from './reply.js'
import { EmulatorState, type DeviceCode } from './state.js'
import { handleDeviceAuthorization, handleTokenRequest } from './token-endpoint.js'
import { createSigningKey, issuerOf } from './tokens.js'

export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number | undefined
  /** The directory (parsed JSON, checked strictly); `defaultConfig()` when absent. */
  config?: EmulatorConfigInput | EmulatorConfig | undefined
  /** Overrides `config.autoApprove`: sign users in (and approve device codes) without a page. */
  autoApprove?: boolean | string | undefined
  /** The clock, in milliseconds since the epoch. Default `Date.now`. */
  now?: (() => number) | undefined
  /** Called with one line per request (`POST /tenant/oauth2/v2.0/token 200 3 ms`). */
  log?: ((line: string) => void) | undefined
}

export interface PendingDeviceCode {
  userCode: string
  clientId: string
  scope: string
}

/** A running emulator. */
export interface Emulator {
  /** `http://127.0.0.1:{port}` */
  readonly url: string
  readonly port: number
  readonly config: EmulatorConfig
  /** The authority URL of a tenant (default: the first configured tenant). */
  authority(tenant?: string): string
  /** Approves a device code as `username` (default: the first user of its tenant). */
  approveDeviceCode(userCode: string, username?: string): void
  /** Declines a device code, as the Deny button does. */
  declineDeviceCode(userCode: string): void
  /** Device codes waiting for a user, oldest first. */
  pendingDeviceCodes(): PendingDeviceCode[]
  /** Moves the emulator's clock forward (refresh token, code and device code expiry). */
  advanceTime(seconds: number): void
  /** How many requests of each kind arrived (`token:client_credentials`, `authorize`, `graph:/v1.0/me`, ...). */
  counters(): Readonly<Record<string, number>>
  /** Stops listening and closes every connection. */
  close(): Promise<void>
}

const MAX_BODY_BYTES = 1024 * 1024
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Starts the emulator on 127.0.0.1.
 * @throws Error when the configuration is invalid or the port is taken.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const config = parseEmulatorConfig(options.config ?? defaultConfig())
  const key = await createSigningKey(config.signingKey)
  const clock = options.now ?? Date.now
  let offsetMs = 0
  const counters: Record<string, number> = {}
  const core: EmulatorCore = {
    config,
    directory: new Directory(config),
    state: new EmulatorState(),
    key,
    baseUrl: '',
    nowMs: () => clock() + offsetMs,
    autoApprove: options.autoApprove ?? config.autoApprove,
    counters,
  }
  const server = createServer((req, res) => {
    const started = Date.now()
    void serve(core, req, res).finally(() => options.log?.(`${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${Date.now() - started} ms`))
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  core.baseUrl = `http://127.0.0.1:${port}`
  const sweep = setInterval(() => core.state.sweep(Math.floor(core.nowMs() / 1000)), 60_000)
  sweep.unref()

  const findDeviceCode = (userCode: string): DeviceCode => {
    const entry = core.state.deviceCodesByUserCode.get(userCode.trim().toUpperCase())
    if (!entry) throw new Error(`No device code ${userCode} is known to the emulator.`)
    return entry
  }

  return {
    url: core.baseUrl,
    port,
    config,
    authority: (tenant) => `${core.baseUrl}/${tenant ?? config.tenants[0]?.id}`,
    approveDeviceCode(userCode, username) {
      const entry = findDeviceCode(userCode)
      const ref = core.directory.tenant(entry.tenantSegment)
      const user = username === undefined ? core.directory.usersIn(ref)[0] : core.directory.usersIn(ref).find((u) => u.username.toLowerCase() === username.toLowerCase())
      if (!user) throw new Error(`No user ${username ?? ''} can sign in to tenant ${entry.tenantSegment}.`)
      approve(entry, user.id)
    },
    declineDeviceCode(userCode) {
      const entry = findDeviceCode(userCode)
      if (entry.status === 'pending') entry.status = 'declined'
    },
    pendingDeviceCodes: () =>
      [...core.state.deviceCodes.values()].filter((d) => d.status === 'pending' && d.expiresAt * 1000 > core.nowMs()).map((d) => ({ userCode: d.userCode, clientId: d.clientId, scope: d.scope })),
    advanceTime(seconds) {
      offsetMs += seconds * 1000
    },
    counters: () => ({ ...counters }),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(sweep)
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

function approve(entry: DeviceCode, userId: string): void {
  if (entry.status !== 'pending') throw new Error(`Device code ${entry.userCode} is ${entry.status}, not pending.`)
  entry.status = 'approved'
  entry.userId = userId
}

interface RequestContext {
  correlationId: string
  traceId: string
  echoCorrelationId: boolean
}

async function serve(core: EmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const given = req.headers['client-request-id']
  const ctx: RequestContext = {
    correlationId: typeof given === 'string' && GUID.test(given) ? given : randomUUID(),
    traceId: randomUUID(),
    echoCorrelationId: req.headers['return-client-request-id'] === 'true',
  }
  let reply: Reply
  try {
    reply = (await route(core, req)) ?? html(messagePage('Not found', `The emulator has nothing at ${(req.url ?? '').split('?')[0]}.`), 404)
  } catch (err) {
    if (err instanceof EntraError) {
      reply = json(entraErrorBody(err, { ...ctx, now: core.nowMs(), baseUrl: core.baseUrl }), err.status)
    } else {
      const internal = new EntraError('server_error', 0, `The emulator failed: ${(err as Error).message}`, 500)
      reply = json(entraErrorBody(internal, { ...ctx, now: core.nowMs(), baseUrl: core.baseUrl }), 500)
    }
  }
  write(res, reply, ctx)
}

function write(res: ServerResponse, reply: Reply, ctx: RequestContext): void {
  res.setHeader('x-ms-request-id', ctx.traceId)
  if (ctx.echoCorrelationId) res.setHeader('client-request-id', ctx.correlationId)
  res.setHeader('cache-control', 'no-store, no-cache')
  res.setHeader('pragma', 'no-cache')
  if (reply.kind === 'redirect') {
    res.writeHead(302, { location: reply.location, 'content-length': '0' })
    res.end()
    return
  }
  if (reply.kind === 'html') {
    const body = Buffer.from(reply.body)
    res.writeHead(reply.status, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(body.length), 'x-frame-options': 'DENY' })
    res.end(body)
    return
  }
  const body = Buffer.from(JSON.stringify(reply.body))
  res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), ...reply.headers })
  res.end(body)
}

async function route(core: EmulatorCore, req: IncomingMessage): Promise<Reply | undefined> {
  const url = new URL(req.url ?? '/', core.baseUrl)
  const path = url.pathname
  const method = req.method ?? 'GET'

  if (path.startsWith('/v1.0/')) {
    if (method !== 'GET') return json({ error: { code: 'BadRequest', message: `${method} is not supported here.` } }, 405)
    return handleGraph(core, path, req.headers.authorization)
  }
  if (path === '/devicelogin') return deviceLogin(core, req, url)
  if (path === '/error') return html(messagePage(`Error ${url.searchParams.get('code') ?? ''}`, 'Look the AADSTS code up at https://login.microsoftonline.com/error?code=<number> for what Entra means by it.'))
  if (path === '/_emulator/devicecode/approve' && method === 'POST') return approveApi(core, await readForm(req, 'user_code'))
  if (path === '/') return html(messagePage('Entra ID emulator', `Tenants: ${core.config.tenants.map((t) => `${t.id} (${t.domains.join(', ')})`).join('; ')}. OpenID configuration: ${core.baseUrl}/${core.config.tenants[0]?.id}/v2.0/.well-known/openid-configuration`))

  const m = /^\/([^/]+)\/(.+)$/.exec(path)
  if (!m) return undefined
  const segment = decodeURIComponent(m[1] as string)
  const rest = m[2] as string
  const tenant = (): TenantRef => core.directory.tenant(segment)

  switch (rest) {
    case 'v2.0/.well-known/openid-configuration':
      count(core, 'discovery')
      return discovery(core, tenantForDiscovery(core, segment))
    case 'discovery/v2.0/keys':
    case 'discovery/keys':
      tenantForDiscovery(core, segment)
      return json({ keys: [core.key.jwk] })
    case 'discovery/instance':
      return json({
        tenant_discovery_endpoint: `${core.baseUrl}/${segment}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: new URL(core.baseUrl).host, preferred_cache: new URL(core.baseUrl).host, aliases: [new URL(core.baseUrl).host] }],
      })
    case 'oauth2/v2.0/authorize':
      if (method !== 'GET') throw onlyMethods('GET', method)
      return handleAuthorize(core, tenant(), url.searchParams)
    case 'login':
      if (method !== 'POST') throw onlyMethods('POST', method)
      return handleSignIn(core, tenant(), await readForm(req, 'signin'))
    case 'oauth2/v2.0/token': {
      if (method !== 'POST') throw onlyMethods('POST, OPTIONS', method)
      const ref = tenant()
      const form = await readForm(req, 'grant_type')
      return json(await handleTokenRequest({ core, ref, form, endpoint: `${core.baseUrl}${path}` }))
    }
    case 'oauth2/v2.0/devicecode': {
      if (method !== 'POST') throw onlyMethods('POST, OPTIONS', method)
      const ref = tenant()
      return json(handleDeviceAuthorization(core, ref, await readForm(req, 'client_id')))
    }
    case 'oauth2/v2.0/logout':
      return html(messagePage('Signed out', 'You signed out of your account. The emulator keeps no session, so there was nothing to clear.'))
    default:
      return undefined
  }
}

function onlyMethods(allowed: string, got: string): EntraError {
  return new EntraError('invalid_request', 900561, `The endpoint only accepts ${allowed} requests. Received a ${got} request.`)
}

/** Discovery answers `invalid_tenant` for an unknown tenant, as Entra's does. */
function tenantForDiscovery(core: EmulatorCore, segment: string): TenantRef {
  try {
    return core.directory.tenant(segment)
  } catch {
    const err = tenantNotFound(segment)
    throw new EntraError('invalid_tenant', err.code, err.description)
  }
}

/**
 * Reads an `application/x-www-form-urlencoded` body of at most 1 MiB. A body of another type is
 * read as no fields at all, so the first required field is reported missing, as Entra does.
 */
async function readForm(req: IncomingMessage, firstRequired: string): Promise<URLSearchParams> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) throw new EntraError('invalid_request', 0, 'The request body is larger than 1 MiB.', 413)
    chunks.push(chunk as Buffer)
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') {
    if (req.url?.startsWith('/_emulator/') && type === 'application/json') {
      try {
        const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>
        return new URLSearchParams(Object.entries(value).map(([k, v]): [string, string] => [k, String(v)]))
      } catch {
        throw missingParameter(firstRequired)
      }
    }
    throw missingParameter(firstRequired)
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
}

function discovery(core: EmulatorCore, ref: TenantRef): Reply {
  const base = core.baseUrl
  const seg = ref.kind === 'tenant' ? ref.tenant.id : ref.segment
  return json({
    token_endpoint: `${base}/${seg}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${seg}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: issuerOf(base, ref.kind === 'tenant' ? ref.tenant.id : '{tenantid}'),
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/${seg}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${seg}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/${seg}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'name', 'nonce', 'oid', 'preferred_username', 'tid', 'ver', 'email'],
    code_challenge_methods_supported: ['S256', 'plain'],
    tenant_region_scope: null,
    cloud_instance_name: 'entra-oauth-emulator',
    cloud_graph_host_name: new URL(base).host,
    msgraph_host: new URL(base).host,
  })
}

async function deviceLogin(core: EmulatorCore, req: IncomingMessage, url: URL): Promise<Reply> {
  const users = core.config.users
  if (req.method !== 'POST') return html(deviceLoginPage({ action: '/devicelogin', users, code: url.searchParams.get('otc') ?? undefined }))
  const form = await readForm(req, 'user_code')
  const code = (form.get('user_code') ?? '').trim().toUpperCase()
  const entry = core.state.deviceCodesByUserCode.get(code)
  if (!entry || entry.status !== 'pending' || entry.expiresAt * 1000 < core.nowMs()) {
    return html(deviceLoginPage({ action: '/devicelogin', users, code, message: 'That code is not valid, expired or was already used. Check it and try again.' }), 400)
  }
  const client = core.config.clients.find((c) => c.clientId === entry.clientId)
  if (form.get('decline') !== null) {
    entry.status = 'declined'
    return html(messagePage('Sign-in declined', `You declined to sign in to ${client?.name ?? 'the application'} on your device.`))
  }
  const user = core.directory.usersIn(core.directory.tenant(entry.tenantSegment)).find((u) => u.id === form.get('user'))
  if (!user) return html(deviceLoginPage({ action: '/devicelogin', users, code, message: 'That account cannot sign in to this tenant.' }), 400)
  approve(entry, user.id)
  return html(messagePage('You are signed in', `You have signed in to ${client?.name ?? 'the application'} on your device as ${user.username}. You may now close this window.`))
}

function approveApi(core: EmulatorCore, form: URLSearchParams): Reply {
  const code = form.get('user_code')?.trim().toUpperCase()
  const entry = code ? core.state.deviceCodesByUserCode.get(code) : [...core.state.deviceCodes.values()].filter((d) => d.status === 'pending').at(-1)
  if (!entry || entry.status !== 'pending') return json({ error: 'not_found', error_description: 'No pending device code matches.' }, 404)
  const users = core.directory.usersIn(core.directory.tenant(entry.tenantSegment))
  const username = form.get('username')
  const user = username ? users.find((u) => u.username.toLowerCase() === username.toLowerCase()) : users[0]
  if (!user) return json({ error: 'not_found', error_description: 'No such user in the tenant.' }, 404)
  approve(entry, user.id)
  return json({ approved: entry.userCode, username: user.username })
}
