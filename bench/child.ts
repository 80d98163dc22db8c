/**
 * One benchmark process: loads one library (ours or @azure/msal-node), runs one scenario, and
 * prints one `RESULT {json}` line. Runs as plain `node` on JavaScript that run.ts transpiled
 * from src/ and bench/ (no loader in the way of timings), with NODE_EXTRA_CA_CERTS trusting the
 * loopback server's CA. Every connection to login.microsoftonline.com goes to that server: the
 * global undici dispatcher's connector dials 127.0.0.1:PORT instead (TLS still checks the
 * certificate for login.microsoftonline.com). Both libraries use the global fetch, so both go
 * through the same dispatcher.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module'
import { performance } from 'node:perf_hooks'
import { readFileSync } from 'node:fs'
import type * as nodeCrypto from 'node:crypto'
import { createHash } from 'node:crypto'
import {
  APP_SCOPE,
  CLIENT_ID,
  CLIENT_SECRET,
  HOME_TENANT,
  USER_SCOPE,
  accountInfo,
  appTokenCache,
  homeAccountId,
  tenantId,
  userCache,
} from './cache-gen.js'
import { HOST, instanceDiscovery, openIdConfiguration } from './entra-docs.js'
import { median, quantile } from './stats.js'

export interface Job {
  /** `floor`: no library, raw `fetch` of the same requests (what any fetch-based client pays). */
  lib: 'ours' | 'msal' | 'floor'
  scenario: 'cc-hit' | 'silent-hit' | 'get-account' | 'concurrent' | 'first-token' | 'misses' | 'cert-misses' | 'heap' | 'cold-import'
  n: number
  mode?: 'one-tenant' | 'new-tenant' | undefined
  /** Which application class holds the user cache (the same for both libraries in one run). */
  app?: 'public' | 'confidential' | undefined
  credential?: 'secret' | 'cert' | undefined
  port: number
  nowSeconds: number
  tokenBytes: number
  /** Time budget for sampling, in ms. */
  budgetMs: number
  /** Where our transpiled library lives (its index.js). */
  oursEntry: string
  certDir: string
}

export interface ChildResult {
  ok: boolean
  unsupported?: string
  error?: string
  /** Per-call times in µs (median, p10, p90 over batches), for timed scenarios. */
  us?: { median: number; p10: number; p90: number; samples: number; calls: number }
  /** Calls per second, for throughput scenarios. */
  perSecond?: number
  wallMs?: number
  /** Signatures made while serving cache hits (crypto sign calls seen). */
  signsOnHits?: number
  signs?: number
  bytesPerToken?: number
  importMs?: number
  fromCache?: boolean
  extra?: Record<string, unknown>
}

// ---- signature counting (installed before any library is loaded) ------------------------------

let signs = 0
function countSignatures(): void {
  const require = createRequire(import.meta.url)
  const crypto = require('node:crypto') as typeof nodeCrypto
  const createSign = crypto.createSign
  const sign = crypto.sign
  crypto.createSign = ((...args: Parameters<typeof createSign>) => {
    signs++
    return createSign(...args)
  }) as typeof createSign
  crypto.sign = ((...args: unknown[]) => {
    signs++
    return (sign as (...a: unknown[]) => unknown)(...args)
  }) as typeof sign
  syncBuiltinESMExports()
  const subtle = Object.getPrototypeOf(globalThis.crypto.subtle) as { sign: (...a: unknown[]) => Promise<ArrayBuffer> }
  const subtleSign = subtle.sign
  subtle.sign = function (this: unknown, ...args: unknown[]) {
    signs++
    return subtleSign.apply(this, args)
  }
}

async function routeToServer(port: number): Promise<void> {
  const undici = await import('undici')
  const connect = undici.buildConnector({})
  undici.setGlobalDispatcher(
    new undici.Agent({
      connect: (opts, callback) => connect({ ...opts, hostname: '127.0.0.1', host: `127.0.0.1:${port}`, port: String(port), servername: opts.hostname }, callback),
    }),
  )
}

// ---- the two libraries behind one shape ---------------------------------------------------------

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyApp = any
interface Lib {
  ConfidentialClientApplication: new (config: unknown) => AnyApp
  PublicClientApplication?: new (config: unknown) => AnyApp
}

async function loadLib(job: Job): Promise<Lib> {
  return (job.lib === 'msal' ? await import('@azure/msal-node') : await import(job.oursEntry)) as Lib
}

function authorityFor(tenant: string): string {
  return `https://${HOST}/${tenant}`
}

/** msal-node gets the documents it would otherwise fetch, so it makes no discovery request. */
function pinned(job: Job, tenant: string, pin = true): Record<string, string> {
  if (job.lib !== 'msal' || !pin) return {}
  return { authorityMetadata: JSON.stringify(openIdConfiguration(tenant)), cloudDiscoveryMetadata: JSON.stringify(instanceDiscovery(tenant)) }
}

function credential(job: Job): Record<string, unknown> {
  if (job.credential !== 'cert') return { clientSecret: CLIENT_SECRET }
  const pem = readFileSync(`${job.certDir}/rsa-cert.pem`, 'utf8')
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64')
  return { clientCertificate: { thumbprintSha256: createHash('sha256').update(der).digest('hex'), privateKey: readFileSync(`${job.certDir}/rsa-pkcs8.pem`, 'utf8') } }
}

