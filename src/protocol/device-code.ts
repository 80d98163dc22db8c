/**
 * The device authorization response (RFC 8628 §3.2) as Entra sends it: `device_code`,
 * `user_code`, `verification_uri`, `expires_in`, `interval`, `message`.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-device-code#device-authorization-response
 */
import * as z from 'zod/mini'
import { ClientAuthError } from '../errors.js'
import { parseErrorResponse, type WireResponse } from './token-response.js'

const seconds = z.union([z.number(), z.string().check(z.regex(/^\d+$/))])

const DeviceAuthorizationSchema = z.looseObject({
  device_code: z.string().check(z.minLength(1)),
  user_code: z.string().check(z.minLength(1)),
  verification_uri: z.optional(z.string()),
  // Older Entra (v1.0) name.
  verification_url: z.optional(z.string()),
  expires_in: seconds,
  interval: z.optional(seconds),
  message: z.optional(z.string()),
})

export interface DeviceAuthorization {
  deviceCode: string
  userCode: string
  verificationUri: string
  /** Seconds from now until the code expires. */
  expiresIn: number
  /** Seconds to wait between polls (RFC 8628 default: 5). */
  interval: number
  message: string
}

/** Default polling interval, RFC 8628 §3.2. */
export const DEFAULT_DEVICE_CODE_INTERVAL_SECONDS = 5

/**
 * Parses the device authorization response.
 * @throws ServerError for an OAuth error body; ClientAuthError `invalid_response` for a 200 that
 *   is not a device authorization response.
 */
export function parseDeviceAuthorizationResponse(res: WireResponse, endpointName: string): DeviceAuthorization {
  if (res.status !== 200) throw parseErrorResponse(res, { endpoint: endpointName, userFlow: false })
  let json: unknown
  try {
    json = JSON.parse(res.body)
  } catch {
    json = undefined
  }
  const parsed = DeviceAuthorizationSchema.safeParse(json)
  const invalid = (what: string): ClientAuthError =>
    new ClientAuthError('invalid_response', `The ${endpointName} answered 200 but ${what}.`, { correlationId: res.correlationId, status: res.status, endpoint: endpointName })
  if (!parsed.success) throw invalid(`the body lacks ${parsed.error.issues.map((i) => `"${i.path.map(String).join('.') || 'body'}"`).join(', ')}`)
  const v = parsed.data
  const verificationUri = v.verification_uri ?? v.verification_url
  if (verificationUri === undefined) throw invalid('the body has no verification_uri')
  const expiresIn = Number(v.expires_in)
  const interval = v.interval === undefined ? DEFAULT_DEVICE_CODE_INTERVAL_SECONDS : Number(v.interval)
  if (!(expiresIn > 0 && expiresIn <= 24 * 3600)) throw invalid(`expires_in = ${expiresIn} is outside 1..86400 seconds`)
  if (!(interval >= 1 && interval <= 600)) throw invalid(`interval = ${interval} is outside 1..600 seconds`)
  return {
    deviceCode: v.device_code,
    userCode: v.user_code,
    verificationUri,
    expiresIn,
    interval,
    message: v.message ?? `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${v.user_code} to authenticate.`,
  }
}
