/**
 * What the command needs from the outside world, injectable so tests run `main()` in-process:
 * output streams, stdin, environment, platform paths, a signal to stop long-running commands.
 */
import { homedir } from 'node:os'
import { join } from 'node:path'

export interface CliIo {
  stdout(text: string): void
  stderr(text: string): void
  /** All of stdin as text (for `--client-secret-stdin` and `decode -`). */
  readStdin(): Promise<string>
  env: Readonly<Record<string, string | undefined>>
  /** Stops `emulator` (and aborts a sign-in in progress). */
  signal?: AbortSignal | undefined
  /** Opens the sign-in page for `--interactive`; default: the system browser. */
  openBrowser?: ((url: string) => Promise<void>) | undefined
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      return Buffer.concat(chunks).toString('utf8')
    },
    env: process.env,
  }
}

/** Exit codes, documented in `entra-oauth --help` and docs/cli-and-emulator.md. */
export const EXIT = Object.freeze({
  ok: 0,
  /** Anything unexpected. */
  failure: 1,
  /** Unknown command or option, missing value. */
  usage: 2,
  /** A user must sign in (no cached account, refresh token refused): run with --device-code or --interactive. */
  signInRequired: 3,
  /** Entra (or the emulator) refused the request: an AADSTS error. */
  server: 4,
  /** Network, timeout, or a response that is not usable. */
  network: 5,
  /** A configuration that cannot work (authority, client id, scopes, certificate). */
  configuration: 6,
})

/** An error that maps to an exit code and prints as one line. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message)
  }
}

/**
 * Where the token cache lives: `--cache-file`, else `$ENTRA_OAUTH_CACHE_FILE`, else the user's
 * cache directory (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on macOS,
 * `%LOCALAPPDATA%` on Windows) + `entra-oauth/token-cache.json`.
 */
export function defaultCacheFile(env: CliIo['env'], platform: NodeJS.Platform = process.platform, home = homedir()): string {
  if (env.ENTRA_OAUTH_CACHE_FILE) return env.ENTRA_OAUTH_CACHE_FILE
  let base: string
  if (platform === 'win32') base = env.LOCALAPPDATA ?? join(home, 'AppData', 'Local')
  else if (platform === 'darwin') base = join(home, 'Library', 'Caches')
  else base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(home, '.cache')
  return join(base, 'entra-oauth', 'token-cache.json')
}
