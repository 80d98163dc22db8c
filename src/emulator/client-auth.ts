/**
 * Client authentication at the token endpoint, checked as Entra checks it: public clients send
 * no credential; confidential clients send a secret, or a JWT assertion signed by a registered
 * certificate's key (header `x5t#S256` or `x5t`; claims `aud` = this token endpoint, `iss` =
 * `sub` = client id, `exp`/`nbf`). An assertion may be reused until it expires, as Entra allows.
 * @see https://learn.microsoft.com/entra/identity-platform/certificate-credentials
 */
import { X509Certificate, createHash, timingSafeEqual } from 'node:crypto'
import { compactVerify, decodeProtectedHeader } from 'jose'
import { JWT_BEARER_ASSERTION_TYPE } from '../protocol/token-request.js'
import { EntraError } from './aadsts.js'
import type { ClientConfig } from './config.js'
import type { ClientAuthMethod } from './tokens.js'

/** Clock skew allowed on an assertion's `nbf`/`exp`, in seconds. */
const SKEW_SECONDS = 300

interface RegisteredCertificate {
  x509: X509Certificate
  sha1: string
  sha256: string
}

const certCache = new WeakMap<ClientConfig, RegisteredCertificate[]>()

function certificates(client: ClientConfig): RegisteredCertificate[] {
  let certs = certCache.get(client)
  if (!certs) {
    certs = client.certificates.map((pem) => {
      const x509 = new X509Certificate(pem)
      return { x509, sha1: createHash('sha1').update(x509.raw).digest('base64url'), sha256: createHash('sha256').update(x509.raw).digest('base64url') }
    })
    certCache.set(client, certs)
  }
  return certs
}

export interface ClientAuthContext {
  form: URLSearchParams
  /** Token endpoint URLs an assertion's `aud` may name (the one called, by tenant id or domain). */
  audiences: readonly string[]
  nowSeconds: number
  grantType: string
}

/**
 * Authenticates the client of a token request; returns how (`azpacr`).
 * @throws EntraError invalid_client: AADSTS700025 (public client with a credential),
 *   AADSTS7000216/7000218 (confidential without one), AADSTS7000215 (wrong secret),
 *   AADSTS700027 (unknown certificate or bad signature), AADSTS700021 (iss/sub), AADSTS50013
 *   (aud), AADSTS700024 (time range); invalid_request AADSTS50027 for a malformed assertion.
 */
export async function authenticateClient(client: ClientConfig, ctx: ClientAuthContext): Promise<ClientAuthMethod> {
  const secret = ctx.form.get('client_secret')
  const assertion = ctx.form.get('client_assertion')
  const assertionType = ctx.form.get('client_assertion_type')
  if (client.type === 'public') {
    if (secret !== null || assertion !== null) {
      throw new EntraError('invalid_client', 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
    }
    if (ctx.grantType === 'client_credentials') {
      throw new EntraError('unauthorized_client', 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.", 400)
    }
    return '0'
  }
  if (secret === null && assertion === null) {
    if (ctx.grantType === 'client_credentials') {
      throw new EntraError('invalid_client', 7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
    }
    throw new EntraError('invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
  }
  if (secret !== null && assertion !== null) {
    throw new EntraError('invalid_request', 900144, "Only one of 'client_assertion' or 'client_secret' may be presented.")
  }
  if (secret !== null) {
    if (!client.secrets.some((s) => safeEqual(s, secret))) {
      throw new EntraError(
        'invalid_client',
        7000215,
        `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${client.clientId}'.`,
      )
    }
    return '1'
  }
  if (assertionType !== JWT_BEARER_ASSERTION_TYPE) {
    if (assertionType === null) throw new EntraError('invalid_request', 900144, "The request body must contain the following parameter: 'client_assertion_type'.")
    throw new EntraError('invalid_request', 50027, `The client_assertion_type '${assertionType}' is not supported; use '${JWT_BEARER_ASSERTION_TYPE}'.`)
  }
  await verifyAssertion(client, assertion as string, ctx)
  return '2'
}

async function verifyAssertion(client: ClientConfig, jwt: string, ctx: ClientAuthContext): Promise<void> {
  let header: Record<string, unknown>
  try {
    header = decodeProtectedHeader(jwt) as Record<string, unknown>
  } catch {
    throw new EntraError('invalid_request', 50027, 'JWT token is invalid or malformed.')
  }
  const x5tS256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : undefined
  const x5t = typeof header.x5t === 'string' ? header.x5t : undefined
  const registered = certificates(client).find((c) => (x5tS256 !== undefined && c.sha256 === x5tS256) || (x5t !== undefined && c.sha1 === x5t))
  if (!registered) {
    const shown = x5tS256 ?? x5t
    const thumbprint = shown ? Buffer.from(shown, 'base64url').toString('hex').toUpperCase() : '(none: the header has neither x5t#S256 nor x5t)'
    throw new EntraError(
      'invalid_client',
      700027,
      `Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${thumbprint}', Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '${client.clientId}'.]`,
    )
  }
  let payload: Record<string, unknown>
  try {
    const verified = await compactVerify(jwt, registered.x509.publicKey, { algorithms: ['RS256', 'PS256', 'ES256', 'ES384', 'ES512'] })
    payload = JSON.parse(new TextDecoder().decode(verified.payload)) as Record<string, unknown>
  } catch {
    throw new EntraError('invalid_client', 700027, 'Client assertion failed signature validation. [Reason - The provided signature value did not match the expected signature value.]')
  }
  if (payload.iss !== client.clientId || payload.sub !== client.clientId) {
    throw new EntraError('invalid_client', 700021, "Client assertion application identifier doesn't match 'client_id' parameter: 'iss' and 'sub' must both be the client id.")
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud]
  if (!audiences.some((a) => typeof a === 'string' && ctx.audiences.includes(a))) {
    throw new EntraError('invalid_client', 50013, `Assertion audience claim does not match the required value. The audience must be the token endpoint, ${ctx.audiences[0]}.`)
  }
  const exp = typeof payload.exp === 'number' ? payload.exp : undefined
  const nbf = typeof payload.nbf === 'number' ? payload.nbf : undefined
  if (exp === undefined || ctx.nowSeconds > exp + SKEW_SECONDS || (nbf !== undefined && ctx.nowSeconds < nbf - SKEW_SECONDS)) {
    const when = (s: number | undefined) => (s === undefined ? 'unset' : new Date(s * 1000).toISOString())
    throw new EntraError(
      'invalid_client',
      700024,
      `Client assertion is not within its valid time range. Current time: ${when(ctx.nowSeconds)}, assertion valid from ${when(nbf)}, expiry time of assertion ${when(exp)}.`,
    )
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest()
  const y = createHash('sha256').update(b).digest()
  return timingSafeEqual(x, y)
}
