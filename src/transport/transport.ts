/**
 * The only code that does HTTP. Every request goes through `globalThis.fetch` (looked up at
 * call time, so msw and other interceptors see it) or `system.fetch`, with an undici
 * dispatcher for keep-alive connection reuse and proxies. Around that: timeouts for headers
 * and body, a cap on response size, one bounded retry, a correlation id and library headers.
 */
import { randomUUID } from 'node:crypto'
import type { Dispatcher } from 'undici'
import { ClientAuthError } from '../errors.js'
import type { Logger } from '../logger.js'
import { parseRetryAfter } from './retry-after.js'
import { VERSION } from './version.js'

/** A WHATWG fetch. Node's own also takes an undici `dispatcher` in `init`. */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

export interface TransportTimeouts {
  /** TCP + TLS connect, in ms (undici's `connect.timeout`). Default 10 s. */
  connectMs?: number
  /** Until the response headers arrive, in ms. Default 30 s. */
  headersMs?: number
  /** Between the headers and the end of the body, in ms. Default 30 s. */
  bodyMs?: number
}

export interface TransportRetryOptions {
  /** Longest `Retry-After` we are willing to wait before the single retry, in ms. Default 60 s. */
  maxRetryAfterMs?: number
  /** Pause before retrying a network error or a 5xx without `Retry-After`, in ms. Default 200. */
  backoffMs?: number
}

export interface TransportOptions {
  /** A fetch to use instead of `globalThis.fetch` (looked up at every call otherwise). */
  fetch?: FetchLike | undefined
  /** An undici dispatcher (Agent, ProxyAgent, MockAgent) for every request. */
  dispatcher?: Dispatcher | undefined
  /** Proxy for every request; otherwise `HTTPS_PROXY`/`HTTP_PROXY` with `NO_PROXY` are honoured. */
  proxyUrl?: string | undefined
  timeouts?: TransportTimeouts | undefined
  /** Largest response body accepted, in bytes. Default 1 MiB. */
  maxResponseBytes?: number | undefined
  retry?: TransportRetryOptions | undefined
  logger?: Logger | undefined
  /** Extra headers sent on every request, e.g. `x-app-name`. */
  headers?: Record<string, string> | undefined
}

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  /** What the URL is, for errors and logs: `token endpoint`, `OpenID discovery`, ... */
  endpoint: string
  form?: URLSearchParams | undefined
  headers?: Record<string, string> | undefined
  correlationId?: string | undefined
  signal?: AbortSignal | undefined
  /** Retry once on a network error or 5xx. Default true. */
  retry?: boolean | undefined
}

export interface HttpResponse {
  status: number
  headers: Headers
  /** The body as text, at most `maxResponseBytes` long. */
  body: string
  url: string
  correlationId: string
  /** Requests sent for this call: 1, or 2 after a retry. */
  attempts: number
  /** The response's `Retry-After`, as milliseconds from when it arrived. */
  retryAfterMs: number | undefined
}

const DEFAULTS = {
  connectMs: 10_000,
  headersMs: 30_000,
  bodyMs: 30_000,
  maxResponseBytes: 1024 * 1024,
  maxRetryAfterMs: 60_000,
  backoffMs: 200,
}

export const LIBRARY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-client-SKU': 'entra-oauth.node',
  'x-client-VER': VERSION,
  'x-client-OS': process.platform,
  'x-client-CPU': process.arch,
  // Opts in to 429 + Retry-After throttling instead of silent delays.
  'x-ms-lib-capability': 'retry-after, h429',
})

type Attempt =
  | { kind: 'response'; response: HttpResponse }
  | { kind: 'retryable-status'; response: HttpResponse; waitMs: number | undefined }
  | { kind: 'network'; error: ClientAuthError }

export class Transport {
  readonly #options: TransportOptions
  #dispatcher: Promise<Dispatcher | undefined> | undefined

  constructor(options: TransportOptions = {}) {
    this.#options = options
    if (options.proxyUrl !== undefined) validateProxyUrl(options.proxyUrl)
  }

