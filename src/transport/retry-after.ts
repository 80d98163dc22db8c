/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds to wait: delay-seconds or an HTTP-date.
 * Returns undefined when the header is absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - nowMs)
}
