/**
 * Scope rules. Scopes compare case-insensitively (Entra treats them so, and MSAL keys its cache
 * on lower-cased targets); the original spelling is kept for the wire.
 * @see https://learn.microsoft.com/entra/identity-platform/scopes-oidc
 */
import { ClientConfigurationError } from '../errors.js'

/** Added to every user flow: an id token, the profile claims and a refresh token. */
export const OIDC_SCOPES: readonly string[] = Object.freeze(['openid', 'profile', 'offline_access'])
const OIDC_SCOPE_SET = new Set(OIDC_SCOPES)

/**
 * Trims, drops empties and duplicates (case-insensitively, first spelling wins), keeps order.
 * Idempotent: `normalizeScopes(normalizeScopes(x))` equals `normalizeScopes(x)`.
 */
export function normalizeScopes(scopes: Iterable<string>): string[] {
  // One plain scope is the common case on every cache hit: nothing to split or de-duplicate.
  if (Array.isArray(scopes) && scopes.length === 1) {
    const only: unknown = scopes[0]
    if (typeof only === 'string' && only !== '' && !/\s/.test(only)) return [only]
  }
  const seen = new Set<string>()
  const out: string[] = []
  for (const raw of scopes) {
    if (typeof raw !== 'string') continue
    // Most scopes hold no whitespace: skip the regex split for them (this runs on cache hits).
    for (const part of /\s/.test(raw) ? raw.split(/\s+/) : [raw]) {
      if (part === '') continue
      const key = part.toLowerCase()
      if (seen.has(key)) continue
      seen.add(key)
      out.push(part)
    }
  }
  return out
}

/** Splits a space-separated `scope` value as the server returns it. */
export function parseScopeString(scope: string | undefined): string[] {
  return scope === undefined ? [] : normalizeScopes([scope])
}

/** A stable, case-insensitive identity for a set of scopes: lower-cased, sorted, space-joined. */
export function scopeSetKey(scopes: readonly string[]): string {
  return scopes
    .map((s) => s.toLowerCase())
    .sort()
    .join(' ')
}

/** True when every requested scope is in `available` (case-insensitive). */
export function scopesCover(available: readonly string[], requested: readonly string[]): boolean {
  if (requested.length > available.length) return false
  const have = new Set(available.map((s) => s.toLowerCase()))
  return requested.every((s) => have.has(s.toLowerCase()))
}

/** The user-flow scope list sent on the wire: the caller's scopes plus `openid profile offline_access`. */
export function withOidcScopes(scopes: readonly string[]): string[] {
  return normalizeScopes([...scopes, ...OIDC_SCOPES])
}

/** The caller's scopes without the OIDC ones (what an access token is actually for). */
export function withoutOidcScopes(scopes: readonly string[]): string[] {
  return scopes.filter((s) => !OIDC_SCOPE_SET.has(s.toLowerCase()))
}

/**
 * Client credentials take exactly one scope, `{resource}/.default`: application permissions are
 * granted statically, never per scope. `https://database.windows.net//.default` (a v1.0 resource
 * that ends in a slash) is valid and sent unchanged.
 * @throws ClientConfigurationError `invalid_scopes`, saying what to write instead.
 */
export function checkClientCredentialScopes(scopes: unknown): [string] {
  if (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string')) {
    throw new ClientConfigurationError('invalid_scopes', 'scopes must be an array with one string of the form "{resource}/.default", e.g. ["https://graph.microsoft.com/.default"].')
  }
  const list = normalizeScopes(scopes as string[])
  if (list.length !== 1) {
    const hint = list.length === 0 ? 'none was given' : `${list.length} were given (${list.join(', ')})`
    throw new ClientConfigurationError(
      'invalid_scopes',
      `Client credentials take exactly one scope of the form "{resource}/.default", but ${hint}. Request one resource per call, e.g. ["https://graph.microsoft.com/.default"]; the app's permissions are granted in its registration.`,
    )
  }
  const scope = list[0] as string
  if (!scope.endsWith('/.default')) {
    const resource = guessResource(scope)
    throw new ClientConfigurationError(
      'invalid_scopes',
      `Client credentials need a "{resource}/.default" scope, not "${scope}". Write "${resource}/.default" instead; individual permissions are granted to the app in its registration, not requested per call.`,
    )
  }
  if (scope === '/.default') {
    throw new ClientConfigurationError('invalid_scopes', 'The scope "/.default" names no resource. Write the resource first, e.g. "https://graph.microsoft.com/.default".')
  }
  return [scope]
}

/** `https://graph.microsoft.com/User.Read` → `https://graph.microsoft.com`; `User.Read` → Graph. */
function guessResource(scope: string): string {
  const slash = scope.lastIndexOf('/')
  if (slash > 0 && /^[a-z][a-z0-9+.-]*:\/\//i.test(scope)) return scope.slice(0, slash)
  if (scope.includes('://')) return scope
  return 'https://graph.microsoft.com'
}