  /**
   * Sends one request, with at most one retry: after a network error or a 5xx, and after a
   * 429/503 only when `Retry-After` is within `maxRetryAfterMs`. Resolves with the response,
   * whatever its status; rejects with `ClientAuthError` (`network_error`, `timeout`,
   * `aborted`, `response_too_large`, `redirect_not_followed`) naming the endpoint.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const correlationId = request.correlationId ?? randomUUID()
    const retryAllowed = request.retry ?? true
    const maxRetryAfterMs = this.#options.retry?.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs
    const backoffMs = this.#options.retry?.backoffMs ?? DEFAULTS.backoffMs

    const first = await this.#attempt(request, correlationId, 1)
    if (first.kind === 'response') return first.response
    if (!retryAllowed) return settle(first)
    if (first.kind === 'retryable-status') {
      const waitMs = first.waitMs ?? (first.response.status === 429 ? undefined : backoffMs)
      if (waitMs === undefined || waitMs > maxRetryAfterMs) return first.response
      this.#options.logger?.info(`${request.endpoint} answered ${first.response.status}; retrying once in ${waitMs} ms`, correlationId)
      await sleep(waitMs, request.signal)
    } else {
      if (first.error.errorCode === 'timeout' || first.error.errorCode === 'aborted') throw first.error
      this.#options.logger?.info(`${request.endpoint}: ${first.error.errorMessage}; retrying once`, correlationId)
      await sleep(backoffMs, request.signal)
    }
    return settle(await this.#attempt(request, correlationId, 2))
  }

  async #attempt(request: HttpRequest, correlationId: string, attempt: number): Promise<Attempt> {
    const timeouts = this.#options.timeouts ?? {}
    const headersMs = timeouts.headersMs ?? DEFAULTS.headersMs
    const bodyMs = timeouts.bodyMs ?? DEFAULTS.bodyMs
    const fetchImpl: FetchLike = this.#options.fetch ?? (globalThis.fetch as FetchLike)
    const dispatcher = await this.#getDispatcher()

    const headers: Record<string, string> = {
      ...LIBRARY_HEADERS,
      ...this.#options.headers,
      ...request.headers,
      'client-request-id': correlationId,
      'return-client-request-id': 'true',
      accept: 'application/json',
    }
    if (request.form) headers['content-type'] = 'application/x-www-form-urlencoded;charset=utf-8'

    const controller = new AbortController()
    let timedOut: 'headers' | 'body' | undefined
    const onUserAbort = (): void => controller.abort(request.signal?.reason)
    if (request.signal?.aborted) throw aborted(request, correlationId)
    request.signal?.addEventListener('abort', onUserAbort, { once: true })
    let timer = setTimeout(() => {
      timedOut = 'headers'
      controller.abort()
    }, headersMs)
    const started = Date.now()
    this.#options.logger?.verbose(`${request.method} ${request.endpoint} ${request.url.origin}${request.url.pathname} (attempt ${attempt})`, correlationId)

    try {
      let res: Response
      try {
        const init: RequestInit = { method: request.method, headers, body: request.form?.toString(), redirect: 'manual', signal: controller.signal }
        res = await fetchImpl(request.url, dispatcher ? Object.assign(init, { dispatcher: dispatcher as unknown }) : init)
      } catch (cause) {
        if (timedOut) return { kind: 'network', error: timeout(request, correlationId, headersMs, 'the response headers', cause) }
        if (request.signal?.aborted) throw aborted(request, correlationId)
        return { kind: 'network', error: networkError(request, correlationId, cause) }
      }
      clearTimeout(timer)
      timer = setTimeout(() => {
        timedOut = 'body'
        controller.abort()
      }, bodyMs)

      if (res.status >= 300 && res.status < 400) {
        discard(res.body)
        throw new ClientAuthError(
          'redirect_not_followed',
          `The ${request.endpoint} answered with a redirect (HTTP ${res.status}); redirects are not followed for security. Check the authority URL and any proxy in between.`,
          { correlationId, status: res.status, endpoint: describe(request) },
        )
      }

      let body: string
      try {
        body = await readCapped(res, this.#options.maxResponseBytes ?? DEFAULTS.maxResponseBytes, request, correlationId)
      } catch (cause) {
        if (cause instanceof ClientAuthError) throw cause
        if (timedOut) return { kind: 'network', error: timeout(request, correlationId, bodyMs, 'the response body', cause) }
        if (request.signal?.aborted) throw aborted(request, correlationId)
        return {
          kind: 'network',
          error: new ClientAuthError('network_error', `The response from the ${request.endpoint} was cut off before its end (HTTP ${res.status}). Check the network or proxy and try again.`, {
            correlationId,
            status: res.status,
            endpoint: describe(request),
            cause,
          }),
        }
      }
      this.#options.logger?.verbose(`${request.endpoint} answered ${res.status} in ${Date.now() - started} ms`, correlationId)

      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), Date.now())
      const response: HttpResponse = { status: res.status, headers: res.headers, body, url: request.url.href, correlationId, attempts: attempt, retryAfterMs }
      if (res.status === 429 || res.status === 503) return { kind: 'retryable-status', response, waitMs: retryAfterMs }
      if (res.status >= 500) return { kind: 'retryable-status', response, waitMs: undefined }
      return { kind: 'response', response }
    } finally {
      clearTimeout(timer)
      request.signal?.removeEventListener('abort', onUserAbort)
    }
  }

  #getDispatcher(): Promise<Dispatcher | undefined> {
    this.#dispatcher ??= createDispatcher(this.#options)
    return this.#dispatcher
  }

  /** Closes pooled connections. The transport can still be used afterwards. */
  async close(): Promise<void> {
    const pending = this.#dispatcher
    this.#dispatcher = undefined
    const dispatcher = await pending
    if (dispatcher && dispatcher !== this.#options.dispatcher) await dispatcher.close()
  }
}

async function createDispatcher(options: TransportOptions): Promise<Dispatcher | undefined> {
  if (options.dispatcher) return options.dispatcher
  // A custom fetch brings its own connection handling.
  if (options.fetch) return undefined
  const env = process.env
  const envProxy = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy
  const connectMs = options.timeouts?.connectMs
  // Node's own fetch already pools keep-alive connections; undici itself (the largest thing we
  // could load) is imported only when a proxy or a connect timeout needs its own dispatcher.
  if (!options.proxyUrl && !envProxy && connectMs === undefined) return undefined
  const undici = await import('undici')
  const timeouts = options.timeouts ?? {}
  const common = {
    connect: { timeout: connectMs ?? DEFAULTS.connectMs },
    headersTimeout: timeouts.headersMs ?? DEFAULTS.headersMs,
    bodyTimeout: timeouts.bodyMs ?? DEFAULTS.bodyMs,
  }
  if (options.proxyUrl) return new undici.ProxyAgent({ uri: options.proxyUrl, ...common })
  if (envProxy) return new undici.EnvHttpProxyAgent(common)
  return new undici.Agent(common)
}

function validateProxyUrl(proxyUrl: string): void {
  let url: URL
  try {
    url = new URL(proxyUrl)
  } catch (cause) {
    throw new ClientAuthError('network_error', `system.proxyUrl is not a URL. Write it as http://proxy.example:8080.`, { cause })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientAuthError('network_error', `system.proxyUrl must use http: or https:, not ${url.protocol}`)
  }
}

async function readCapped(res: Response, cap: number, request: HttpRequest, correlationId: string): Promise<string> {
  const tooLarge = (): ClientAuthError =>
    new ClientAuthError('response_too_large', `The ${request.endpoint} sent a body larger than ${cap} bytes; it was not read. Raise system.maxResponseBytes if this is expected.`, {
      correlationId,
      status: res.status,
      endpoint: describe(request),
    })
  const declared = Number(res.headers.get('content-length'))
  if (Number.isFinite(declared) && declared > cap) {
    discard(res.body)
    throw tooLarge()
  }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > cap) {
      void reader.cancel().catch(() => undefined)
      throw tooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks, total).toString('utf8')
}

