/**
 * The loopback token server both libraries talk to, impersonating login.microsoftonline.com:
 * token endpoint, instance discovery and OpenID configuration. It counts what a benchmark
 * wants to compare (token POSTs, TCP connections, discovery requests, distinct client
 * assertions) and verifies every client assertion's signature and claims against the
 * certificate the clients were configured with.
 */
import { createPublicKey, verify, constants, type KeyObject } from 'node:crypto'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { accessToken } from './cache-gen.js'
import { instanceDiscovery, openIdConfiguration } from './entra-docs.js'

export interface ServerCounts {
  posts: number
  connections: number
  discovery: number
  otherGets: number
  assertions: number
  assertionsVerified: number
  assertionsRejected: number
  secrets: number
  /** Method and path of every request, in order (only the first 20 are kept). */
  requests: string[]
}

export interface TokenServer {
  port: number
  counts(): ServerCounts
  reset(): void
  /** Delay every token response by this many ms (lets concurrent requests overlap). */
  setDelay(ms: number): void
  close(): Promise<void>
}

export interface TokenServerOptions {
  key: string
  cert: string
  /** PEM certificate whose key signs client assertions. */
  clientCertificate: string
  clientId: string
  clientSecret: string
  /** Length of the access tokens handed out (Entra's are ~1.5-2 KB). */
  tokenBytes: number
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const publicKey = createPublicKey(options.clientCertificate)
  let counts = empty()
  let verified = new Map<string, boolean>()
  let delayMs = 0
  let issued = 0

  const server: Server = createServer({ key: options.key, cert: options.cert, keepAliveTimeout: 30_000 }, (req, res) => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? '127.0.0.1'}`)
    if (counts.requests.length < 20) counts.requests.push(`${req.method} ${url.pathname}`)
    const send = (status: number, body: unknown): void => {
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    const segments = url.pathname.split('/').filter(Boolean)
    if (req.method === 'GET') {
      if (url.pathname.endsWith('/discovery/instance')) {
        counts.discovery++
        const authorize = url.searchParams.get('authorization_endpoint') ?? ''
        return send(200, instanceDiscovery(new URL(authorize, 'https://x').pathname.split('/')[1] ?? 'common'))
      }
      if (url.pathname.endsWith('/.well-known/openid-configuration')) {
        counts.discovery++
        return send(200, openIdConfiguration(segments[0] ?? 'common'))
      }
      counts.otherGets++
      return send(404, { error: 'not_found' })
    }
    if (req.method !== 'POST' || !url.pathname.endsWith('/oauth2/v2.0/token')) return send(404, { error: 'not_found' })
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      counts.posts++
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'))
      const error = authenticate(form, `https://${req.headers.host}${url.pathname}`)
      const reply = (): void => {
        if (error) return send(401, { error: 'invalid_client', error_description: `AADSTS7000215: ${error}`, error_codes: [7000215] })
        if (form.get('grant_type') !== 'client_credentials') return send(400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: only client_credentials here', error_codes: [70003] })
        issued++
        send(200, { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: accessToken(issued, segments[0] ?? '', options.tokenBytes) })
      }
      if (delayMs > 0) setTimeout(reply, delayMs)
      else reply()
    })
  })
  server.on('connection', () => {
    counts.connections++
  })

  function authenticate(form: URLSearchParams, audience: string): string | undefined {
    if (form.get('client_id') !== options.clientId) return 'unknown client_id'
    const secret = form.get('client_secret')
    if (secret !== null) {
      counts.secrets++
      return secret === options.clientSecret ? undefined : 'wrong secret'
    }
    const assertion = form.get('client_assertion')
    if (assertion === null) return 'no client authentication'
    let ok = verified.get(assertion)
    if (ok === undefined) {
      counts.assertions++
      ok = verifyAssertion(assertion, publicKey, options.clientId, audience)
      verified.set(assertion, ok)
      if (ok) counts.assertionsVerified++
      else counts.assertionsRejected++
    }
    return ok ? undefined : 'client assertion did not verify'
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    counts: () => ({ ...counts, requests: [...counts.requests] }),
    reset() {
      counts = empty()
      verified = new Map()
    },
    setDelay(ms) {
      delayMs = ms
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

function empty(): ServerCounts {
  return { posts: 0, connections: 0, discovery: 0, otherGets: 0, assertions: 0, assertionsVerified: 0, assertionsRejected: 0, secrets: 0, requests: [] }
}

/** Checks an RFC 7523 client assertion: RS256 or PS256 signature, aud, iss = sub = client id, exp. */
export function verifyAssertion(jwt: string, key: KeyObject, clientId: string, audience: string): boolean {
  const [h, p, s] = jwt.split('.')
  if (!h || !p || !s) return false
  try {
    const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string }
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>
    const data = Buffer.from(`${h}.${p}`)
    const signature = Buffer.from(s, 'base64url')
    let good: boolean
    if (header.alg === 'RS256') good = verify('sha256', data, key, signature)
    else if (header.alg === 'PS256') good = verify('sha256', data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, signature)
    else return false
    const now = Math.floor(Date.now() / 1000)
    return good && claims.aud === audience && claims.iss === clientId && claims.sub === clientId && typeof claims.exp === 'number' && claims.exp > now && typeof claims.jti === 'string'
  } catch {
    return false
  }
}
