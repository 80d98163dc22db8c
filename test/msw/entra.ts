/**
 * Handler factories for Entra's endpoints, and helpers to read what went on the wire.
 * Tests assert on the recorded `Request`s: form fields, headers, JWT claims.
 */
import { http, HttpResponse, type HttpHandler, type JsonBodyType } from 'msw'

export const HOST = 'https://login.microsoftonline.com'
export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47'
export const CLIENT_ID = '535fb089-9ff3-47b6-9bfb-4f1264799865'
export const SECRET = 'qWgdYAmab0YSkuL1qKv5bPX-test-secret'
export const GRAPH_DEFAULT = 'https://graph.microsoft.com/.default'

export function tokenUrl(tenant = TENANT, host = HOST): string {
  return `${host}/${tenant}/oauth2/v2.0/token`
}

/** A fake but well-formed access token: unique per call so tests can tell tokens apart. */
let counter = 0
export function fakeAccessToken(label = 'at'): string {
  counter++
  return `eyJ0eXAiOiJKV1QifQ.${Buffer.from(JSON.stringify({ label, n: counter })).toString('base64url')}.fake-signature-${counter}`
}

export function appTokenResponse(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: fakeAccessToken(), ...overrides }
}

export type Reply = (request: Request, attempt: number) => Response | Promise<Response>

/** POST {tenant}/oauth2/v2.0/token answered by `reply` (a body, or a function of the request). */
export function tokenEndpoint(reply: Reply | JsonBodyType = () => HttpResponse.json(appTokenResponse()), tenant = TENANT, host = HOST): HttpHandler {
  let attempt = 0
  return http.post(tokenUrl(tenant, host), ({ request }) => {
    attempt++
    return typeof reply === 'function' ? (reply as Reply)(request, attempt) : HttpResponse.json(reply)
  })
}

/** An Entra error body with an AADSTS code, as the token endpoint sends it. */
export function aadstsError(error: string, code: number, status = 400, extra: Record<string, unknown> = {}): Response {
  return HttpResponse.json(
    {
      error,
      error_description: `AADSTS${code}: Something went wrong for test purposes.\r\nTrace ID: 0000aaaa-11bb-cccc-dd22-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-11-21 10:00:00Z`,
      error_codes: [code],
      timestamp: '2026-11-21 10:00:00Z',
      trace_id: '0000aaaa-11bb-cccc-dd22-eeeeee333333',
      correlation_id: 'aaaa0000-bb11-2222-33cc-444444dddddd',
      ...extra,
    },
    { status },
  )
}

/** Connection refused/reset, as fetch reports it. */
export function networkDown(): Response {
  return HttpResponse.error()
}

/**
 * Records every request (cloned, so bodies stay readable) and lets it through to the handlers
 * after it: `server.use(seen.handler, tokenEndpoint(...))`.
 */
export function recordRequests(): { handler: HttpHandler; requests: Request[] } {
  const requests: Request[] = []
  const handler = http.all('*', ({ request }) => {
    requests.push(request.clone())
    return undefined
  })
  return { handler, requests }
}

/** The form fields of a recorded request. */
export async function form(request: Request): Promise<Record<string, string>> {
  return Object.fromEntries(new URLSearchParams(await request.clone().text()))
}

/** Decodes a JWT without verifying it: header and payload. */
export function decodeJwt(jwt: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [h, p] = jwt.split('.')
  return { header: JSON.parse(Buffer.from(h!, 'base64url').toString()), payload: JSON.parse(Buffer.from(p!, 'base64url').toString()) }
}
