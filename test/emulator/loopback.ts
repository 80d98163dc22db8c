/**
 * Real-loopback tests: msw (test/msw/setup.ts) errors on every unhandled request, so requests to
 * 127.0.0.1/localhost are let through explicitly, to the emulator's real HTTP server. Anything
 * else still fails the test.
 */
import { http, passthrough } from 'msw'
import { beforeEach } from 'vitest'
import { server } from '../msw/server.js'

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//

/** Registers, before each test of the file, a handler that passes loopback requests through. */
export function passLoopbackThrough(): void {
  beforeEach(() => {
    server.use(http.all(LOOPBACK, () => passthrough()))
  })
}

/** A form POST to the emulator, as a client library would send it. */
export async function postForm(url: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString() })
  const text = await res.text()
  return { status: res.status, body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text }, headers: res.headers }
}
