/**
 * `npm run demo`: the library doing its job with no tenant and no internet. Starts the Entra
 * emulator on a free port, then: a daemon gets an app token with a certificate; a user signs in
 * with a device code (approved by the emulator, as a person on another device would); the next
 * call is served from the cache; once the access token is due for renewal the library refreshes
 * it silently; the token calls the emulator's Graph look-alike. Exits 0 and leaves nothing running.
 */
import { readFileSync } from 'node:fs'
import { ConfidentialClientApplication, PublicClientApplication, type AuthenticationResult } from '../src/index.js'
import { DEFAULTS, defaultConfig, startEmulator, type Emulator } from '../src/emulator/index.js'
import { EXPIRY_MARGIN_SECONDS } from '../src/flows/client-credential.js'

const fixture = (name: string) => readFileSync(new URL(`../fixtures/keys/${name}`, import.meta.url), 'utf8')
/** The library renews access tokens this long before they expire (300 s, as msal-node does). */
const RENEWAL_WINDOW_S = EXPIRY_MARGIN_SECONDS
/** The emulator's access tokens live this long, so the renewal comes a few seconds into the demo. */
const ACCESS_TOKEN_LIFETIME_S = RENEWAL_WINDOW_S + 3

const step = (n: number, text: string) => console.log(`\n${n}. ${text}`)
const say = (text: string) => console.log(`   ${text}`)
const short = (token: string) => `${token.slice(0, 12)}…${token.slice(-6)}`
const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>

async function graph(emulator: Emulator, path: string, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${emulator.url}${path}`, { headers: { authorization: `Bearer ${token}` } })
  const body = (await res.json()) as Record<string, unknown>
  if (!res.ok) throw new Error(`GET ${path} answered ${res.status}: ${JSON.stringify(body)}`)
  return body
}

function tokenLine(r: AuthenticationResult): string {
  return `${r.fromCache ? 'from the cache' : 'from the token endpoint'}: ${short(r.accessToken)}, expires ${r.expiresOn?.toISOString()}`
}

async function demo(emulator: Emulator): Promise<void> {
  const authority = emulator.authority()
  console.log(`Entra emulator on ${emulator.url}, tenant ${DEFAULTS.tenantDomain} (${DEFAULTS.tenantId})`)
  console.log(`Access tokens here live ${ACCESS_TOKEN_LIFETIME_S} s; the library renews them ${RENEWAL_WINDOW_S} s before they expire.`)

  step(1, 'Daemon: client credentials with a certificate (signed JWT assertion, x5t#S256)')
  const daemon = new ConfidentialClientApplication({
    auth: { clientId: DEFAULTS.daemonClientId, authority, clientCertificate: { thumbprintSha256: fixture('rsa-cert.sha256').trim(), privateKey: fixture('rsa-pkcs8.pem') } },
  })
  const app = await daemon.acquireTokenByClientCredential({ scopes: ['https://graph.microsoft.com/.default'] })
  const appClaims = claimsOf(app.accessToken)
  say(`app token ${tokenLine(app)}`)
  say(`aud ${String(appClaims.aud)}, roles ${JSON.stringify(appClaims.roles)}, azpacr ${String(appClaims.azpacr)} (certificate)`)
  const users = (await graph(emulator, '/v1.0/users', app.accessToken)).value as { userPrincipalName: string }[]
  say(`GET /v1.0/users → ${users.map((u) => u.userPrincipalName).join(', ')}`)
  await daemon.close()

  step(2, 'Desktop app: device code sign-in')
  const pca = new PublicClientApplication({ auth: { clientId: DEFAULTS.publicClientId, authority } })
  const [adele] = DEFAULTS.users
  const signedIn = await pca.acquireTokenByDeviceCode({
    scopes: ['User.Read'],
    deviceCodeCallback: (r) => {
      say(r.message)
      // Stands in for the user, who would open the page on a phone and enter the code.
      setTimeout(() => {
        emulator.approveDeviceCode(r.userCode, adele!.username)
        say(`(the emulator approves ${r.userCode} as ${adele!.username})`)
      }, 300)
    },
  })
  if (!signedIn?.account) throw new Error('the device code flow returned no account')
  say(`signed in as ${signedIn.account.username} (${signedIn.account.homeAccountId})`)
  say(`user token ${tokenLine(signedIn)}`)

  step(3, 'acquireTokenSilent right away: a cache hit, nothing sent')
  const sentBefore = emulator.counters()['token:refresh_token'] ?? 0
  const hit = await pca.acquireTokenSilent({ account: signedIn.account, scopes: ['User.Read'] })
  if (!hit.fromCache) throw new Error('expected the cached access token')
  say(`user token ${tokenLine(hit)}; refresh requests so far: ${sentBefore}`)

  step(4, 'acquireTokenSilent after the access token is due: a silent refresh')
  const dueAt = (signedIn.expiresOn?.getTime() ?? Date.now()) - RENEWAL_WINDOW_S * 1000
  const waitMs = Math.max(0, dueAt - Date.now()) + 250
  say(`waiting ${(waitMs / 1000).toFixed(1)} s until the cached token is inside the renewal window…`)
  await new Promise((resolve) => setTimeout(resolve, waitMs))
  const refreshed = await pca.acquireTokenSilent({ account: signedIn.account, scopes: ['User.Read'] })
  if (refreshed.fromCache || refreshed.accessToken === signedIn.accessToken) throw new Error('expected a refreshed access token')
  say(`user token ${tokenLine(refreshed)}`)
  say(`refresh requests: ${emulator.counters()['token:refresh_token'] ?? 0} (the refresh token rotated; the old one is now spent)`)

  step(5, 'Calling the protected API with the token')
  const me = await graph(emulator, '/v1.0/me', refreshed.accessToken)
  say(`GET /v1.0/me → ${String(me.displayName)} <${String(me.userPrincipalName)}>`)
  await pca.close()
}

const emulator = await startEmulator({ config: { ...defaultConfig(), lifetimes: { accessToken: ACCESS_TOKEN_LIFETIME_S }, deviceCodeInterval: 1 } })
try {
  await demo(emulator)
  console.log('\nDone: every flow ran against the local emulator over HTTP on 127.0.0.1.')
} catch (error) {
  console.error(`\ndemo failed: ${(error as Error).message}`)
  process.exitCode = 1
} finally {
  await emulator.close()
}
