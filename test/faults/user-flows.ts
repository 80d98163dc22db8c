/**
 * The fault matrix for the user flows: authorization code exchange, refresh (silent after expiry,
 * and acquireTokenByRefreshToken), device-code polling and the JWKS fetched to validate an id
 * token. Each case starts from the same signed-in cache (one account with its access, refresh and
 * id tokens, app metadata, and a section this library does not know), runs the flow with one
 * endpoint answering with a fault, and returns what the caller saw, how many requests reached the
 * faulted endpoint, and the serialized cache before and after. On success, the cache must equal
 * what an undisturbed run with the same final answer produces: nothing but the expected
 * replacements.
 */
import { HttpResponse, http, type HttpHandler } from 'msw'
import { expect, vi } from 'vitest'
import { createFlowContext } from '../../src/apps/configuration.js'
import { acquireTokenByDeviceCode } from '../../src/flows/device-code.js'
import { AuthError, PublicClientApplication } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, HOST, TENANT, fakeAccessToken, tokenUrl } from '../msw/entra.js'
import { clientInfoOf, signIdToken, testJwks } from '../flows/fake-entra.js'
import { FAULT_SYSTEM, type Fault } from './faults.js'

export type UserFlow = 'code exchange' | 'silent refresh after expiry' | 'acquireTokenByRefreshToken' | 'device code poll' | 'JWKS'

export const AUTHORITY = `${HOST}/${TENANT}`
const JWKS_URL = `${AUTHORITY}/discovery/v2.0/keys`
const DEVICE_URL = `${AUTHORITY}/oauth2/v2.0/devicecode`
const REDIRECT = 'http://localhost:5123'
const CODE = 'code-0.AQABAAIAAAD--fault-matrix-secret'
const VERIFIER = 'verifier-fault-matrix-secret-0123456789abcdefgh'
const DEVICE_CODE = 'device-code-fault-matrix-secret'
/** A fixed clock: the run and its undisturbed twin must stamp the same times. */
const T0 = Date.UTC(2026, 0, 15, 9, 0, 0)
/** Polls answered authorization_pending before the faulted one. */
const PENDING_POLLS = 2

let rtCounter = 0

/** A token response as Entra sends it for the signed-in user. */
async function userTokenBody(): Promise<Record<string, unknown>> {
  return {
    token_type: 'Bearer',
    scope: 'User.Read openid profile email',
    expires_in: 3599,
    ext_expires_in: 3599,
    access_token: fakeAccessToken('user-at'),
    refresh_token: `rt-${++rtCounter}-0.AXkAv4j5cvGGr0GRqy180BHbR-secret`,
    id_token: await signIdToken(),
    client_info: clientInfoOf(),
  }
}

const jwksHandler = (reply: () => Response | Promise<Response>): HttpHandler => http.get(JWKS_URL, () => reply())
const goodJwks = async (): Promise<Response> => HttpResponse.json(await testJwks())

function newApp(): PublicClientApplication {
  return new PublicClientApplication({ auth: { clientId: CLIENT_ID, authority: AUTHORITY }, system: FAULT_SYSTEM })
}

/** The cache every case starts from: a code sign-in at T0, plus a top-level section of another library. */
async function seedCache(): Promise<{ seed: string; refreshToken: string }> {
  const body = await userTokenBody()
  server.use(
    jwksHandler(goodJwks),
    http.post(tokenUrl(), () => HttpResponse.json(body)),
  )
  const app = newApp()
  await app.acquireTokenByCode({ code: CODE, codeVerifier: VERIFIER, redirectUri: REDIRECT, scopes: ['User.Read'] })
  server.resetHandlers()
  const json = JSON.parse(app.getTokenCache().serialize()) as Record<string, unknown>
  json['OtherLibrarySection'] = { 'kept-entry': { note: 'written by another MSAL, kept as is', n: 1 } }
  return { seed: JSON.stringify(json), refreshToken: body.refresh_token as string }
}

export interface FaultRun {
  outcome: string
  error: AuthError | undefined
  /** Requests that reached the faulted endpoint. */
  requests: number
  /** Requests that reached the token endpoint (for the JWKS flow: the code was redeemed first). */
  tokenRequests: number
  before: string
  after: string
  /** The serialized cache after the same flow with the final answer and no fault (success only). */
  undisturbed: string | undefined
  /** Every secret the run involved, to scan errors for. */
  secrets: string[]
}

type Reply = (n: number, good: () => Response) => Response | Promise<Response>

/**
 * Runs `flow` from the seed cache with its endpoint answering `reply`, then (on success) again on
 * a fresh copy of the seed with the final answer alone, and returns both caches.
 */
