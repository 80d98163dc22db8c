/**
 * msal-node's `CryptoProvider`: PKCE pairs and GUIDs for apps that drive the authorization code
 * flow themselves (`getAuthCodeUrl` + `acquireTokenByCode`). `cryptoProvider` is a ready
 * instance, so `msal.cryptoProvider.generatePkceCodes()` (as Microsoft's desktop page writes it)
 * works unchanged.
 */
import { createHash, randomUUID } from 'node:crypto'
import { generatePkceCodes, type PkceOptions } from '../protocol/pkce.js'

export class CryptoProvider {
  readonly #options: PkceOptions

  /** `randomBytes` may be injected for tests; a CSPRNG otherwise. */
  constructor(options: PkceOptions = {}) {
    this.#options = options
  }

  /**
   * A PKCE pair: a 43-character verifier from 32 random bytes and its S256 challenge.
   * @example
   * ```ts
   * const { verifier, challenge } = await cryptoProvider.generatePkceCodes()
   * ```
   */
  async generatePkceCodes(): Promise<{ verifier: string; challenge: string }> {
    const { verifier, challenge } = generatePkceCodes(this.#options)
    return { verifier, challenge }
  }

  /** A random (v4) GUID, e.g. for `state` or a correlation id. */
  createNewGuid(): string {
    return randomUUID()
  }

  /** Standard base64 of a UTF-8 string. */
  base64Encode(input: string): string {
    return Buffer.from(input, 'utf8').toString('base64')
  }

  /** Decodes standard or url-safe base64 to a UTF-8 string. */
  base64Decode(input: string): string {
    return Buffer.from(input, 'base64').toString('utf8')
  }

  /** base64url of a UTF-8 string, without padding. */
  base64UrlEncode(input: string): string {
    return Buffer.from(input, 'utf8').toString('base64url')
  }

  /** base64url(SHA-256(input)), as msal-node hashes on-behalf-of assertions. */
  async hashString(input: string): Promise<string> {
    return createHash('sha256').update(input, 'utf8').digest('base64url')
  }
}

/** A ready `CryptoProvider`, as `msal.cryptoProvider` in Microsoft's snippets. */
export const cryptoProvider = new CryptoProvider()
