/**
 * The faults a hostile network and a broken server can produce, each with the outcome the library
 * owes: a typed error naming the endpoint, or one bounded retry that then succeeds, with the
 * number of requests that takes. Flows under test plug these into their endpoint.
 */
import { HttpResponse, delay } from 'msw'

export interface Fault {
  name: string
  /** The answer to the n-th request (1-based); `good` is the endpoint's normal answer. */
  reply: (n: number, good: () => Response) => Response | Promise<Response>
  /** What the caller sees: success, or the errorCode of the typed error. */
  outcome: 'success' | string
  requests: number
}

const cutOff = (): Response => {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('{"token_type":"Bearer","access_token":"eyJ-half'))
      controller.error(new Error('connection reset mid-body'))
    },
  })
  return new HttpResponse(stream, { status: 200, headers: { 'content-type': 'application/json' } })
}

const html = (status: number): Response => new HttpResponse('<html><body><h1>Gateway</h1></body></html>', { status, headers: { 'content-type': 'text/html' } })

/** A body with a field changed, from the endpoint's good JSON answer. */
async function tampered(good: () => Response, change: (body: Record<string, unknown>) => void): Promise<Response> {
  const body = (await good().json()) as Record<string, unknown>
  change(body)
  return HttpResponse.json(body)
}

/** The faults every token-endpoint flow must survive (a 200 answer is a token response). */
export const TOKEN_ENDPOINT_FAULTS: Fault[] = [
  { name: 'connection refused or reset, every time', reply: () => HttpResponse.error(), outcome: 'network_error', requests: 2 },
  { name: 'connection reset once, then fine', reply: (n, good) => (n === 1 ? HttpResponse.error() : good()), outcome: 'success', requests: 2 },
  {
    name: 'a response that never comes',
    reply: async () => {
      await delay('infinite')
      return HttpResponse.error()
    },
    outcome: 'timeout',
    requests: 1,
  },
  { name: 'a body cut off halfway, every time', reply: () => cutOff(), outcome: 'network_error', requests: 2 },
  { name: 'a body cut off halfway once, then fine', reply: (n, good) => (n === 1 ? cutOff() : good()), outcome: 'success', requests: 2 },
  ...[500, 502, 503, 504].map((status) => ({ name: `HTTP ${status} every time`, reply: () => html(status), outcome: 'http_error', requests: 2 })),
  ...[500, 502, 504].map((status) => ({ name: `HTTP ${status} once, then fine`, reply: (n: number, good: () => Response) => (n === 1 ? html(status) : good()), outcome: 'success', requests: 2 })),
  ...[429, 503].flatMap((status) => [
    {
      name: `HTTP ${status} with Retry-After in seconds, then fine`,
      reply: (n: number, good: () => Response) => (n === 1 ? new HttpResponse(null, { status, headers: { 'retry-after': '1' } }) : good()),
      outcome: 'success',
      requests: 2,
    },
    {
      name: `HTTP ${status} with Retry-After as a date, then fine`,
      reply: (n: number, good: () => Response) => (n === 1 ? new HttpResponse(null, { status, headers: { 'retry-after': new Date(Date.now() + 1000).toUTCString() } }) : good()),
      outcome: 'success',
      requests: 2,
    },
  ]),
  { name: 'HTTP 429 with a Retry-After beyond the limit', reply: () => new HttpResponse(null, { status: 429, headers: { 'retry-after': '3600' } }), outcome: 'throttled', requests: 1 },
  { name: 'HTTP 200 with an HTML page', reply: () => html(200), outcome: 'invalid_response', requests: 1 },
  { name: 'HTTP 200 with JSON that is not a token response', reply: () => HttpResponse.json({ value: [{ id: 1 }] }), outcome: 'invalid_response', requests: 1 },
  { name: 'expires_in a non-numeric string', reply: (_, good) => tampered(good, (b) => (b.expires_in = 'one hour')), outcome: 'invalid_response', requests: 1 },
  { name: 'expires_in a numeric string (v1.0 style)', reply: (_, good) => tampered(good, (b) => (b.expires_in = '3600')), outcome: 'success', requests: 1 },
  { name: 'expires_in negative', reply: (_, good) => tampered(good, (b) => (b.expires_in = -3600)), outcome: 'invalid_response', requests: 1 },
  { name: 'expires_in absurd', reply: (_, good) => tampered(good, (b) => (b.expires_in = 9e15)), outcome: 'invalid_response', requests: 1 },
  { name: 'token_type missing', reply: (_, good) => tampered(good, (b) => delete b.token_type), outcome: 'invalid_response', requests: 1 },
  {
    name: 'a body larger than the cap',
    reply: () => new HttpResponse(`{"access_token":"${'A'.repeat(70_000)}"}`, { status: 200, headers: { 'content-type': 'application/json' } }),
    outcome: 'response_too_large',
    requests: 1,
  },
]

/** Faults for GET endpoints that return JSON metadata (discovery, JWKS). */
export const METADATA_FAULTS: Fault[] = TOKEN_ENDPOINT_FAULTS.filter((f) => !/expires_in|token_type/.test(f.name)).map((f) =>
  f.name === 'HTTP 429 with a Retry-After beyond the limit' ? f : f.name === 'HTTP 200 with JSON that is not a token response' ? { ...f, name: 'HTTP 200 with JSON that is not metadata' } : f,
)

/** The transport settings fault tests run with: short timeouts and caps so each case is quick. */
export const FAULT_SYSTEM = { timeouts: { headersMs: 300, bodyMs: 300 }, retry: { backoffMs: 5, maxRetryAfterMs: 5000 }, maxResponseBytes: 64 * 1024 }
