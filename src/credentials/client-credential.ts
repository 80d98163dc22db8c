/**
 * A confidential client's proof of identity, turned into token-request fields: a shared secret,
 * a certificate (a signed JWT assertion, signed once and reused until shortly before it
 * expires), or a ready-made assertion (a string, or a callback for federated and workload
 * identity credentials, called again for every request that goes on the wire).
 */
import { lazy } from '../lazy.js'
import { X509Certificate, createHash, createPrivateKey, randomUUID, type KeyObject } from 'node:crypto'
import { ClientConfigurationError } from '../errors.js'
import type { ClientAssertionHeader } from '../protocol/client-assertion.js'
import { pemChainToX5c, thumbprintToBase64Url } from '../protocol/pem.js'
import { JWT_BEARER_ASSERTION_TYPE, type ClientAuthFields } from '../protocol/token-request.js'

const loadClientAssertion = lazy(() => import('../protocol/client-assertion.js'))

/** msal-node's `auth.clientCertificate`, plus `passphrase` for an encrypted key. */
export interface ClientCertificate {
  /** Hex SHA-256 thumbprint of the certificate; sent as `x5t#S256` with PS256. */
  thumbprintSha256?: string | undefined
  /** Hex SHA-1 thumbprint, for older registrations; sent as `x5t` with RS256. */
  thumbprint?: string | undefined
  /** PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`), PKCS#1 (`BEGIN RSA PRIVATE KEY`) or encrypted. */
  privateKey: string
  /** Passphrase of an encrypted private key. */
  passphrase?: string | undefined
  /** The public certificate chain (PEM), sent as `x5c` for subject-name/issuer authentication. */
  x5c?: string | undefined
}

/** What msal-node passes to a `clientAssertion` callback. */
export interface ClientAssertionConfig {
  clientId: string
  tokenEndpoint?: string | undefined
}

export type ClientAssertionCallback = (config: ClientAssertionConfig) => Promise<string>

export interface CredentialConfig {
  clientId: string
  clientSecret?: string | undefined
  clientCertificate?: ClientCertificate | undefined
  clientAssertion?: string | ClientAssertionCallback | undefined
}

export interface CredentialContext {
  tokenEndpoint: string
  /** Milliseconds since the epoch. */
  now: number
  /**
   * Whether a signed assertion may be reused until shortly before it expires (Entra accepts
   * this, as MSAL relies on). A plain OpenID provider may refuse a replayed `jti` (RFC 7523 §3),
   * so for those every request gets a fresh one.
   */
  reuseAssertion?: boolean | undefined
}

/** Turns into the fields that authenticate one token request. */
export interface ClientCredential {
  readonly kind: 'secret' | 'certificate' | 'assertion'
  fields(ctx: CredentialContext): Promise<ClientAuthFields>
  /** How many assertions this credential has signed (certificates only), for diagnostics. */
  readonly signedAssertions: number
}

/** Lifetime of an assertion we sign, and how long before its `exp` we stop reusing it. */
const ASSERTION_LIFETIME_SECONDS = 600
const ASSERTION_RENEW_BEFORE_SECONDS = 120

/**
 * Picks the one credential configured. Returns undefined when none is (a public client).
 * @throws ClientConfigurationError when two are given, or a certificate is unusable.
 */
export function createClientCredential(config: CredentialConfig): ClientCredential | undefined {
  const given = [config.clientSecret !== undefined, config.clientCertificate !== undefined, config.clientAssertion !== undefined].filter(Boolean).length
  if (given > 1) {
    throw new ClientConfigurationError('conflicting_client_credentials', 'Give exactly one of auth.clientSecret, auth.clientCertificate or auth.clientAssertion.')
  }
  if (config.clientSecret !== undefined) return secretCredential(config.clientSecret)
  if (config.clientCertificate !== undefined) return new CertificateCredential(config.clientId, config.clientCertificate)
  if (config.clientAssertion !== undefined) return assertionCredential(config.clientId, config.clientAssertion)
  return undefined
}

