/** What a handler answers; the server writes it. */
export type Reply =
  | { kind: 'json'; status: number; body: unknown; headers?: Record<string, string> }
  | { kind: 'html'; status: number; body: string }
  | { kind: 'redirect'; location: string }

export function json(body: unknown, status = 200, headers?: Record<string, string>): Reply {
  return headers ? { kind: 'json', status, body, headers } : { kind: 'json', status, body }
}

export function html(body: string, status = 200): Reply {
  return { kind: 'html', status, body }
}

export function redirect(location: string): Reply {
  return { kind: 'redirect', location }
}