function confidential(lib: Lib, job: Job, tenant: string, pin = true): AnyApp {
  return new lib.ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: authorityFor(tenant), ...credential(job), ...pinned(job, tenant, pin) } })
}

/** The application that holds user accounts: PublicClientApplication, or the confidential one (same TokenCache class in both libraries). */
function userApp(lib: Lib, job: Job): AnyApp {
  const auth = { clientId: CLIENT_ID, authority: authorityFor(HOME_TENANT), ...pinned(job, HOME_TENANT) }
  if (job.app === 'public') {
    if (!lib.PublicClientApplication) throw new Error('PublicClientApplication is not exported')
    return new lib.PublicClientApplication({ auth })
  }
  return new lib.ConfidentialClientApplication({ auth: { ...auth, clientSecret: CLIENT_SECRET } })
}

// ---- timing -----------------------------------------------------------------------------------

/**
 * Per-call time of `fn` in µs: warm up, pick a batch size so one batch takes about a
 * millisecond, then time batches until the budget is spent.
 */
async function timeCalls(fn: () => Promise<unknown> | unknown, budgetMs: number, minSamples = 5): Promise<NonNullable<ChildResult['us']>> {
  const warmEnd = performance.now() + Math.min(budgetMs / 4, 300)
  let warm = 0
  do {
    await fn()
    warm++
  } while (performance.now() < warmEnd && warm < 2000)
  let t = performance.now()
  await fn()
  const one = Math.max(performance.now() - t, 0.0005)
  const batch = Math.max(1, Math.min(10_000, Math.ceil(1 / one)))
  const samples: number[] = []
  const end = performance.now() + budgetMs
  let calls = 0
  while ((performance.now() < end || samples.length < minSamples) && samples.length < 2000) {
    t = performance.now()
    for (let i = 0; i < batch; i++) await fn()
    samples.push(((performance.now() - t) * 1000) / batch)
    calls += batch
  }
  return { median: median(samples), p10: quantile(samples, 0.1), p90: quantile(samples, 0.9), samples: samples.length, calls }
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc
  if (!g) throw new Error('run with --expose-gc')
  for (let i = 0; i < 3; i++) g()
}

// ---- scenarios --------------------------------------------------------------------------------

