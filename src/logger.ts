/**
 * msal-node's logger contract: `system.loggerOptions = { loggerCallback(level, message, containsPii),
 * piiLoggingEnabled, logLevel }`. Lines that carry personal data (usernames, account ids) are
 * only emitted when `piiLoggingEnabled` is true. Tokens, secrets, assertions, passwords, codes
 * and verifiers are never logged at any level.
 */

/** msal-node's `LogLevel`, as a frozen object so `LogLevel.Verbose` reads the same. */
export const LogLevel = Object.freeze({ Error: 0, Warning: 1, Info: 2, Verbose: 3, Trace: 4 } as const)
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel]

export interface LoggerOptions {
  loggerCallback?: (level: LogLevel, message: string, containsPii: boolean) => void
  piiLoggingEnabled?: boolean
  logLevel?: LogLevel
  correlationId?: string
}

const LEVEL_NAMES = ['Error', 'Warning', 'Info', 'Verbose', 'Trace'] as const

export class Logger {
  readonly #callback: LoggerOptions['loggerCallback']
  readonly #level: LogLevel
  readonly #pii: boolean

  constructor(options: LoggerOptions = {}) {
    this.#callback = options.loggerCallback
    this.#level = options.logLevel ?? LogLevel.Info
    this.#pii = options.piiLoggingEnabled ?? false
  }

  /** True when a message at `level` would reach the callback; lets callers skip building it. */
  enabled(level: LogLevel): boolean {
    return this.#callback !== undefined && level <= this.#level
  }

  #log(level: LogLevel, message: string, containsPii: boolean, correlationId?: string): void {
    if (!this.enabled(level) || (containsPii && !this.#pii)) return
    const line = `[${new Date().toUTCString()}] : [${correlationId ?? ''}] : entra-oauth : ${LEVEL_NAMES[level]} - ${message}`
    try {
      this.#callback?.(level, line, containsPii)
    } catch {
      // A throwing logger must not break token acquisition.
    }
  }

  error(message: string, correlationId?: string): void {
    this.#log(LogLevel.Error, message, false, correlationId)
  }
  warning(message: string, correlationId?: string): void {
    this.#log(LogLevel.Warning, message, false, correlationId)
  }
  info(message: string, correlationId?: string): void {
    this.#log(LogLevel.Info, message, false, correlationId)
  }
  verbose(message: string, correlationId?: string): void {
    this.#log(LogLevel.Verbose, message, false, correlationId)
  }
  trace(message: string, correlationId?: string): void {
    this.#log(LogLevel.Trace, message, false, correlationId)
  }
  /** A line with personal data (a username, an account id); dropped unless PII logging is on. */
  infoPii(message: string, correlationId?: string): void {
    this.#log(LogLevel.Info, message, true, correlationId)
  }
  verbosePii(message: string, correlationId?: string): void {
    this.#log(LogLevel.Verbose, message, true, correlationId)
  }
}
