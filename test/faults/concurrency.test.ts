/**
 * The concurrency promise under load, against a real, slow server on 127.0.0.1: 1,000 concurrent
 * client-credential calls over 50 distinct scopes send one request per scope, every caller gets
 * the token minted for its own scope, and nobody hangs when the server fails half of them.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ConfidentialClientApplication, ServerError } from '../../src/index.js'
import { server as msw } from '../msw/server.js'

beforeAll(() => msw.close())

let running: Server | undefined
afterEach(async () => {
  running?.closeAllConnections()
  await new Promise((r) => running?.close(r))
  running = undefined
})

/** A token endpoint that answers after `delayMs`; `fail(scope)` picks the broken scopes. */
async function slowTokenServer(delayMs: number, fail: (index: number) => 'ok' | 400 | 503): Promise<{ url: string; posts: () => number }> {
  let posts = 0
  running = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      posts++
      const scope = new URLSearchParams(body).get('scope') ?? ''
      const index = Number(/api(\d+)/.exec(scope)?.[1])
      setTimeout(() => {
        const verdict = fail(index)
        const payload =
          verdict === 'ok'
            ? { token_type: 'Bearer', expires_in: 3600, access_token: `token-for-${scope}`, scope }
            : verdict === 400
              ? { error: 'invalid_scope', error_description: 'AADSTS70011: The provided value for scope is not valid.', error_codes: [70011] }
              : { error: 'temporarily_unavailable', error_codes: [] }
        const text = JSON.stringify(payload)
        res.writeHead(verdict === 'ok' ? 200 : verdict, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
        res.end(text)
      }, delayMs)
    })
  })
  await new Promise<void>((r) => running!.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(running.address() as AddressInfo).port}/tenant-a`
  return { url, posts: () => posts }
}

function app(authority: string): ConfidentialClientApplication {
  const metadata = { issuer: `${authority}/v2.0`, token_endpoint: `${authority}/oauth2/v2.0/token` }
  return new ConfidentialClientApplication({
    auth: { clientId: 'load-test-client', authority, clientSecret: 'load-test-secret', authorityMetadata: JSON.stringify(metadata) },
    system: { retry: { backoffMs: 5 }, timeouts: { headersMs: 5000, bodyMs: 5000 } },
  })
}

const scopeOf = (i: number): string => `https://api${i % 50}.example/.default`

describe('1,000 concurrent calls over 50 keys', () => {
  it('send exactly 50 requests and give every caller the token for its own scope', async () => {
    const s = await slowTokenServer(150, () => 'ok')
    const cca = app(s.url)
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => cca.acquireTokenByClientCredential({ scopes: [scopeOf(i)] })))
    expect(s.posts()).toBe(50)
    results.forEach((r, i) => expect(r.accessToken).toBe(`token-for-${scopeOf(i)}`))
    expect(cca.getTokenCache().accessTokens()).toHaveLength(50)
  })

  it('when the server refuses half the scopes, 50 requests still, every caller settles with the right outcome', async () => {
    const s = await slowTokenServer(100, (i) => (i % 2 === 0 ? 'ok' : 400))
    const cca = app(s.url)
    const settled = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => cca.acquireTokenByClientCredential({ scopes: [scopeOf(i)] })))
    expect(s.posts()).toBe(50)
    settled.forEach((r, i) => {
      if ((i % 50) % 2 === 0) expect(r).toMatchObject({ status: 'fulfilled', value: { accessToken: `token-for-${scopeOf(i)}` } })
      else expect(r.status === 'rejected' && r.reason instanceof ServerError && r.reason.errorCodes[0] === 70011).toBe(true)
    })
    expect(cca.getTokenCache().accessTokens()).toHaveLength(25)
  })

  it('when half the scopes fail with 503, each is retried once and nobody hangs', async () => {
    const s = await slowTokenServer(100, (i) => (i % 2 === 0 ? 'ok' : 503))
    const cca = app(s.url)
    const settled = await Promise.allSettled(Array.from({ length: 1000 }, (_, i) => cca.acquireTokenByClientCredential({ scopes: [scopeOf(i)] })))
    expect(s.posts()).toBe(25 + 25 * 2)
    expect(settled.filter((r) => r.status === 'fulfilled')).toHaveLength(500)
    expect(settled.filter((r) => r.status === 'rejected' && (r.reason as ServerError).errorCode === 'temporarily_unavailable')).toHaveLength(500)
  })
})
