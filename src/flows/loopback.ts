/**
 * The loopback redirect listener of a native app (RFC 8252 §7.3): an HTTP server on 127.0.0.1
 * only (never all interfaces: msal-js #5466's firewall prompt), on an ephemeral port unless the
 * redirect URI names one, answering one exact path. Requests elsewhere (`/favicon.ico`), junk on
 * the path, and redirects whose `state` is not ours are answered and ignored; the first redirect
 * that carries our state is kept, its browser tab held open until the app has redeemed the code,
 * and then told the outcome (so the page never claims success for a failed exchange, msal-js
 * #5749). After that one redirect the listener closes.
 * @see https://www.rfc-editor.org/rfc/rfc8252#section-7.3
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AuthError, ClientAuthError, ClientConfigurationError } from '../errors.js'
import type { Logger } from '../logger.js'
import { parseAuthorizeRedirect, type AuthorizeRedirect } from '../protocol/authorize-url.js'

export const DEFAULT_SUCCESS_PAGE =
  '<!doctype html><html><head><meta charset="utf-8"><title>Signed in</title></head><body><h1>Sign-in complete</h1><p>You can close this tab and return to the application.</p></body></html>'

function defaultErrorPage(errorCode: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>Sign-in failed</title></head><body><h1>Sign-in failed</h1><p>${escapeHtml(errorCode)}. You can close this tab; the application has the details.</p></body></html>`
}

export interface LoopbackOptions {
  /** `http://localhost[:port][/path]` or `http://127.0.0.1[:port][/path]`; default `http://localhost` on an ephemeral port. */
  redirectUri?: string | undefined
  /** HTML shown after a successful sign-in (msal-node's `successTemplate`). */
  successTemplate?: string | undefined
  /** HTML shown after a failed one (msal-node's `errorTemplate`). */
  errorTemplate?: string | undefined
  logger?: Logger | undefined
  correlationId?: string | undefined
}

export interface WaitOptions {
  state: string
  timeoutMs: number
  signal?: AbortSignal | undefined
}

export interface LoopbackListener {
  /** The redirect URI to put on the authorize URL (with the port actually bound). */
  readonly redirectUri: string
  /**
   * The first redirect that carries `state`. Rejects with the redirect's typed error (`error=`),
   * ClientAuthError `timeout`, or `aborted`.
   */
  waitForRedirect(options: WaitOptions): Promise<AuthorizeRedirect>
  /** Answers the held browser request with the success or error page, then closes the listener. */
  finish(outcome: { ok: true } | { ok: false; errorCode: string }): Promise<void>
  /** Closes the listener (idempotent). */
  close(): Promise<void>
}

/**
 * Starts the listener.
 * @throws ClientConfigurationError `invalid_request` for a redirect URI that is not http on
 *   localhost/127.0.0.1; ClientAuthError `loopback_server_error` when the port cannot be bound.
 */
