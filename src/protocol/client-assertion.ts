/**
 * The signed JWT that authenticates a client with a certificate (RFC 7523 §2.2).
 * Entra wants: header `alg` PS256 with `x5t#S256` (or RS256 with the SHA-1 `x5t`), optionally
 * `x5c`; claims `aud` = the token endpoint, `iss` = `sub` = client id, a unique `jti`, `nbf`,
 * `iat` and `exp`.
 * @see https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 */
import { SignJWT } from 'jose'
import type { KeyObject, webcrypto } from 'node:crypto'

export interface ClientAssertionHeader {
  alg: 'PS256' | 'RS256' | 'ES256' | 'ES384' | 'ES512'
  /** base64url SHA-256 thumbprint of the certificate (DER). */
  'x5t#S256'?: string | undefined
  /** base64url SHA-1 thumbprint, when only that is known. */
  x5t?: string | undefined
  /** The certificate chain, leaf first, base64 DER (not url-safe). */
  x5c?: string[] | undefined
}

export interface ClientAssertionClaims {
  aud: string
  iss: string
  sub: string
  jti: string
  /** Seconds since the epoch. */
  iat: number
  nbf: number
  exp: number
}

/** The claims of a fresh assertion valid for `lifetimeSeconds` from `nowSeconds`. */
export function buildClientAssertionClaims(params: { clientId: string; tokenEndpoint: string; jti: string; nowSeconds: number; lifetimeSeconds: number }): ClientAssertionClaims {
  return {
    aud: params.tokenEndpoint,
    iss: params.clientId,
    sub: params.clientId,
    jti: params.jti,
    iat: params.nowSeconds,
    nbf: params.nowSeconds,
    exp: params.nowSeconds + params.lifetimeSeconds,
  }
}

/** Signs the assertion with the certificate's private key. */
export async function signClientAssertion(key: KeyObject | webcrypto.CryptoKey, header: ClientAssertionHeader, claims: ClientAssertionClaims): Promise<string> {
  const protectedHeader: Record<string, unknown> = { alg: header.alg, typ: 'JWT' }
  if (header['x5t#S256']) protectedHeader['x5t#S256'] = header['x5t#S256']
  if (header.x5t) protectedHeader.x5t = header.x5t
  if (header.x5c && header.x5c.length > 0) protectedHeader.x5c = header.x5c
  return new SignJWT({ ...claims }).setProtectedHeader(protectedHeader as { alg: string }).sign(key)
}
