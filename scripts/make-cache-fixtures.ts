/**
 * Regenerates fixtures/caches/msal-node-*.json: token caches serialized by @azure/msal-node
 * itself (the installed version), so tests check our serializer against the real thing rather
 * than against our reading of msal-node's source.
 *
 *   node --import tsx scripts/make-cache-fixtures.ts
 *
 * msal-node runs against msw (nothing leaves the machine): the token endpoint answers with
 * obviously fake tokens. The clock is pinned to FIXTURE_NOW so `cached_at`/`expires_on` are
 * reproducible; tests set their clock just after it. Authority and cloud discovery metadata are
 * pinned, so msal-node makes no discovery requests (any other request fails the script).
 */
import { writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfidentialClientApplication, PublicClientApplication, version } from '@azure/msal-node'
import { http, HttpResponse } from 'msw'
import { setupServer } from 'msw/node'

/** 2026-01-01T00:00:00Z, in seconds. */
export const FIXTURE_NOW = 1767225600
const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'caches')

const TENANT_A = '72f988bf-86f1-41af-91ab-2d7cd011db47'
const TENANT_B = 'f8cdef31-a31e-4b4a-93e4-5f571e91255a'
const DAEMON_CLIENT = '535fb089-9ff3-47b6-9bfb-4f1264799865'
const DESKTOP_CLIENT = '04b07795-8ddb-461a-bbee-02f9e1bf7b46'
const UID = '00000000-0000-0000-66f3-3332eca7ea81'

const RealDate = Date
// msal-node reads the clock as `new Date().getTime()` (TimeUtils.nowSeconds) and Date.now():
// both are pinned, so the written times do not depend on when the script runs.
class PinnedDate extends RealDate {
  constructor(...args: unknown[]) {
    if (args.length === 0) super(FIXTURE_NOW * 1000)
    else super(...(args as [string]))
  }
  static override now(): number {
    return FIXTURE_NOW * 1000
  }
}
globalThis.Date = PinnedDate as DateConstructor

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function fakeJwt(payload: Record<string, unknown>): string {
  return `${b64url({ typ: 'JWT', alg: 'RS256', kid: 'fixture' })}.${b64url(payload)}.fixture-signature`
}

function openidConfiguration(tenant: string): string {
  const base = `https://login.microsoftonline.com/${tenant}`
  return JSON.stringify({
    token_endpoint: `${base}/oauth2/v2.0/token`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    issuer: `https://login.microsoftonline.com/${tenant === 'organizations' ? '{tenantid}' : tenant}/v2.0`,
    jwks_uri: `https://login.microsoftonline.com/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
  })
}

const CLOUD_DISCOVERY = JSON.stringify({
  tenant_discovery_endpoint: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
  'api-version': '1.1',
  metadata: [
    {
      preferred_network: 'login.microsoftonline.com',
      preferred_cache: 'login.windows.net',
      aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
    },
  ],
})

let n = 0
function appToken(scope: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  n++
  return { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: `fixture-app-access-token-${n}`, scope, ...extra }
}

function userToken(tenant: string, scope: string): Record<string, unknown> {
  n++
  const idClaims = {
    aud: DESKTOP_CLIENT,
    iss: `https://login.microsoftonline.com/${tenant}/v2.0`,
    iat: FIXTURE_NOW,
    nbf: FIXTURE_NOW,
    exp: FIXTURE_NOW + 3600,
    name: 'Ada Lovelace',
    oid: UID,
    preferred_username: 'ada@contoso.example',
    sub: 'fixture-subject',
    tid: tenant,
    ver: '2.0',
  }
  return {
    token_type: 'Bearer',
    scope,
    expires_in: 4787,
    ext_expires_in: 4787,
    access_token: `fixture-user-access-token-${n}`,
    refresh_token: `fixture-refresh-token-${n}`,
    id_token: fakeJwt(idClaims),
    client_info: b64url({ uid: UID, utid: TENANT_A }),
    foci: '1',
  }
}

const server = setupServer()
server.listen({ onUnhandledRequest: 'error' })

async function daemonCache(): Promise<string> {
  const replies: Record<string, unknown>[] = []
  server.use(
    http.post('https://login.microsoftonline.com/:tenant/oauth2/v2.0/token', async ({ request }) => {
      const form = new URLSearchParams(await request.text())
      const scope = form.get('scope') ?? ''
      const reply = scope.startsWith('https://vault') ? appToken(scope, { refresh_in: 1800 }) : appToken(scope)
      replies.push(reply)
      return HttpResponse.json(reply)
    }),
  )
  for (const tenant of [TENANT_A, TENANT_B]) {
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: DAEMON_CLIENT,
        clientSecret: 'fixture-client-secret',
        authority: `https://login.microsoftonline.com/${tenant}`,
        authorityMetadata: openidConfiguration(tenant),
        cloudDiscoveryMetadata: CLOUD_DISCOVERY,
      },
    })
    if (tenant === TENANT_B) cca.getTokenCache().deserialize(previous)
    await cca.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })
    if (tenant === TENANT_A) {
      await cca.acquireTokenByClientCredential({ scopes: ['https://vault.azure.net/.default'] })
      await cca.acquireTokenByClientCredential({ scopes: ['https://database.windows.net//.default'] })
    }
    previous = cca.getTokenCache().serialize()
  }
  return previous
}
let previous = ''

async function desktopCache(): Promise<string> {
  server.use(
    http.post('https://login.microsoftonline.com/:tenant/oauth2/v2.0/token', async ({ request, params }) => {
      const form = new URLSearchParams(await request.text())
      const tenant = params.tenant === 'organizations' ? TENANT_A : String(params.tenant)
      const scope = (form.get('scope') ?? '')
        .split(' ')
        .filter((s) => !['openid', 'profile', 'offline_access'].includes(s))
        .join(' ')
      return HttpResponse.json(userToken(tenant, `${scope} openid profile`))
    }),
  )
  const pca = new PublicClientApplication({
    auth: {
      clientId: DESKTOP_CLIENT,
      authority: 'https://login.microsoftonline.com/organizations',
      authorityMetadata: openidConfiguration('organizations'),
      cloudDiscoveryMetadata: CLOUD_DISCOVERY,
    },
  })
  await pca.acquireTokenByCode({ code: 'fixture-code', scopes: ['User.Read', 'Mail.Read'], redirectUri: 'http://localhost' })
  const [account] = await pca.getTokenCache().getAllAccounts()
  if (!account) throw new Error('msal-node cached no account')
  // A second resource: msal-node refreshes with the cached refresh token and caches a second AT.
  await pca.acquireTokenSilent({ account, scopes: ['https://management.azure.com/user_impersonation'] })
  return pca.getTokenCache().serialize()
}

function pretty(json: string): string {
  return `${JSON.stringify(JSON.parse(json), null, 2)}\n`
}

try {
  writeFileSync(join(OUT, 'msal-node-daemon.json'), pretty(await daemonCache()))
  writeFileSync(join(OUT, 'msal-node-desktop.json'), pretty(await desktopCache()))
  writeFileSync(join(OUT, 'msal-node-version.txt'), `@azure/msal-node ${version}, clock pinned to ${FIXTURE_NOW}\n`)
  console.log(`fixtures/caches regenerated with @azure/msal-node ${version}`)
} finally {
  server.close()
  globalThis.Date = RealDate
}