export async function runUserFlowFault(flow: UserFlow, fault: Fault): Promise<FaultRun> {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 })
  try {
    const { seed, refreshToken } = await seedCache()
    // Refresh cases start once the cached access token is due.
    if (flow === 'silent refresh after expiry') vi.setSystemTime(T0 + 3600 * 1000)
    const good = await userTokenBody()
    const goodText = JSON.stringify(good)
    const keys = await testJwks()

    let n = 0
    let lastTokenBody: string | undefined
    const faulted: Reply = async (attempt, goodAnswer) => {
      const res = await fault.reply(attempt, goodAnswer)
      if (res.status === 200 && (res.headers.get('content-type') ?? '').includes('json')) lastTokenBody = await res.clone().text().catch(() => undefined)
      return res
    }
    const goodToken = (): Response => new HttpResponse(goodText, { status: 200, headers: { 'content-type': 'application/json' } })

    const first = await runOnce(flow, seed, refreshToken, {
      token: flow === 'JWKS' ? () => goodToken() : (attempt) => faulted(attempt, goodToken),
      jwks: flow === 'JWKS' ? (attempt) => fault.reply(attempt, () => HttpResponse.json(keys)) : () => goodJwks(),
      jwksIsFaulted: flow === 'JWKS',
      onFaulted: () => n++,
    })
    let undisturbed: string | undefined
    if (first.outcome === 'success') {
      const finalText = flow === 'JWKS' ? goodText : (lastTokenBody ?? goodText)
      const replay = await runOnce(flow, seed, refreshToken, {
        token: () => new HttpResponse(finalText, { status: 200, headers: { 'content-type': 'application/json' } }),
        jwks: () => goodJwks(),
        jwksIsFaulted: false,
        onFaulted: () => undefined,
      })
      expect(replay.outcome).toBe('success')
      undisturbed = replay.after
    }
    return {
      ...first,
      requests: n,
      undisturbed,
      before: seed,
      secrets: [CODE, VERIFIER, DEVICE_CODE, refreshToken, good.access_token as string, good.refresh_token as string, good.id_token as string, 'eyJ-half'],
    }
  } finally {
    server.resetHandlers()
    vi.useRealTimers()
  }
}

interface Endpoints {
  token: (n: number) => Response | Promise<Response>
  jwks: (n: number) => Response | Promise<Response>
  jwksIsFaulted: boolean
  onFaulted: () => void
}

async function runOnce(flow: UserFlow, seed: string, refreshToken: string, e: Endpoints): Promise<{ outcome: string; error: AuthError | undefined; tokenRequests: number; after: string }> {
  server.resetHandlers()
  let tokenRequests = 0
  let jwksRequests = 0
  let polls = 0
  server.use(
    http.get(JWKS_URL, () => {
      jwksRequests++
      if (e.jwksIsFaulted) e.onFaulted()
      return e.jwks(jwksRequests)
    }),
    http.post(tokenUrl(), () => {
      tokenRequests++
      if (flow === 'device code poll' && ++polls <= PENDING_POLLS) {
        return HttpResponse.json({ error: 'authorization_pending', error_description: 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.', error_codes: [70016] }, { status: 400 })
      }
      if (!e.jwksIsFaulted) e.onFaulted()
      return e.token(flow === 'device code poll' ? polls - PENDING_POLLS : tokenRequests)
    }),
    http.post(DEVICE_URL, () =>
      HttpResponse.json({ user_code: 'FAULT123', device_code: DEVICE_CODE, verification_uri: 'https://microsoft.com/devicelogin', expires_in: 900, interval: 5, message: 'Enter FAULT123' }),
    ),
  )

  const app = newApp()
  app.getTokenCache().deserialize(seed)
  let outcome = 'success'
  let error: AuthError | undefined
  let after: () => string = () => app.getTokenCache().serialize()
  try {
    switch (flow) {
      case 'code exchange':
      case 'JWKS':
        await app.acquireTokenByCode({ code: CODE, codeVerifier: VERIFIER, redirectUri: REDIRECT, scopes: ['User.Read'] })
        break
      case 'silent refresh after expiry': {
        const [account] = await app.getAllAccounts()
        const result = await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })
        expect(result.fromCache).toBe(false)
        break
      }
      case 'acquireTokenByRefreshToken':
        await app.acquireTokenByRefreshToken({ refreshToken, scopes: ['User.Read'] })
        break
      case 'device code poll': {
        // The flow itself, with a sleep that advances the flow's clock instead of waiting.
        const ctx = createFlowContext({ auth: { clientId: CLIENT_ID, authority: AUTHORITY }, system: FAULT_SYSTEM }, 'public')
        ctx.cache.deserialize(seed)
        let clock = Date.now()
        ctx.now = () => clock
        after = () => ctx.cache.serialize()
        await acquireTokenByDeviceCode(ctx, { scopes: ['User.Read'], deviceCodeCallback: () => undefined }, { sleep: async (ms) => void (clock += ms) })
        break
      }
    }
  } catch (caught) {
    expect(caught).toBeInstanceOf(AuthError)
    error = caught as AuthError
    outcome = error.errorCode
  }
  return { outcome, error, tokenRequests, after: after() }
}

/** What a fault matrix test asserts of one run. */
export function expectFaultHandled(run: FaultRun, fault: Fault, endpoint: RegExp): void {
  expect(run.outcome).toBe(fault.outcome)
  expect(run.requests).toBe(fault.requests)
  if (run.outcome === 'success') {
    // Only the expected replacements: exactly what an undisturbed run writes.
    expect(run.after).toBe(run.undisturbed)
    expect(run.after).not.toBe(run.before)
    const keys = (json: string): string[] => Object.entries(JSON.parse(json) as Record<string, Record<string, unknown>>).flatMap(([s, entries]) => Object.keys(entries).map((k) => `${s}/${k}`))
    expect(keys(run.after).sort()).toEqual(keys(run.before).sort())
  } else {
    expect(run.after).toBe(run.before)
    const error = run.error!
    expect(error.endpoint ?? '').toMatch(endpoint)
    const text = `${String(error)} ${error.stack ?? ''} ${String((error as Error).cause ?? '')}`
    for (const secret of run.secrets) expect(text).not.toContain(secret)
  }
}
