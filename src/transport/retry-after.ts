/**
 * `Retry-After` (RFC 9110 §10.2.3) as milliseconds to wait: delay-seconds or an HTTP-date.
 * Returns undefined when the header is absent or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  // An HTTP-date always names a weekday or month; anything else ("-5", "soon") is junk.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - nowMs)
}
