/**
 * `entra-oauth accounts`, `logout` and `decode`: reading the cache file and reading tokens.
 */
import { createFileCachePlugin } from '../cache/file-cache-plugin.js'
import { TokenCache } from '../cache/token-cache.js'
import { CliError, EXIT, type CliIo } from './io.js'
import { COMMON_HELP, COMMON_OPTIONS, cacheFileOf, json, outputOf, parse } from './options.js'

export const ACCOUNTS_HELP = `Usage: entra-oauth accounts [--cache-file PATH] [--output json|raw]

Lists the accounts signed in to the token cache: username, home account id, tenant, cloud.
With --output raw, one username per line.

${COMMON_HELP}
`

export const LOGOUT_HELP = `Usage: entra-oauth logout (--account USERNAME | --all) [--cache-file PATH]

Removes an account (its access, refresh and id tokens) from the token cache, or all of them.
Nothing is sent to Entra: tokens already handed out stay valid until they expire.

Options:
  --account USERNAME     The account to remove
  --all                  Remove every account
${COMMON_HELP}
`

export const DECODE_HELP = `Usage: entra-oauth decode [TOKEN | -] [--output json|raw]

Shows a JWT's header and claims, with its times in ISO 8601 and whether it expired. Reads the
token from stdin when TOKEN is "-" or absent. The signature is NOT verified: do not trust what
it says.

  entra-oauth token --output raw | entra-oauth decode

With --output raw, the claims alone on one line.
`

function cacheOf(path: string, io: CliIo): TokenCache {
  return new TokenCache({ cachePlugin: createFileCachePlugin({ path, onWarning: (m) => io.stderr(`warning: ${m}\n`) }) })
}

export async function accountsCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, COMMON_OPTIONS)
  if (values.help) {
    io.stdout(ACCOUNTS_HELP)
    return EXIT.ok
  }
  const output = outputOf(values.output)
  const accounts = await cacheOf(cacheFileOf(values['cache-file'], io), io).getAllAccounts()
  if (output === 'raw') {
    io.stdout(accounts.map((a) => `${a.username}\n`).join(''))
  } else {
    io.stdout(json(accounts.map((a) => ({ username: a.username, name: a.name ?? null, homeAccountId: a.homeAccountId, tenantId: a.tenantId, environment: a.environment }))))
  }
  return EXIT.ok
}

export async function logoutCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, { ...COMMON_OPTIONS, account: { type: 'string' }, all: { type: 'boolean' } })
  if (values.help) {
    io.stdout(LOGOUT_HELP)
    return EXIT.ok
  }
  if ((values.account === undefined) === (values.all !== true)) throw new CliError('logout needs --account USERNAME or --all.')
  const cache = cacheOf(cacheFileOf(values['cache-file'], io), io)
  const accounts = await cache.getAllAccounts()
  const wanted = values.account?.toLowerCase()
  const doomed = values.all ? accounts : accounts.filter((a) => a.username.toLowerCase() === wanted || a.homeAccountId.toLowerCase() === wanted)
  if (doomed.length === 0 && !values.all) throw new CliError(`No cached account ${values.account}.`, EXIT.signInRequired)
  for (const account of doomed) await cache.removeAccount(account)
  io.stderr(`Signed out ${doomed.length} account${doomed.length === 1 ? '' : 's'}${doomed.length > 0 ? `: ${doomed.map((a) => a.username).join(', ')}` : ''}.\n`)
  return EXIT.ok
}

export async function decodeCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(args, { output: COMMON_OPTIONS.output, help: COMMON_OPTIONS.help }, true)
  if (values.help) {
    io.stdout(DECODE_HELP)
    return EXIT.ok
  }
  const output = outputOf(values.output)
  if (positionals.length > 1) throw new CliError('decode takes one token.')
  const token = (positionals[0] === undefined || positionals[0] === '-' ? await io.readStdin() : positionals[0]).trim()
  const parts = token.split('.')
  if (parts.length !== 3 && parts.length !== 5) throw new CliError('That is not a JWT: expected three dot-separated parts (header.claims.signature).', EXIT.failure)
  if (parts.length === 5) throw new CliError('That is an encrypted JWT (JWE); only its recipient can read it.', EXIT.failure)
  const header = part(parts[0] as string, 'header')
  const claims = part(parts[1] as string, 'claims')
  if (output === 'raw') {
    io.stdout(`${JSON.stringify(claims)}\n`)
    return EXIT.ok
  }
  io.stdout(json({ header, claims, times: times(claims), signature: 'not verified' }))
  return EXIT.ok
}

function part(segment: string, name: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>
  } catch {
    // fall through to the error below
  }
  throw new CliError(`The token's ${name} is not base64url JSON: this is not a JWT (Microsoft Graph tokens for personal accounts are opaque).`, EXIT.failure)
}

function times(claims: Record<string, unknown>, nowMs = Date.now()): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of ['iat', 'nbf', 'exp']) {
    const v = claims[name]
    if (typeof v === 'number') out[name] = new Date(v * 1000).toISOString()
  }
  if (typeof claims.exp === 'number') {
    const minutes = Math.round((claims.exp * 1000 - nowMs) / 60_000)
    out.status = minutes >= 0 ? `valid for ${minutes} more minute${minutes === 1 ? '' : 's'}` : `expired ${-minutes} minute${minutes === -1 ? '' : 's'} ago`
  }
  return out
}
