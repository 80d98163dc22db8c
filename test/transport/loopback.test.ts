/**
 * The transport against real servers on 127.0.0.1, scripted per attempt (after undici's tests):
 * keep-alive reuse, resets, timeouts, truncated bodies and proxies, with msw out of the way.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Transport } from '../../src/transport/index.js'
import { server as msw } from '../msw/server.js'

beforeAll(() => msw.close())

interface Scripted {
  url: string
  connections: number
  requests: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[]
  close: () => Promise<void>
}

const open: Scripted[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()))
})

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

/** A server whose n-th request (1-based) is answered by `script(n, req, res)`. */
async function scripted(script: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<Scripted> {
  const sockets = new Set<Socket>()
  const state: Scripted = { url: '', connections: 0, requests: [], close: async () => {} }
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      state.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
      script(state.requests.length, req, res)
    })
  })
  server.on('connection', (socket) => {
    state.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  state.url = await listen(server)
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
  open.push(state)
  return state
}

const json = (res: ServerResponse, body: unknown, status = 200): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

describe('transport against a real loopback server', () => {
  it('reuses keep-alive connections for sequential requests, and sends the form and headers', async () => {
    const s = await scripted((n, _req, res) => json(res, { n }))
    const transport = new Transport()
    for (let i = 0; i < 20; i++) {
      const res = await transport.send({ method: 'POST', url: new URL(`${s.url}/t/oauth2/v2.0/token`), endpoint: 'token endpoint', form: new URLSearchParams({ grant_type: 'client_credentials' }) })
      expect(JSON.parse(res.body)).toEqual({ n: i + 1 })
    }
    expect(s.requests).toHaveLength(20)
    // undici releases a socket to its pool a tick after the body ends, so the second request may
    // open one more; after that every request reuses them. What matters: not one per request.
    expect(s.connections).toBeLessThanOrEqual(2)
    expect(s.requests[0]!.body).toBe('grant_type=client_credentials')
    expect(s.requests[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=utf-8')
    expect(s.requests[0]!.headers['client-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(s.requests[0]!.headers['x-client-sku']).toBe('entra-oauth.node')
  })

  it('retries once after the server resets the connection', async () => {
    const s = await scripted((n, req, res) => (n === 1 ? req.socket.destroy() : json(res, { ok: true })))
    const res = await new Transport({ retry: { backoffMs: 1 } }).send({ method: 'GET', url: new URL(`${s.url}/x`), endpoint: 'OpenID discovery' })
    expect(res.status).toBe(200)
    expect(res.attempts).toBe(2)
    expect(s.requests).toHaveLength(2)
  })

  it('fails with network_error when nothing listens (connection refused), after one retry', async () => {
    const s = await scripted(() => {})
    const url = new URL(`${s.url}/x`)
    await s.close()
    open.length = 0
    await expect(new Transport({ retry: { backoffMs: 1 } }).send({ method: 'GET', url, endpoint: 'OpenID discovery' })).rejects.toMatchObject({
      errorCode: 'network_error',
      message: expect.stringContaining('ECONNREFUSED'),
    })
  })

  it('times out when the server never answers', async () => {
    const s = await scripted(() => {
      /* never answers */
    })
    await expect(new Transport({ timeouts: { headersMs: 150 } }).send({ method: 'GET', url: new URL(`${s.url}/slow`), endpoint: 'JWKS' })).rejects.toMatchObject({ errorCode: 'timeout' })
    expect(s.requests).toHaveLength(1)
  })

  it('times out when the body stalls after the headers', async () => {
    const s = await scripted((_n, _req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' })
      res.write('{"access_token":')
    })
    await expect(new Transport({ timeouts: { bodyMs: 150 } }).send({ method: 'GET', url: new URL(`${s.url}/stall`), endpoint: 'token endpoint' })).rejects.toMatchObject({
      errorCode: 'timeout',
      message: expect.stringContaining('the response body'),
    })
  })

  it('reports a body cut off by the server as network_error, and does not leak it', async () => {
    const s = await scripted((_n, req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' })
      res.write('{"access_token":"secret-half')
      setTimeout(() => req.socket.destroy(), 10)
    })
    const error = await new Transport({ retry: { backoffMs: 1 } }).send({ method: 'GET', url: new URL(`${s.url}/cut`), endpoint: 'token endpoint' }).catch((e: unknown) => e)
    expect(error).toMatchObject({ errorCode: 'network_error' })
    expect(String(error)).not.toContain('secret-half')
    expect(s.requests).toHaveLength(2)
  })
})

describe('proxies', () => {
  let proxyUrl = ''
  let tunnels = 0
  let proxy: Server
  const saved = { ...process.env }

  beforeAll(async () => {
    // A minimal CONNECT proxy, as corporate proxies are.
    proxy = createServer((req, res) => {
      // Absolute-form forwarding, for clients that do not tunnel plain http.
      tunnels++
      const target = new URL(req.url ?? '')
      const upstream = httpRequest({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers)
        up.pipe(res)
      })
      req.pipe(upstream)
    })
    proxy.on('connect', (req, clientSocket: Socket, head: Buffer) => {
      tunnels++
      const [host, port] = (req.url ?? '').split(':')
      const upstream = connect(Number(port), host!, () => {
        clientSocket.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        upstream.write(head)
        upstream.pipe(clientSocket)
        clientSocket.pipe(upstream)
      })
      upstream.on('error', () => clientSocket.destroy())
      clientSocket.on('error', () => upstream.destroy())
    })
    proxyUrl = await listen(proxy)
  })

  afterAll(async () => {
    proxy.closeAllConnections()
    await new Promise((r) => proxy.close(r))
  })

  afterEach(() => {
    for (const k of ['HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy']) {
      if (saved[k] === undefined) delete process.env[k]
      else process.env[k] = saved[k]
    }
  })

  it('sends requests through system.proxyUrl', async () => {
    const s = await scripted((_n, _req, res) => json(res, { via: 'proxy' }))
    const before = tunnels
    const transport = new Transport({ proxyUrl })
    const res = await transport.send({ method: 'GET', url: new URL(`${s.url}/p`), endpoint: 'OpenID discovery' })
    expect(JSON.parse(res.body)).toEqual({ via: 'proxy' })
    expect(tunnels).toBeGreaterThan(before)
    await transport.close()
  })

  it('honours HTTP_PROXY, and NO_PROXY exempts a host', async () => {
    const s = await scripted((_n, _req, res) => json(res, {}))
    process.env.HTTP_PROXY = proxyUrl
    process.env.HTTPS_PROXY = proxyUrl
    delete process.env.NO_PROXY
    let before = tunnels
    const viaProxy = new Transport()
    await viaProxy.send({ method: 'GET', url: new URL(`${s.url}/a`), endpoint: 'OpenID discovery' })
    expect(tunnels).toBeGreaterThan(before)
    await viaProxy.close()

    process.env.NO_PROXY = '127.0.0.1'
    before = tunnels
    const direct = new Transport()
    await direct.send({ method: 'GET', url: new URL(`${s.url}/b`), endpoint: 'OpenID discovery' })
    expect(tunnels).toBe(before)
    expect(s.requests.map((r) => r.url)).toEqual(['/a', '/b'])
    await direct.close()
  })

  it('refuses a proxy URL that is not http(s)', () => {
    expect(() => new Transport({ proxyUrl: 'socks5://127.0.0.1:1080' })).toThrow(/must use http: or https:/)
  })
})
