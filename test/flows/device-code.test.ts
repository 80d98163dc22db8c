import { afterEach, describe, expect, it, vi } from 'vitest'
import { createFlowContext } from '../../src/apps/configuration.js'
import { acquireTokenByDeviceCode, type DeviceCodeRequest, type DeviceCodeResponse } from '../../src/flows/device-code.js'
import { ClientAuthError, PublicClientApplication, ServerError } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, HOST } from '../msw/entra.js'
import { FakeEntra, HOME_ACCOUNT_ID, formOf, type DeviceStep } from './fake-entra.js'

afterEach(() => {
  vi.useRealTimers()
})

/** A flow context whose clock is advanced by the injected sleep: polls run instantly, intervals are recorded. */
function harness(steps: DeviceStep[], options: { interval?: number; expiresIn?: number } = {}) {
  const entra = new FakeEntra({ deviceSteps: steps, deviceInterval: options.interval, deviceExpiresIn: options.expiresIn })
  server.use(...entra.handlers())
  const ctx = createFlowContext({ auth: { clientId: CLIENT_ID } }, 'public')
  let clock = Date.now()
  ctx.now = () => clock
  const sleeps: number[] = []
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms)
    clock += ms
  }
  const shown: DeviceCodeResponse[] = []
  const run = (extra: Partial<DeviceCodeRequest> = {}) =>
    acquireTokenByDeviceCode(ctx, { scopes: ['User.Read'], deviceCodeCallback: (r) => shown.push(r), ...extra }, { sleep })
  return { entra, ctx, sleeps, shown, run }
}

describe('device code', () => {
  it('shows the code, keeps polling on authorization_pending, honours interval, then signs in', async () => {
    const h = harness(['authorization_pending', 'authorization_pending', 'success'])
    const result = await h.run()
    expect(h.shown).toEqual([
      {
        userCode: 'FAKE1234',
        deviceCode: expect.stringMatching(/^device-code-/),
        verificationUri: 'https://microsoft.com/devicelogin',
        expiresIn: 900,
        interval: 5,
        message: expect.stringContaining('FAKE1234'),
      },
    ])
    expect(h.sleeps).toEqual([5000, 5000, 5000])
    const [authz, ...polls] = h.entra.requests
    expect(authz!.url).toBe(`${HOST}/common/oauth2/v2.0/devicecode`)
    expect(await formOf(authz!)).toEqual({ client_id: CLIENT_ID, scope: 'User.Read openid profile offline_access' })
    expect(polls).toHaveLength(3)
    expect(await formOf(polls[0]!)).toEqual({ client_id: CLIENT_ID, grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: h.shown[0]!.deviceCode, client_info: '1' })
    expect(result.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
    expect(await h.ctx.cache.getAllAccounts()).toHaveLength(1)
  })

  it('adds 5 s to the interval on slow_down, and keeps it', async () => {
    const h = harness(['slow_down', 'authorization_pending', 'slow_down', 'success'], { interval: 3 })
    await h.run()
    expect(h.sleeps).toEqual([3000, 8000, 8000, 13000])
  })

  it.each(['expired_token', 'authorization_declined', 'access_denied', 'bad_verification_code'] as const)('%s ends polling with a typed ServerError', async (step) => {
    const h = harness(['authorization_pending', step, 'success'])
    const error = await h.run().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ServerError)
    expect(error).toMatchObject({ errorCode: step })
    expect(h.entra.requests).toHaveLength(3)
    expect(await h.ctx.cache.getAllAccounts()).toEqual([])
  })

  it('the cancel flag stops polling', async () => {
    const h = harness(['authorization_pending'])
    const request: DeviceCodeRequest = { scopes: ['User.Read'], deviceCodeCallback: () => undefined }
    let polls = 0
    const ctx = h.ctx
    const error = await acquireTokenByDeviceCode(ctx, request, {
      sleep: async () => {
        if (++polls === 3) request.cancel = true
      },
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientAuthError)
    expect(error).toMatchObject({ errorCode: 'device_code_cancelled' })
    expect(h.entra.requests).toHaveLength(3)
  })

  it('an AbortSignal stops polling', async () => {
    const h = harness(['authorization_pending'])
    const controller = new AbortController()
    const error = await acquireTokenByDeviceCode(h.ctx, { scopes: [], deviceCodeCallback: () => controller.abort(), signal: controller.signal }, { sleep: async () => undefined }).catch((e: unknown) => e)
    expect(error).toMatchObject({ errorCode: 'device_code_cancelled' })
  })

  it('request.timeout (seconds) and the code lifetime end polling', async () => {
    const timeout = await harness(['authorization_pending']).run({ timeout: 12 }).catch((e: unknown) => e)
    expect(timeout).toMatchObject({ errorCode: 'timeout' })
    const h = harness(['authorization_pending'], { expiresIn: 30 })
    const expired = await h.run().catch((e: unknown) => e)
    expect(expired).toMatchObject({ errorCode: 'device_code_expired' })
    expect(h.sleeps.reduce((a, b) => a + b, 0)).toBe(30_000)
  })

  it('runs through the public API under fake timers', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] })
    const entra = new FakeEntra({ deviceSteps: ['authorization_pending', 'success'] })
    server.use(...entra.handlers())
    const app = new PublicClientApplication({ auth: { clientId: CLIENT_ID } })
    let shown: DeviceCodeResponse | undefined
    const pending = app.acquireTokenByDeviceCode({ scopes: ['User.Read'], deviceCodeCallback: (r) => (shown = r) })
    pending.catch(() => undefined)
    for (let i = 0; i < 20 && entra.requests.length < 3; i++) await vi.advanceTimersByTimeAsync(5000)
    const result = await pending
    expect(shown?.userCode).toBe('FAKE1234')
    expect(result?.account?.homeAccountId).toBe(HOME_ACCOUNT_ID)
    expect(entra.requests).toHaveLength(3)
  })

  it('refuses a missing callback before sending anything', async () => {
    const h = harness(['success'])
    await expect(h.run({ deviceCodeCallback: undefined as never })).rejects.toMatchObject({ errorCode: 'invalid_request' })
    expect(h.entra.requests).toHaveLength(0)
  })
})