export async function startLoopbackListener(options: LoopbackOptions = {}): Promise<LoopbackListener> {
  const target = parseLoopbackRedirectUri(options.redirectUri)
  const logger = options.logger
  const cid = options.correlationId
  let held: ServerResponse | undefined
  let accepting = false
  let expectedState = ''
  let onRedirect: ((r: AuthorizeRedirect) => void) | undefined
  let onFailure: ((e: Error) => void) | undefined
  let closed = false
  let stopWaiting: (() => void) | undefined

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res)
    } catch (error) {
      // Whatever arrives, the listener keeps running.
      logger?.warning(`Loopback listener: could not answer a request (${(error as Error).name})`, cid)
      if (!res.headersSent) page(res, 500, defaultErrorPage('internal error'))
    }
  })
  server.headersTimeout = 10_000
  server.requestTimeout = 10_000

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const host = (req.headers.host ?? '').toLowerCase()
    const port = (server.address() as AddressInfo | null)?.port
    // A DNS-rebinding page names its own host; a real redirect names ours.
    if (host !== `localhost:${port}` && host !== `127.0.0.1:${port}`) return page(res, 421, notFound('Misdirected request'))
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    if (url.pathname !== target.pathname) return page(res, 404, notFound('Not found'))
    if (req.method !== 'GET') return page(res, 405, notFound('Method not allowed'))
    if (!accepting || held !== undefined) return page(res, 409, notFound('This sign-in is already complete'))
    const params = url.searchParams
    if (!params.has('code') && !params.has('error')) return page(res, 400, notFound('Not a sign-in response'))
    let redirect: AuthorizeRedirect
    try {
      redirect = parseAuthorizeRedirect(params, expectedState)
    } catch (error) {
      if (error instanceof ClientAuthError && error.errorCode === 'state_mismatch') {
        // Not ours (another tab, an old attempt, another local process): refused, and we keep waiting.
        logger?.warning('Loopback listener: refused a redirect whose state does not match this sign-in', cid)
        return page(res, 400, defaultErrorPage('This response does not belong to the current sign-in'))
      }
      const code = error instanceof AuthError ? error.errorCode : 'invalid_response'
      page(res, 200, options.errorTemplate ?? defaultErrorPage(code))
      accepting = false
      onFailure?.(error as Error)
      return
    }
    accepting = false
    held = res
    onRedirect?.(redirect)
  }

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new ClientAuthError('loopback_server_error', `Could not listen on 127.0.0.1:${target.port || '(ephemeral)'} for the sign-in redirect (${error.code ?? error.name}). Free the port or omit it from redirectUri.`, {
          cause: error,
          correlationId: cid,
        }),
      )
    }
    server.once('error', onError)
    server.listen(target.port, '127.0.0.1', () => {
      server.off('error', onError)
      resolve()
    })
  })
  server.on('error', (error) => logger?.warning(`Loopback listener error: ${error.message}`, cid))
  const bound = (server.address() as AddressInfo).port
  const redirectUri = `http://${target.hostname}:${bound}${target.rawPath}`
  logger?.verbose(`Loopback listener on 127.0.0.1:${bound}`, cid)

  async function close(): Promise<void> {
    if (closed) return
    closed = true
    accepting = false
    stopWaiting?.()
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  }

  return {
    redirectUri,
    waitForRedirect({ state, timeoutMs, signal }: WaitOptions): Promise<AuthorizeRedirect> {
      expectedState = state
      return new Promise<AuthorizeRedirect>((resolve, reject) => {
        const cleanup = (): void => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', onAbort)
          onRedirect = undefined
          onFailure = undefined
          stopWaiting = undefined
        }
        const fail = (error: Error): void => {
          cleanup()
          reject(error)
        }
        const onAbort = (): void => {
          accepting = false
          fail(new ClientAuthError('aborted', 'The interactive sign-in was cancelled by its AbortSignal.', { correlationId: cid, cause: signal?.reason }))
        }
        const timer = setTimeout(() => {
          accepting = false
          fail(new ClientAuthError('timeout', `No sign-in redirect arrived within ${Math.round(timeoutMs / 1000)} s; the user may have closed the browser. Call acquireTokenInteractive again.`, { correlationId: cid }))
        }, timeoutMs)
        onRedirect = (r) => {
          cleanup()
          resolve(r)
        }
        onFailure = fail
        stopWaiting = () => fail(new ClientAuthError('aborted', 'The loopback listener was closed before a sign-in redirect arrived.', { correlationId: cid }))
        if (signal?.aborted) return onAbort()
        signal?.addEventListener('abort', onAbort, { once: true })
        accepting = true
      })
    },
    async finish(outcome): Promise<void> {
      const res = held
      held = undefined
      if (res && !res.headersSent) {
        // Let the page reach the browser before the sockets are closed (bounded: a stalled browser must not hold us).
        const sent = new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 2000)
          res.once('close', () => {
            clearTimeout(timer)
            resolve()
          })
        })
        page(res, 200, outcome.ok ? (options.successTemplate ?? DEFAULT_SUCCESS_PAGE) : (options.errorTemplate ?? defaultErrorPage(outcome.errorCode)))
        await sent
      }
      await close()
    },
    close,
  }
}

interface LoopbackTarget {
  hostname: 'localhost' | '127.0.0.1'
  port: number
  /** The path requests must have ('/' when none was written). */
  pathname: string
  /** The path as written in the redirect URI ('' when none), kept so the URI matches its registration. */
  rawPath: string
}

/** Reads a loopback redirect URI: plain http on localhost or 127.0.0.1, optional port and path, nothing else. */
export function parseLoopbackRedirectUri(redirectUri: string | undefined): LoopbackTarget {
  if (redirectUri === undefined || redirectUri === '') return { hostname: 'localhost', port: 0, pathname: '/', rawPath: '' }
  let url: URL
  try {
    url = new URL(redirectUri)
  } catch {
    throw new ClientConfigurationError('invalid_request', `redirectUri "${redirectUri}" is not a URL; use http://localhost (any port).`)
  }
  if (url.protocol !== 'http:' || (url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') || url.search || url.hash || url.username) {
    throw new ClientConfigurationError(
      'invalid_request',
      `acquireTokenInteractive listens on the loopback interface, so redirectUri must be http://localhost or http://127.0.0.1 with an optional port and path, not "${url.origin}${url.pathname}".`,
    )
  }
  const rawPath = /^http:\/\/[^/?#]+(\/[^?#]*)?/i.exec(redirectUri)?.[1] ?? ''
  return { hostname: url.hostname, port: url.port === '' ? 0 : Number(url.port), pathname: url.pathname, rawPath: rawPath === '' ? '' : url.pathname }
}

function page(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The address bar holds the code: never send it on as a referrer.
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    connection: 'close',
  })
  res.end(html)
}

function notFound(text: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(text)}</title></head><body><p>${escapeHtml(text)}.</p></body></html>`
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
