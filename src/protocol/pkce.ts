/**
 * Proof Key for Code Exchange (RFC 7636) with the S256 method: a 43-character verifier from 32
 * random bytes (msal-node's `RANDOM_OCTET_SIZE`), and its challenge `base64url(SHA-256(verifier))`.
 * @see https://www.rfc-editor.org/rfc/rfc7636#section-4
 */
import { createHash, randomBytes as nodeRandomBytes } from 'node:crypto'

/** A PKCE pair, named as msal-node's `CryptoProvider.generatePkceCodes()` names it. */
export interface PkceCodes {
  /** Kept by the app and sent with the code redemption (`code_verifier`). Secret. */
  verifier: string
  /** Sent on the authorize URL (`code_challenge`). */
  challenge: string
  /** Always `S256`: `plain` protects nothing when the URL leaks. */
  method: 'S256'
}

export interface PkceOptions {
  /** Source of randomness; a CSPRNG by default. Injectable for tests. */
  randomBytes?: ((size: number) => Uint8Array) | undefined
}

/** Bytes of randomness in a verifier: 32 bytes give 43 base64url characters (256 bits). */
export const PKCE_VERIFIER_BYTES = 32

/**
 * Generates a PKCE verifier and its S256 challenge.
 * @example
 * ```ts
 * const { verifier, challenge } = generatePkceCodes()
 * // authorize URL: code_challenge=challenge&code_challenge_method=S256; token request: code_verifier=verifier
 * ```
 */
export function generatePkceCodes(options: PkceOptions = {}): PkceCodes {
  const bytes = (options.randomBytes ?? nodeRandomBytes)(PKCE_VERIFIER_BYTES)
  if (bytes.length < PKCE_VERIFIER_BYTES) throw new RangeError(`A PKCE verifier needs ${PKCE_VERIFIER_BYTES} random bytes, got ${bytes.length}.`)
  const verifier = Buffer.from(bytes).toString('base64url')
  return { verifier, challenge: computeCodeChallenge(verifier), method: 'S256' }
}

/** `base64url(SHA-256(ascii(verifier)))` (RFC 7636 §4.2). */
export function computeCodeChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/** RFC 7636 §4.1: 43 to 128 characters of `[A-Za-z0-9-._~]`. */
export function isValidCodeVerifier(verifier: string): boolean {
  return /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier)
}

/** A random base64url string for `state` or `nonce`: 16 bytes (128 bits) unless told otherwise. */
export function generateRandomValue(options: PkceOptions & { bytes?: number | undefined } = {}): string {
  return Buffer.from((options.randomBytes ?? nodeRandomBytes)(options.bytes ?? 16)).toString('base64url')
}
