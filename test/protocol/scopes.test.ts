import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkClientCredentialScopes, normalizeScopes, scopeSetKey, scopesCover, withOidcScopes } from '../../src/protocol/scopes.js'

describe('scopes', () => {
  it('normalizes: trims, splits on spaces, drops empties and case-insensitive duplicates, keeps order', () => {
    expect(normalizeScopes([' User.Read ', 'user.read', '', 'Mail.Send  Files.Read', 'MAIL.SEND'])).toEqual(['User.Read', 'Mail.Send', 'Files.Read'])
    expect(withOidcScopes(['User.Read', 'openid'])).toEqual(['User.Read', 'openid', 'profile', 'offline_access'])
  })

  it('normalization is idempotent and order-insensitive in its key (property)', () => {
    const scope = fc.stringMatching(/^[A-Za-z0-9./:_ -]{0,20}$/)
    fc.assert(
      fc.property(fc.array(scope, { maxLength: 8 }), (scopes) => {
        const once = normalizeScopes(scopes)
        expect(normalizeScopes(once)).toEqual(once)
        expect(scopeSetKey(once)).toBe(scopeSetKey([...once].reverse().map((s) => s.toUpperCase())))
        expect(scopesCover(once, once)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('covers case-insensitively and by superset', () => {
    expect(scopesCover(['User.Read', 'Mail.Send'], ['mail.send'])).toBe(true)
    expect(scopesCover(['User.Read'], ['User.Read', 'Mail.Send'])).toBe(false)
  })

  it('keeps the v1.0 double slash for client credentials', () => {
    expect(checkClientCredentialScopes(['https://database.windows.net//.default'])).toEqual(['https://database.windows.net//.default'])
    expect(checkClientCredentialScopes(['  https://graph.microsoft.com/.default  '])).toEqual(['https://graph.microsoft.com/.default'])
    expect(() => checkClientCredentialScopes('https://graph.microsoft.com/.default')).toThrow(/must be an array/)
  })
})