/** Drops a body we will not read. Not awaited: some streams only settle once their producer does. */
function discard(body: ReadableStream<Uint8Array> | null): void {
  void body?.cancel().catch(() => undefined)
}

function settle(attempt: Attempt): HttpResponse {
  if (attempt.kind === 'network') throw attempt.error
  return attempt.response
}

function describe(request: HttpRequest): string {
  return `${request.endpoint} ${request.url.origin}${request.url.pathname}`
}

function networkError(request: HttpRequest, correlationId: string, cause: unknown): ClientAuthError {
  const code = errorCodeOf(cause)
  return new ClientAuthError(
    'network_error',
    `Could not reach the ${request.endpoint} at ${request.url.origin}${request.url.pathname}${code ? ` (${code})` : ''}. Check the network, DNS and proxy settings (HTTPS_PROXY, NO_PROXY, system.proxyUrl).`,
    { correlationId, endpoint: describe(request), cause },
  )
}

function timeout(request: HttpRequest, correlationId: string, ms: number, what: string, cause: unknown): ClientAuthError {
  return new ClientAuthError('timeout', `The ${request.endpoint} at ${request.url.origin}${request.url.pathname} did not send ${what} within ${ms} ms. Raise system.timeouts if the network is slow.`, {
    correlationId,
    endpoint: describe(request),
    cause,
  })
}

function aborted(request: HttpRequest, correlationId: string): ClientAuthError {
  return new ClientAuthError('aborted', `The request to the ${request.endpoint} was cancelled by its AbortSignal.`, {
    correlationId,
    endpoint: describe(request),
    cause: request.signal?.reason,
  })
}

/** The socket-level code (ECONNREFUSED, ECONNRESET, ...) under fetch's generic TypeError. */
function errorCodeOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string') return code
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ClientAuthError('aborted', 'Cancelled by its AbortSignal while waiting to retry.'))
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = (): void => {
      clearTimeout(timer)
      reject(new ClientAuthError('aborted', 'Cancelled by its AbortSignal while waiting to retry.'))
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
