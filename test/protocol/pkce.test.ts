import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { computeCodeChallenge, generatePkceCodes, generateRandomValue, isValidCodeVerifier } from '../../src/protocol/pkce.js'
import { CryptoProvider, cryptoProvider } from '../../src/index.js'

describe('PKCE', () => {
  it('RFC 7636 appendix B: the known verifier gives the known challenge', () => {
    expect(computeCodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM')
  })

  it('32 CSPRNG bytes make a 43-character base64url verifier and an S256 challenge', () => {
    const codes = generatePkceCodes()
    expect(codes.verifier).toHaveLength(43)
    expect(isValidCodeVerifier(codes.verifier)).toBe(true)
    expect(codes.method).toBe('S256')
    expect(codes.challenge).toBe(createHash('sha256').update(codes.verifier).digest('base64url'))
    expect(codes.challenge).not.toMatch(/[+/=]/)
    expect(generatePkceCodes().verifier).not.toBe(codes.verifier)
  })

  it('randomness is injectable', () => {
    const zeros = generatePkceCodes({ randomBytes: (n) => new Uint8Array(n) })
    expect(zeros.verifier).toBe('A'.repeat(43))
    expect(() => generatePkceCodes({ randomBytes: () => new Uint8Array(8) })).toThrow(RangeError)
    expect(generateRandomValue({ randomBytes: (n) => new Uint8Array(n).fill(255) })).toBe('_____________________w')
  })

  it('CryptoProvider and the ready cryptoProvider instance (msal.cryptoProvider in the seed)', async () => {
    const { verifier, challenge } = await cryptoProvider.generatePkceCodes()
    expect(computeCodeChallenge(verifier)).toBe(challenge)
    expect(new CryptoProvider().createNewGuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(await new CryptoProvider().hashString('abc')).toBe(createHash('sha256').update('abc').digest('base64url'))
  })
})
