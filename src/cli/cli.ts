/**
 * The `entra-oauth` command: subcommand dispatch, top-level help, and the one place errors turn
 * into a single readable line on stderr and a documented exit code.
 */
import { AuthError, ClientAuthError, ClientConfigurationError, InteractionRequiredAuthError, ServerError } from '../errors.js'
import { VERSION } from '../transport/version.js'
import { emulatorCommand } from './emulator-command.js'
import { CliError, EXIT, processIo, type CliIo } from './io.js'
import { accountsCommand, decodeCommand, logoutCommand } from './small-commands.js'
import { tokenCommand } from './token.js'

export const HELP = `Usage: entra-oauth <command> [options]

Tokens from Microsoft Entra ID (or the local emulator), in the shape of
\`az account get-access-token\`.

Commands:
  token      Print an access token (app-only, or for a signed-in user)
  accounts   List the accounts in the token cache
  logout     Remove an account from the token cache
  decode     Show a JWT's header and claims (unverified)
  emulator   Run a local Entra emulator on 127.0.0.1

Run \`entra-oauth <command> --help\` for its options.

Exit codes:
  0  success
  1  unexpected failure
  2  usage error (unknown command or option, missing value)
  3  sign-in required (no cached account, or the refresh token was refused)
  4  Entra refused the request (an AADSTS error; the code and correlation id are printed)
  5  network failure, timeout or unusable response
  6  configuration that cannot work (authority, client id, scopes, certificate)
`

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<number>> = {
  token: tokenCommand,
  accounts: accountsCommand,
  logout: logoutCommand,
  decode: decodeCommand,
  emulator: emulatorCommand,
}

/**
 * Runs the command line `argv` (without `node` and the script) and resolves with the exit code.
 * Never throws: failures print one line on stderr.
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(HELP)
    return command === undefined ? EXIT.usage : EXIT.ok
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${VERSION}\n`)
    return EXIT.ok
  }
  const run = COMMANDS[command]
  if (!run) {
    io.stderr(`entra-oauth: unknown command "${command}". Commands: ${Object.keys(COMMANDS).join(', ')}. See entra-oauth --help.\n`)
    return EXIT.usage
  }
  try {
    return await run(rest, io)
  } catch (error) {
    io.stderr(`entra-oauth ${command}: ${describeError(error)}\n`)
    return exitCodeOf(error)
  }
}

/** One line: what happened, the AADSTS code and the correlation id (AuthError's message carries both). */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/\s*\r?\n\s*/g, ' ')
}

export function exitCodeOf(error: unknown): number {
  if (error instanceof CliError) return error.exitCode
  if (error instanceof InteractionRequiredAuthError) return EXIT.signInRequired
  if (error instanceof ClientConfigurationError) return EXIT.configuration
  if (error instanceof ServerError) return EXIT.server
  if (error instanceof ClientAuthError) return error.errorCode === 'no_account' || error.errorCode === 'no_tokens_found' ? EXIT.signInRequired : EXIT.network
  if (error instanceof AuthError) return EXIT.failure
  return EXIT.failure
}
