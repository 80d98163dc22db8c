/**
 * What every emulator handler shares: the directory, the state, the signing key, the base URL
 * and the clock.
 */
import type { EmulatorConfig } from './config.js'
import type { Directory } from './directory.js'
import type { EmulatorState } from './state.js'
import type { IssueContext, SigningKey } from './tokens.js'

export interface EmulatorCore {
  config: EmulatorConfig
  directory: Directory
  state: EmulatorState
  key: SigningKey
  /** `http://127.0.0.1:{port}`, no trailing slash. */
  baseUrl: string
  /** Milliseconds since the epoch, on the emulator's clock (tests can move it forward). */
  nowMs(): number
  /** Whom to sign in without a page: a username, the first user (`true`), or nobody (`false`). */
  autoApprove: boolean | string
  /** Counters of what was asked, for tests and the demo. */
  counters: Record<string, number>
}

export function nowSeconds(core: EmulatorCore): number {
  return Math.floor(core.nowMs() / 1000)
}

export function issueContext(core: EmulatorCore): IssueContext {
  return { key: core.key, baseUrl: core.baseUrl, nowSeconds: nowSeconds(core) }
}

export function count(core: EmulatorCore, name: string): void {
  core.counters[name] = (core.counters[name] ?? 0) + 1
}
