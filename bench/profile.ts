/**
 * In-process profiling helper for our own hot paths (not a comparison; see run.ts for that).
 * Uses `system.fetch` with a canned answer, so no server is needed:
 *
 *   npx tsx bench/profile.ts cc-hit         per-call time of a client-credential cache hit
 *   node --cpu-prof $(npx tsx ...)          or run the transpiled copy under --cpu-prof
 */
import { performance } from 'node:perf_hooks'
import { APP_SCOPE, CLIENT_ID, CLIENT_SECRET, tenantId } from './cache-gen.js'
import type * as OursModule from '../src/index.js'

const entry = process.env.BENCH_OURS ?? '../src/index.js'
const Ours = (await import(entry)) as typeof OursModule
const { ConfidentialClientApplication } = Ours

const fakeFetch = async (): Promise<Response> =>
  new Response(JSON.stringify({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: 'x'.repeat(1800) }), { status: 200, headers: { 'content-type': 'application/json' } })

async function time(label: string, fn: () => Promise<unknown>, calls: number): Promise<void> {
  for (let i = 0; i < calls / 10; i++) await fn()
  const t0 = performance.now()
  for (let i = 0; i < calls; i++) await fn()
  console.log(`${label}: ${(((performance.now() - t0) * 1000) / calls).toFixed(2)} µs/call`)
}

const what = process.argv[2] ?? 'cc-hit'
const cca = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: `https://login.microsoftonline.com/${tenantId(1)}`, clientSecret: CLIENT_SECRET }, system: { fetch: fakeFetch } })
if (what === 'cc-hit') {
  await cca.acquireTokenByClientCredential({ scopes: [APP_SCOPE] })
  for (let r = 0; r < 3; r++) await time('cc-hit', () => cca.acquireTokenByClientCredential({ scopes: [APP_SCOPE] }), 200_000)
} else if (what === 'miss') {
  for (let r = 0; r < 3; r++) await time('forced miss (fake fetch)', () => cca.acquireTokenByClientCredential({ scopes: [APP_SCOPE], skipCache: true }), 5000)
} else if (what === 'miss-new-tenant') {
  let i = 0
  for (let r = 0; r < 3; r++) await time('miss, new tenant (fake fetch)', () => cca.acquireTokenByClientCredential({ scopes: [APP_SCOPE], authority: `https://login.microsoftonline.com/${tenantId(1000 + i++)}` }), 5000)
}

if (what === 'silent' || what === 'get-account') {
  const { userCache, accountInfo, homeAccountId, HOME_TENANT, USER_SCOPE } = await import('./cache-gen.js')
  const n = Number(process.argv[3] ?? 1000)
  const now = Math.floor(Date.now() / 1000)
  const pca = new Ours.PublicClientApplication({ auth: { clientId: CLIENT_ID, authority: `https://login.microsoftonline.com/${HOME_TENANT}` }, system: { fetch: fakeFetch } })
  pca.getTokenCache().deserialize(userCache(n, now, 1800))
  const i = Math.floor(n / 2)
  if (what === 'silent') {
    const request = { account: accountInfo(i, now) as never, scopes: [USER_SCOPE] }
    const r = await pca.acquireTokenSilent(request)
    if (!r.fromCache) throw new Error('miss')
    for (let k = 0; k < 3; k++) await time(`silent hit N=${n}`, () => pca.acquireTokenSilent(request), 100_000)
  } else {
    const home = homeAccountId(i)
    for (let k = 0; k < 3; k++) await time(`getAccountByHomeId N=${n}`, () => pca.getTokenCache().getAccountByHomeId(home), 100_000)
  }
}
