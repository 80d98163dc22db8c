/**
 * What the emulator remembers between requests: authorization codes, refresh tokens, device
 * codes and pending sign-ins. In memory only; everything expires on the emulator's clock.
 */
import { randomBytes, randomUUID } from 'node:crypto'

export interface AuthorizationCode {
  clientId: string
  userId: string
  redirectUri: string
  scope: string
  nonce: string | undefined
  codeChallenge: string | undefined
  codeChallengeMethod: 'S256' | 'plain' | undefined
  /** Seconds since the epoch. */
  expiresAt: number
  redeemed: boolean
}

export interface RefreshToken {
  clientId: string
  userId: string
  /** Family id (`1`) when the client is in the FOCI family. */
  family: string | undefined
  expiresAt: number
  /** Rotated: a refresh token works once; the response carries its successor. */
  redeemed: boolean
}

export type DeviceCodeStatus = 'pending' | 'approved' | 'declined' | 'redeemed'

export interface DeviceCode {
  deviceCode: string
  userCode: string
  clientId: string
  tenantSegment: string
  scope: string
  expiresAt: number
  status: DeviceCodeStatus
  userId: string | undefined
  /** Milliseconds since the epoch of the last poll, for `slow_down`. */
  lastPollMs: number | undefined
}

/** A sign-in page being shown: the authorize request it came from. */
export interface PendingSignIn {
  tenantSegment: string
  clientId: string
  redirectUri: string
  scope: string
  state: string | undefined
  nonce: string | undefined
  codeChallenge: string | undefined
  codeChallengeMethod: 'S256' | 'plain' | undefined
  responseMode: 'query' | 'fragment' | 'form_post'
  loginHint: string | undefined
  /** Whether the authorize request asked for `client_info` in the response. */
  clientInfo: boolean
  expiresAt: number
}

/** An opaque handle: unguessable, URL-safe. */
export function opaque(bytes = 32): string {
  return randomBytes(bytes).toString('base64url')
}

/** A user code as Entra shows it: 9 characters from an alphabet without look-alikes. */
export function userCode(): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
  const bytes = randomBytes(9)
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join('')
}

export class EmulatorState {
  readonly codes = new Map<string, AuthorizationCode>()
  readonly refreshTokens = new Map<string, RefreshToken>()
  readonly deviceCodes = new Map<string, DeviceCode>()
  readonly deviceCodesByUserCode = new Map<string, DeviceCode>()
  readonly signIns = new Map<string, PendingSignIn>()

  /** Drops what expired more than a day ago, so a long-running emulator stays small. */
  sweep(nowSeconds: number): void {
    const horizon = nowSeconds - 86_400
    for (const [k, v] of this.codes) if (v.expiresAt < horizon) this.codes.delete(k)
    for (const [k, v] of this.refreshTokens) if (v.expiresAt < horizon) this.refreshTokens.delete(k)
    for (const [k, v] of this.signIns) if (v.expiresAt < horizon) this.signIns.delete(k)
    for (const [k, v] of this.deviceCodes) {
      if (v.expiresAt < horizon) {
        this.deviceCodes.delete(k)
        this.deviceCodesByUserCode.delete(v.userCode)
      }
    }
  }

  newSignIn(signIn: PendingSignIn): string {
    const id = randomUUID()
    this.signIns.set(id, signIn)
    return id
  }
}