function secretCredential(secret: string): ClientCredential {
  if (typeof secret !== 'string' || secret.length === 0) {
    throw new ClientConfigurationError('missing_client_credential', 'auth.clientSecret is empty. Set it to the secret value from the app registration (not its id).')
  }
  const fields = { client_secret: secret }
  return { kind: 'secret', signedAssertions: 0, fields: async () => fields }
}

function assertionCredential(clientId: string, assertion: string | ClientAssertionCallback): ClientCredential {
  if (typeof assertion === 'string') {
    if (assertion.length === 0) throw new ClientConfigurationError('missing_client_credential', 'auth.clientAssertion is an empty string.')
    const fields = { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: assertion }
    return { kind: 'assertion', signedAssertions: 0, fields: async () => fields }
  }
  if (typeof assertion !== 'function') {
    throw new ClientConfigurationError('missing_client_credential', 'auth.clientAssertion must be a string or a function that returns a Promise of one.')
  }
  return {
    kind: 'assertion',
    signedAssertions: 0,
    async fields(ctx) {
      const value = await assertion({ clientId, tokenEndpoint: ctx.tokenEndpoint })
      if (typeof value !== 'string' || value.length === 0) {
        throw new ClientConfigurationError('missing_client_credential', 'The auth.clientAssertion callback returned no assertion; it must resolve to a JWT string.')
      }
      return { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: value }
    },
  }
}

class CertificateCredential implements ClientCredential {
  readonly kind = 'certificate'
  readonly #clientId: string
  readonly #key: KeyObject
  readonly #header: ClientAssertionHeader
  // One live assertion per token endpoint (that is, per tenant), shared by concurrent callers.
  readonly #assertions = new Map<string, Promise<{ jwt: string; exp: number }>>()
  #signed = 0

  constructor(clientId: string, cert: ClientCertificate) {
    this.#clientId = clientId
    this.#key = importPrivateKey(cert)
    this.#header = assertionHeader(cert, this.#key)
  }

  get signedAssertions(): number {
    return this.#signed
  }

