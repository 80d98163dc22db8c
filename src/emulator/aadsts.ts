/**
 * Errors in Entra's JSON shape: `error`, `error_description` ("AADSTSnnnn: ..." followed by
 * trace id, correlation id and timestamp lines), `error_codes`, `timestamp`, `trace_id`,
 * `correlation_id`, `error_uri`, and `suberror` where Entra sends one.
 * @see https://learn.microsoft.com/entra/identity-platform/reference-error-codes
 */

/** An error the emulator answers with; thrown inside handlers, rendered once by the server. */
export class EntraError extends Error {
  override name = 'EntraError'
  constructor(
    /** OAuth `error`, e.g. `invalid_grant`. */
    readonly error: string,
    /** AADSTS number, e.g. 70011; 0 for errors Entra sends without one. */
    readonly code: number,
    /** The text after "AADSTSnnnn: ". */
    readonly description: string,
    /** HTTP status: 400 unless said otherwise (401 for invalid_client). */
    readonly status = error === 'invalid_client' ? 401 : 400,
    readonly suberror?: string,
  ) {
    super(`${code > 0 ? `AADSTS${code}: ` : ''}${description}`)
  }
}

export interface ErrorContext {
  traceId: string
  correlationId: string
  /** Milliseconds since the epoch. */
  now: number
  /** Base URL of the emulator, for `error_uri`. */
  baseUrl: string
}

/** The body Entra would send for `err`. */
export function entraErrorBody(err: EntraError, ctx: ErrorContext): Record<string, unknown> {
  const timestamp = new Date(ctx.now).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z')
  const body: Record<string, unknown> = {
    error: err.error,
    error_description: `${err.message}\r\nTrace ID: ${ctx.traceId}\r\nCorrelation ID: ${ctx.correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: err.code > 0 ? [err.code] : [],
    timestamp,
    trace_id: ctx.traceId,
    correlation_id: ctx.correlationId,
  }
  if (err.code > 0) body.error_uri = `${ctx.baseUrl}/error?code=${err.code}`
  if (err.suberror) body.suberror = err.suberror
  return body
}

/** `AADSTS900144`: a required body parameter is missing. */
export function missingParameter(name: string): EntraError {
  return new EntraError('invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`)
}

/** `AADSTS90002`: the tenant in the path does not exist. */
export function tenantNotFound(tenant: string): EntraError {
  return new EntraError(
    'invalid_request',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  )
}

/** `AADSTS700016`: no app registration with this client id in the tenant. */
export function clientNotFound(clientId: string, tenant: string): EntraError {
  return new EntraError(
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  )
}

/** `AADSTS70011`: a scope the resource does not define, or an unusable combination. */
export function invalidScope(detail: string): EntraError {
  return new EntraError('invalid_scope', 70011, `The provided value for the input parameter 'scope' is not valid. ${detail}`)
}