async function run(job: Job): Promise<ChildResult> {
  if (job.scenario === 'cold-import') {
    const t0 = performance.now()
    await loadLib(job)
    return { ok: true, importMs: performance.now() - t0 }
  }
  countSignatures()
  await routeToServer(job.port)
  if (job.lib === 'floor') return floor(job)
  const lib = await loadLib(job)
  const cacheOf = (app: AnyApp): AnyApp => app.getTokenCache()
  const hasDeserialize = (app: AnyApp): boolean => typeof cacheOf(app)?.deserialize === 'function'

  switch (job.scenario) {
    case 'cc-hit': {
      const target = tenantId(Math.floor(job.n / 2))
      const app = confidential(lib, job, target)
      if (!hasDeserialize(app)) return { ok: false, unsupported: 'TokenCache.deserialize not available yet' }
      await cacheOf(app).deserialize(appTokenCache(job.n, job.nowSeconds, job.tokenBytes))
      const request = { scopes: [APP_SCOPE] }
      const first = await app.acquireTokenByClientCredential(request)
      if (!first.fromCache) return { ok: false, error: 'the first call missed the cache: the generated cache did not load' }
      const before = signs
      const us = await timeCalls(() => app.acquireTokenByClientCredential(request), job.budgetMs)
      return { ok: true, us, fromCache: true, signsOnHits: signs - before, extra: { callsTimed: us.calls } }
    }
    case 'silent-hit': {
      const app = userApp(lib, job)
      if (!hasDeserialize(app)) return { ok: false, unsupported: 'TokenCache.deserialize not available yet' }
      if (typeof app.acquireTokenSilent !== 'function') return { ok: false, unsupported: 'acquireTokenSilent not available yet' }
      await cacheOf(app).deserialize(userCache(job.n, job.nowSeconds, job.tokenBytes))
      const request = { account: accountInfo(Math.floor(job.n / 2), job.nowSeconds), scopes: [USER_SCOPE] }
      const first = await app.acquireTokenSilent(request)
      if (!first.fromCache) return { ok: false, error: 'acquireTokenSilent missed the cache' }
      const us = await timeCalls(() => app.acquireTokenSilent(request), job.budgetMs, 3)
      return { ok: true, us, fromCache: true }
    }
    case 'get-account': {
      const app = userApp(lib, job)
      const cache = cacheOf(app)
      if (!hasDeserialize(app) || typeof cache.getAccountByHomeId !== 'function') return { ok: false, unsupported: 'TokenCache.deserialize/getAccountByHomeId not available yet' }
      await cache.deserialize(userCache(job.n, job.nowSeconds, job.tokenBytes))
      const home = homeAccountId(Math.floor(job.n / 2))
      const found = await cache.getAccountByHomeId(home)
      if (!found || found.homeAccountId !== home) return { ok: false, error: 'getAccountByHomeId did not find the account' }
      const us = await timeCalls(() => cache.getAccountByHomeId(home), job.budgetMs, 3)
      return { ok: true, us }
    }
    case 'concurrent': {
      const app = confidential(lib, job, tenantId(1))
      const t0 = performance.now()
      const results = await Promise.all(Array.from({ length: job.n }, () => app.acquireTokenByClientCredential({ scopes: [APP_SCOPE] })))
      const wallMs = performance.now() - t0
      return { ok: results.every((r: AnyApp) => typeof r.accessToken === 'string' && r.accessToken.length > 0), wallMs }
    }
    case 'first-token': {
      // No configuration beyond what a newcomer writes: client id, tenant authority, secret.
      const app = confidential(lib, job, tenantId(7), false)
      const t0 = performance.now()
      const result = await app.acquireTokenByClientCredential({ scopes: [APP_SCOPE] })
      return { ok: typeof result.accessToken === 'string', wallMs: performance.now() - t0 }
    }
    case 'misses':
    case 'cert-misses': {
      const home = tenantId(1)
      const app = confidential(lib, job, home)
      const alternate = [tenantId(1), tenantId(2)]
      const request = (i: number): Record<string, unknown> => {
        if (job.scenario === 'cert-misses') return { scopes: [APP_SCOPE], skipCache: true, authority: authorityFor(alternate[i % 2]!) }
        if (job.mode === 'new-tenant') return { scopes: [APP_SCOPE], authority: authorityFor(tenantId(100_000 + i)) }
        return { scopes: [APP_SCOPE], skipCache: true }
      }
      const warmup = 20
      for (let i = 0; i < warmup; i++) await app.acquireTokenByClientCredential(request(-1 - i + 1_000_000))
      const signsBefore = signs
      const t0 = performance.now()
      for (let i = 0; i < job.n; i++) {
        const r = await app.acquireTokenByClientCredential(request(i))
        if (r.fromCache) return { ok: false, error: `call ${i} was served from the cache; the scenario wants misses` }
      }
      const wallMs = performance.now() - t0
      const result: ChildResult = { ok: true, wallMs, perSecond: (job.n * 1000) / wallMs, signs: signs - signsBefore, extra: { warmupCalls: warmup } }
      if (job.scenario === 'cert-misses') {
        // Then the cost of a cache hit with a certificate credential, and what it signs.
        await app.acquireTokenByClientCredential({ scopes: [APP_SCOPE] })
        const before = signs
        result.us = await timeCalls(() => app.acquireTokenByClientCredential({ scopes: [APP_SCOPE] }), job.budgetMs / 2)
        result.signsOnHits = signs - before
        result.extra = { ...result.extra, hitCalls: result.us.calls }
      }
      return result
    }
    case 'heap': {
      const app = confidential(lib, job, tenantId(0))
      if (!hasDeserialize(app)) return { ok: false, unsupported: 'TokenCache.deserialize not available yet' }
      gc()
      const before = process.memoryUsage().heapUsed
      let json: string | undefined = appTokenCache(job.n, job.nowSeconds, job.tokenBytes)
      await cacheOf(app).deserialize(json)
      json = undefined
      const hit = await app.acquireTokenByClientCredential({ scopes: [APP_SCOPE] })
      if (!hit.fromCache) return { ok: false, error: 'the loaded cache did not serve a hit' }
      gc()
      const after = process.memoryUsage().heapUsed
      return { ok: true, bytesPerToken: (after - before) / job.n, extra: { heapBeforeMiB: before / 2 ** 20, heapAfterMiB: after / 2 ** 20, keepAlive: typeof app } }
    }
  }
}

/** Raw fetch of the same sequential token requests: the cost no fetch-based library can go below. */
async function floor(job: Job): Promise<ChildResult> {
  const body = new URLSearchParams({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, grant_type: 'client_credentials', scope: APP_SCOPE }).toString()
  const one = async (i: number): Promise<void> => {
    const tenant = job.mode === 'new-tenant' ? tenantId(100_000 + i) : tenantId(1)
    const res = await fetch(`https://${HOST}/${tenant}/oauth2/v2.0/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body })
    const json = JSON.parse(await res.text()) as { access_token?: string }
    if (typeof json.access_token !== 'string') throw new Error(`no token: HTTP ${res.status}`)
  }
  for (let i = 0; i < 20; i++) await one(1_000_000 + i)
  const t0 = performance.now()
  for (let i = 0; i < job.n; i++) await one(i)
  const wallMs = performance.now() - t0
  return { ok: true, wallMs, perSecond: (job.n * 1000) / wallMs }
}

const job = JSON.parse(process.env.BENCH_JOB ?? '{}') as Job
run(job)
  .then((r) => r, (e: unknown) => ({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) }) as ChildResult)
  .then((r) => {
    process.stdout.write(`RESULT ${JSON.stringify({ ...r, signs: r.signs ?? signs })}\n`)
    // Idle keep-alive sockets would hold the process open: leave now.
    process.exit(0)
  })
