/**
 * `client_info`: Entra's base64url JSON `{"uid": "...", "utid": "..."}` returned when a request
 * carries `client_info=1`. The account's home id is `uid.utid`, stable across the tenants the
 * user visits. Undocumented on Microsoft Learn; taken from MSAL (msal-common `ClientInfo.ts`,
 * `AccountEntity.generateHomeAccountId`; MSAL Python `token_cache.py`).
 */

export interface ClientInfo {
  /** The user's object id in their home tenant. */
  uid: string
  /** The home tenant id. */
  utid: string
}

/** Decodes `client_info`; undefined when it is absent, not base64url JSON, or lacks `uid`/`utid`. */
export function decodeClientInfo(raw: string | undefined): ClientInfo | undefined {
  if (raw === undefined || raw === '') return undefined
  let value: unknown
  try {
    // Entra sends base64url; some caches hold padded standard base64: Buffer reads both.
    value = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'))
  } catch {
    return undefined
  }
  if (typeof value !== 'object' || value === null) return undefined
  const { uid, utid } = value as { uid?: unknown; utid?: unknown }
  if (typeof uid !== 'string' || typeof utid !== 'string' || uid === '' || utid === '') return undefined
  return { uid, utid }
}

/** Encodes `{uid, utid}` as Entra does (base64url JSON); for tests and emulators. */
export function encodeClientInfo(info: ClientInfo): string {
  return Buffer.from(JSON.stringify({ uid: info.uid, utid: info.utid })).toString('base64url')
}

/**
 * The home account id: `uid.utid` from `client_info`; when that is missing or unusable (ADFS,
 * dSTS, a generic OpenID provider), the id token's `sub`, as msal-common falls back; else ''.
 */
export function homeAccountIdOf(clientInfo: ClientInfo | undefined, idTokenClaims: { sub?: unknown } | undefined): string {
  if (clientInfo) return `${clientInfo.uid}.${clientInfo.utid}`
  return typeof idTokenClaims?.sub === 'string' ? idTokenClaims.sub : ''
}