  async fields(ctx: CredentialContext): Promise<ClientAuthFields> {
    const nowSeconds = Math.floor(ctx.now / 1000)
    if (ctx.reuseAssertion === false) {
      const { jwt } = await this.#sign(ctx.tokenEndpoint, nowSeconds)
      return { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: jwt }
    }
    let pending = this.#assertions.get(ctx.tokenEndpoint)
    if (pending) {
      const current = await pending.catch(() => undefined)
      if (!current || current.exp - nowSeconds <= ASSERTION_RENEW_BEFORE_SECONDS) {
        if (this.#assertions.get(ctx.tokenEndpoint) === pending) this.#assertions.delete(ctx.tokenEndpoint)
        pending = undefined
      }
    }
    if (!pending) {
      pending = this.#sign(ctx.tokenEndpoint, nowSeconds)
      this.#assertions.set(ctx.tokenEndpoint, pending)
      // Bound the map for daemons that walk many tenants: drop the oldest entries.
      if (this.#assertions.size > 1000) this.#assertions.delete(this.#assertions.keys().next().value as string)
    }
    const { jwt } = await pending
    return { client_assertion_type: JWT_BEARER_ASSERTION_TYPE, client_assertion: jwt }
  }

  async #sign(tokenEndpoint: string, nowSeconds: number): Promise<{ jwt: string; exp: number }> {
    // jose is loaded only by clients that sign: secret-only apps never pay for it.
    const { buildClientAssertionClaims, signClientAssertion } = await loadClientAssertion()
    const claims = buildClientAssertionClaims({ clientId: this.#clientId, tokenEndpoint, jti: randomUUID(), nowSeconds, lifetimeSeconds: ASSERTION_LIFETIME_SECONDS })
    const jwt = await signClientAssertion(this.#key, this.#header, claims)
    this.#signed++
    return { jwt, exp: claims.exp }
  }
}

function importPrivateKey(cert: ClientCertificate): KeyObject {
  if (typeof cert.privateKey !== 'string' || !cert.privateKey.includes('PRIVATE KEY')) {
    throw new ClientConfigurationError('invalid_private_key', 'auth.clientCertificate.privateKey must be a PEM private key ("-----BEGIN PRIVATE KEY-----", "RSA PRIVATE KEY" or "ENCRYPTED PRIVATE KEY").')
  }
  try {
    return createPrivateKey({ key: cert.privateKey, format: 'pem', ...(cert.passphrase === undefined ? {} : { passphrase: cert.passphrase }) })
  } catch (cause) {
    const encrypted = /ENCRYPTED|Proc-Type: 4,ENCRYPTED/.test(cert.privateKey)
    const hint = encrypted
      ? cert.passphrase === undefined
        ? 'The key is encrypted: set auth.clientCertificate.passphrase.'
        : 'The key is encrypted and the passphrase did not open it.'
      : 'Check that it is the whole PEM block, newlines included.'
    throw new ClientConfigurationError('invalid_private_key', `auth.clientCertificate.privateKey could not be read. ${hint}`, { cause: new Error((cause as { code?: string }).code ?? 'key import failed') })
  }
}

function assertionHeader(cert: ClientCertificate, key: KeyObject): ClientAssertionHeader {
  const sha256 = cert.thumbprintSha256 === undefined ? undefined : checkThumbprint(cert.thumbprintSha256, 64, 'thumbprintSha256')
  const sha1 = cert.thumbprint === undefined ? undefined : checkThumbprint(cert.thumbprint, 40, 'thumbprint')
  if (!sha256 && !sha1) {
    throw new ClientConfigurationError('invalid_certificate', 'auth.clientCertificate needs thumbprintSha256 (hex SHA-256 of the certificate, preferred) or thumbprint (hex SHA-1).')
  }
  const x5c = cert.x5c === undefined ? undefined : pemCertificates(cert.x5c)
  const header: ClientAssertionHeader = { alg: algorithmFor(key, sha256 !== undefined) }
  if (sha256) header['x5t#S256'] = thumbprintToBase64Url(sha256)
  else if (sha1) header.x5t = thumbprintToBase64Url(sha1)
  if (x5c) header.x5c = x5c
  return header
}

function checkThumbprint(value: string, hexLength: number, field: string): string {
  const hex = typeof value === 'string' ? value.replace(/[:\s]/g, '').toLowerCase() : ''
  if (hex.length !== hexLength || !/^[0-9a-f]+$/.test(hex)) {
    throw new ClientConfigurationError('invalid_certificate', `auth.clientCertificate.${field} must be ${hexLength} hex characters (the certificate's ${hexLength === 64 ? 'SHA-256' : 'SHA-1'} thumbprint).`)
  }
  return hex
}

function algorithmFor(key: KeyObject, sha256: boolean): ClientAssertionHeader['alg'] {
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') return sha256 ? 'PS256' : 'RS256'
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve
    if (curve === 'prime256v1') return 'ES256'
    if (curve === 'secp384r1') return 'ES384'
    if (curve === 'secp521r1') return 'ES512'
  }
  throw new ClientConfigurationError('invalid_private_key', `auth.clientCertificate.privateKey is a ${key.asymmetricKeyType ?? 'unknown'} key; Entra certificate credentials use RSA (or EC P-256/384/521) keys.`)
}

function pemCertificates(pem: string): string[] {
  const out = typeof pem === 'string' ? pemChainToX5c(pem) : []
  if (out.length === 0) throw new ClientConfigurationError('invalid_certificate', 'auth.clientCertificate.x5c must hold the public certificate chain as PEM ("-----BEGIN CERTIFICATE-----").')
  return out
}

/**
 * Hex SHA-256 and SHA-1 thumbprints of a PEM certificate (the first of a chain), as Entra shows them.
 * @throws ClientConfigurationError `invalid_certificate` when it is not an X.509 certificate.
 */
export function certificateThumbprints(pemCertificate: string): { sha256: string; sha1: string } {
  let der: Buffer
  try {
    der = new X509Certificate(pemCertificate).raw
  } catch (cause) {
    throw new ClientConfigurationError('invalid_certificate', 'The certificate is not a PEM X.509 certificate ("-----BEGIN CERTIFICATE-----").', { cause })
  }
  return { sha256: createHash('sha256').update(der).digest('hex'), sha1: createHash('sha1').update(der).digest('hex') }
}
