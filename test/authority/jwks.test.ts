import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import { JwksCache } from '../../src/authority/jwks.js'
import { ClientAuthError } from '../../src/index.js'
import { Transport } from '../../src/transport/index.js'
import { server } from '../msw/server.js'
import { testJwks } from '../flows/fake-entra.js'

const URI = 'https://login.microsoftonline.com/common/discovery/v2.0/keys'

function serve(replies: (() => Response | Promise<Response>)[]): { count: () => number } {
  let n = 0
  server.use(
    http.get(URI, async () => {
      const reply = replies[Math.min(n, replies.length - 1)]!
      n++
      await new Promise((r) => setTimeout(r, 5))
      return reply()
    }),
  )
  return { count: () => n }
}

describe('JwksCache', () => {
  it('fetches once for concurrent callers and caches per URI', async () => {
    const jwks = await testJwks()
    const seen = serve([() => HttpResponse.json(jwks)])
    const cache = new JwksCache(new Transport())
    const sets = await Promise.all(Array.from({ length: 10 }, () => cache.get(URI)))
    expect(seen.count()).toBe(1)
    expect(sets[0]!.keys[0]!.kid).toBe(jwks.keys[0]!.kid)
    await cache.get(URI)
    expect(seen.count()).toBe(1)
  })

  it('refresh refetches at most once per cooldown', async () => {
    const seen = serve([async () => HttpResponse.json(await testJwks())])
    let now = 1_000_000
    const cache = new JwksCache(new Transport(), { now: () => now, cooldownMs: 30_000 })
    await cache.get(URI)
    await cache.refresh(URI)
    expect(seen.count()).toBe(1)
    now += 30_001
    await Promise.all([cache.refresh(URI), cache.refresh(URI)])
    expect(seen.count()).toBe(2)
  })

  it('a failed fetch is typed and not remembered; encryption keys are dropped', async () => {
    const jwks = await testJwks()
    const seen = serve([() => new HttpResponse('<html>proxy</html>', { status: 200 }), () => HttpResponse.json({ keys: [...jwks.keys, { ...jwks.keys[0], kid: 'enc', use: 'enc' }] })])
    const cache = new JwksCache(new Transport())
    const error = await cache.get(URI).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientAuthError)
    expect(error).toMatchObject({ errorCode: 'invalid_response' })
    const keys = await cache.get(URI)
    expect(keys.keys.map((k) => k.kid)).toEqual([jwks.keys[0]!.kid])
    expect(seen.count()).toBe(2)
    server.use(http.get(URI, () => new HttpResponse('nope', { status: 404 })))
    expect(await new JwksCache(new Transport()).get(URI).catch((e: unknown) => e)).toMatchObject({ errorCode: 'http_error', status: 404 })
  })
})
