import { HttpResponse, delay, http } from 'msw'
import { describe, expect, it } from 'vitest'
import { ClientAuthError } from '../../src/errors.js'
import { Transport, parseRetryAfter, VERSION } from '../../src/transport/index.js'
import { server } from '../msw/server.js'
import { recordRequests } from '../msw/entra.js'
import pkg from '../../package.json' with { type: 'json' }

const URL_ = new URL('https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token')
const post = (transport: Transport, extra: Partial<Parameters<Transport['send']>[0]> = {}) =>
  transport.send({ method: 'POST', url: URL_, endpoint: 'token endpoint', form: new URLSearchParams({ a: '1' }), ...extra })

function counting(reply: (n: number) => Response | Promise<Response>): { count: () => number } {
  let n = 0
  server.use(http.post(URL_.href, async () => reply(++n)))
  return { count: () => n }
}

describe('transport through msw (the production code path)', () => {
  it('sends the correlation id and library headers, and returns status and body', async () => {
    const seen = recordRequests()
    server.use(seen.handler, http.post(URL_.href, () => HttpResponse.json({ ok: true })))
    const res = await post(new Transport(), { correlationId: 'corr-1' })
    expect(res).toMatchObject({ status: 200, body: '{"ok":true}', correlationId: 'corr-1', attempts: 1 })
    const h = seen.requests[0]!.headers
    expect(h.get('client-request-id')).toBe('corr-1')
    expect(h.get('return-client-request-id')).toBe('true')
    expect(h.get('x-client-sku')).toBe('entra-oauth.node')
    expect(h.get('x-client-ver')).toBe(VERSION)
    expect(h.get('x-ms-lib-capability')).toBe('retry-after, h429')
    expect(await seen.requests[0]!.text()).toBe('a=1')
  })

  it('reports the package version as x-client-VER', () => {
    expect(VERSION).toBe(pkg.version)
  })

  it('retries once on a 5xx, then returns the answer', async () => {
    const c = counting((n) => (n === 1 ? new HttpResponse('oops', { status: 502 }) : HttpResponse.json({ ok: 1 })))
    const res = await post(new Transport({ retry: { backoffMs: 1 } }))
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(2)
    expect(c.count()).toBe(2)
  })

  it('retries a 5xx only once', async () => {
    const c = counting(() => new HttpResponse('down', { status: 500 }))
    const res = await post(new Transport({ retry: { backoffMs: 1 } }))
    expect(res.status).toBe(500)
    expect(c.count()).toBe(2)
  })

  it.each([
    ['seconds', () => '1'],
    ['an HTTP date', () => new Date(Date.now() + 2000).toUTCString()],
  ])('honours Retry-After in %s on 429', async (_, value) => {
    const c = counting((n) => (n === 1 ? new HttpResponse(null, { status: 429, headers: { 'retry-after': value() } }) : HttpResponse.json({})))
    const started = Date.now()
    const res = await post(new Transport())
    expect(res.status).toBe(200)
    expect(c.count()).toBe(2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  it('does not wait longer than maxRetryAfterMs: the 429 comes back with its Retry-After', async () => {
    const c = counting(() => new HttpResponse(null, { status: 429, headers: { 'retry-after': '120' } }))
    const res = await post(new Transport({ retry: { maxRetryAfterMs: 5000 } }))
    expect(res.status).toBe(429)
    expect(res.retryAfterMs).toBe(120_000)
    expect(c.count()).toBe(1)
  })

  it('does not retry a 429 without Retry-After, nor a 4xx', async () => {
    const a = counting(() => new HttpResponse(null, { status: 429 }))
    expect((await post(new Transport())).status).toBe(429)
    expect(a.count()).toBe(1)
    const b = counting(() => HttpResponse.json({ error: 'invalid_grant' }, { status: 400 }))
    expect((await post(new Transport())).status).toBe(400)
    expect(b.count()).toBe(1)
  })

  it('retries once on a network error, then fails with network_error naming the endpoint', async () => {
    const c = counting(() => HttpResponse.error())
    const error = (await post(new Transport({ retry: { backoffMs: 1 } })).catch((e: unknown) => e)) as ClientAuthError
    expect(error).toBeInstanceOf(ClientAuthError)
    expect(error.errorCode).toBe('network_error')
    expect(error.message).toContain('token endpoint at https://login.microsoftonline.com/contoso.com/oauth2/v2.0/token')
    expect(c.count()).toBe(2)
  })

  it('times out when the headers never come, without retrying', async () => {
    const c = counting(async () => {
      await delay('infinite')
      return HttpResponse.json({})
    })
    const error = (await post(new Transport({ timeouts: { headersMs: 100 } })).catch((e: unknown) => e)) as ClientAuthError
    expect(error.errorCode).toBe('timeout')
    expect(error.message).toMatch(/did not send the response headers within 100 ms/)
    expect(c.count()).toBe(1)
  })

  it('reports a body cut off halfway as network_error', async () => {
    counting(() => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"access_token":"abc'))
          controller.error(new Error('socket hang up'))
        },
      })
      return new HttpResponse(stream, { status: 200, headers: { 'content-type': 'application/json' } })
    })
    const error = (await post(new Transport({ retry: { backoffMs: 1 } })).catch((e: unknown) => e)) as ClientAuthError
    expect(error.errorCode).toBe('network_error')
    expect(error.message).toContain('cut off')
    expect(error.message).not.toContain('abc')
  })

  it('refuses a body larger than the cap, by Content-Length or while streaming', async () => {
    counting(() => new HttpResponse('x'.repeat(2000), { status: 200, headers: { 'content-length': '2000' } }))
    await expect(post(new Transport({ maxResponseBytes: 1000 }))).rejects.toMatchObject({ errorCode: 'response_too_large' })
    counting(() => {
      const chunk = new TextEncoder().encode('y'.repeat(600))
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(chunk)
          controller.enqueue(chunk)
          controller.close()
        },
      })
      return new HttpResponse(stream, { status: 200 })
    })
    await expect(post(new Transport({ maxResponseBytes: 1000 }))).rejects.toMatchObject({ errorCode: 'response_too_large' })
  })

  it('does not follow a redirect from the token endpoint', async () => {
    const seen = recordRequests()
    server.use(seen.handler, http.post(URL_.href, () => new HttpResponse(null, { status: 302, headers: { location: 'https://evil.example/steal' } })))
    await expect(post(new Transport())).rejects.toMatchObject({ errorCode: 'redirect_not_followed' })
    expect(seen.requests.map((r) => r.url)).toEqual([URL_.href])
  })

  it('stops when the caller aborts', async () => {
    counting(async () => {
      await delay('infinite')
      return HttpResponse.json({})
    })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    await expect(post(new Transport(), { signal: controller.signal })).rejects.toMatchObject({ errorCode: 'aborted' })
  })

  it('uses system.fetch when given', async () => {
    const calls: string[] = []
    const transport = new Transport({
      fetch: async (input) => {
        calls.push(String(input))
        return new Response('{}', { status: 200 })
      },
    })
    await post(transport)
    expect(calls).toEqual([URL_.href])
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and dates, and ignores junk', () => {
    const now = Date.parse('2026-11-21T10:00:00Z')
    expect(parseRetryAfter('30', now)).toBe(30_000)
    expect(parseRetryAfter('Sat, 21 Nov 2026 10:00:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Sat, 21 Nov 2026 09:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter('-5', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })
})
