/**
 * No password, refresh token, code, verifier, device code or assertion appears in any error
 * message or log line. Every flow runs, successes and failures, with the logger at Trace and PII
 * off; every line and every error (message, stack, JSON, causes) is scanned for every secret that
 * crossed the wire.
 */
import { describe, expect, it } from 'vitest'
import { createFlowContext } from '../../src/apps/configuration.js'
import { acquireTokenByDeviceCode } from '../../src/flows/device-code.js'
import { ConfidentialClientApplication, LogLevel, PublicClientApplication, cryptoProvider } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, HOST, SECRET, aadstsError, tokenEndpoint } from '../msw/entra.js'
import { FakeEntra, PASSWORD, USER } from './fake-entra.js'

function describeError(error: unknown): string {
  const parts: string[] = []
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    parts.push(String(e), (e as Error).stack ?? '', safeJson(e))
    e = (e as { cause?: unknown }).cause
  }
  return parts.join('\n')
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch {
    return ''
  }
}

describe('secrets never reach errors or logs', () => {
  it('across every user flow, success and failure', async () => {
    const lines: string[] = []
    const errors: unknown[] = []
    const loggerOptions = { logLevel: LogLevel.Trace, piiLoggingEnabled: false, loggerCallback: (_l: LogLevel, message: string) => void lines.push(message) }
    const entra = new FakeEntra({ deviceSteps: ['authorization_pending', 'slow_down', 'success'], deviceInterval: 1 })
    server.use(...entra.handlers())
    const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID }, system: { loggerOptions } })
    const fail = (p: Promise<unknown>): Promise<void> => p.then(() => undefined, (e: unknown) => void errors.push(e))

    // Auth code: success, wrong verifier, reused code, undefined code.
    const { verifier, challenge } = await cryptoProvider.generatePkceCodes()
    const url = await app.getAuthCodeUrl({ scopes: ['User.Read'], redirectUri: 'http://localhost', codeChallenge: challenge, state: 'st', nonce: 'nn' })
    const code = new URL(entra.authorize(url)).searchParams.get('code')!
    entra.secrets.add(verifier)
    await app.acquireTokenByCode({ code, codeVerifier: verifier, redirectUri: 'http://localhost', nonce: 'nn' })
    await fail(app.acquireTokenByCode({ code, codeVerifier: verifier, redirectUri: 'http://localhost' }))
    const code2 = new URL(entra.authorize(url)).searchParams.get('code')!
    await fail(app.acquireTokenByCode({ code: code2, codeVerifier: 'W'.repeat(43), redirectUri: 'http://localhost' }))
    const code3 = new URL(entra.authorize(url)).searchParams.get('code')!
    await fail(app.acquireTokenByCode({ code: code3, codeVerifier: verifier, redirectUri: 'http://localhost', nonce: 'other-nonce' }))

    // Silent: hit, forced refresh, and a refused refresh token.
    const [account] = await app.getAllAccounts()
    await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'] })
    await app.acquireTokenSilent({ account: account!, scopes: ['User.Read'], forceRefresh: true })
    entra.refreshTokens.clear()
    await fail(app.acquireTokenSilent({ account: account!, scopes: ['User.Read'], forceRefresh: true }))
    await fail(app.acquireTokenByRefreshToken({ refreshToken: 'stale-refresh-token-secret-123', scopes: ['User.Read'] }))
    entra.secrets.add('stale-refresh-token-secret-123')

    // ROPC: success and a wrong password.
    await app.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: USER.preferred_username, password: PASSWORD })
    const wrongPassword = 'Wr0ng-P@ssword-secret-77'
    entra.secrets.add(wrongPassword)
    await fail(app.acquireTokenByUsernamePassword({ scopes: ['User.Read'], username: USER.preferred_username, password: wrongPassword }))

    // Device code: pending, slow_down, success; then an expired code.
    // (Through the flow with an instant sleep and the same logger: the intervals are device-code.test.ts's business.)
    const deviceCtx = createFlowContext({ auth: { clientId: CLIENT_ID }, system: { loggerOptions } }, 'public')
    const instant = { sleep: async () => undefined }
    await acquireTokenByDeviceCode(deviceCtx, { scopes: ['User.Read'], deviceCodeCallback: () => undefined, timeout: 30 }, instant)
    const expiring = new FakeEntra({ deviceSteps: ['expired_token'], deviceInterval: 1 })
    server.use(...expiring.handlers())
    await fail(acquireTokenByDeviceCode(deviceCtx, { scopes: ['User.Read'], deviceCodeCallback: () => undefined }, instant))
    for (const s of expiring.secrets) entra.secrets.add(s)

    // Interactive: an error= redirect and a failed redemption.
    server.use(...entra.handlers())
    await fail(
      app.acquireTokenInteractive({
        scopes: ['User.Read'],
        openBrowser: async (u) => {
          const state = new URL(u).searchParams.get('state')
          void fetch(`http://127.0.0.1:${new URL(new URL(u).searchParams.get('redirect_uri')!).port}/?error=access_denied&error_subcode=cancel&state=${state}`)
        },
      }),
    )
    server.use(tokenEndpoint(() => aadstsError('invalid_grant', 54005), 'common'))
    await fail(
      app.acquireTokenInteractive({
        scopes: ['User.Read'],
        openBrowser: async (u) => {
          const redirect = new URL(entra.authorize(u))
          redirect.hostname = '127.0.0.1'
          void fetch(redirect)
        },
      }),
    )

    // On-behalf-of on a confidential client.
    const obo = new FakeEntra({ tenant: 'organizations' })
    server.use(...obo.handlers())
    const cca = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority: `${HOST}/organizations`, clientSecret: SECRET }, system: { loggerOptions } })
    const assertion = 'eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJhcGkifQ.incoming-assertion-secret'
    await cca.acquireTokenOnBehalfOf({ oboAssertion: assertion, scopes: ['User.Read'] })
    server.use(tokenEndpoint(() => aadstsError('invalid_grant', 50013), 'organizations'))
    await fail(cca.acquireTokenOnBehalfOf({ oboAssertion: `${assertion}-2`, scopes: ['User.Read'] }))
    for (const s of obo.secrets) entra.secrets.add(s)
    entra.secrets.add(assertion)
    entra.secrets.add(SECRET)

    expect(errors.length).toBeGreaterThanOrEqual(10)
    expect(lines.length).toBeGreaterThan(30)
    // The scan is only meaningful if each kind of secret really went on the wire.
    const kinds = [...entra.secrets].join(' ')
    for (const kind of ['code-', 'rt-', 'device-code-', PASSWORD, wrongPassword, verifier, assertion]) expect(kinds).toContain(kind)
    const haystack = [...lines, ...errors.map(describeError)].join('\n')
    for (const secret of entra.secrets) expect(haystack, `a secret leaked: ${secret.slice(0, 6)}…`).not.toContain(secret)
    // PII off: the username is not logged either.
    expect(lines.join('\n')).not.toContain(USER.preferred_username)
  })
})
