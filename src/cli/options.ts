/**
 * Option parsing shared by the subcommands (node:util parseArgs, strict), and the pieces of
 * configuration every command derives from the options: authority, client id, scopes, output.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util'
import { CliError, defaultCacheFile, type CliIo } from './io.js'

export const COMMON_OPTIONS = {
  authority: { type: 'string' },
  tenant: { type: 'string', short: 't' },
  'client-id': { type: 'string' },
  scope: { type: 'string', short: 's', multiple: true },
  output: { type: 'string', short: 'o' },
  'cache-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>

export const COMMON_HELP = `Common options:
  --authority URL        Authority URL, e.g. https://login.microsoftonline.com/<tenant> or the
                         emulator's http://127.0.0.1:<port>/<tenant> ($ENTRA_OAUTH_AUTHORITY)
  -t, --tenant ID        Tenant id or domain, when --authority is not given ($ENTRA_OAUTH_TENANT);
                         default "organizations" for user sign-in
  --client-id ID         Application (client) id ($ENTRA_OAUTH_CLIENT_ID)
  -s, --scope SCOPE      Scope to request; repeat or separate with spaces
  -o, --output FORMAT    json (default) or raw (the bare token or value)
  --cache-file PATH      Token cache file ($ENTRA_OAUTH_CACHE_FILE; default
                         $XDG_CACHE_HOME/entra-oauth/token-cache.json, mode 0600)
  -h, --help             Show help`

type Options = NonNullable<ParseArgsConfig['options']>
/** What parseArgs returns for these options. */
export type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: boolean }>>

/** parseArgs with our options, turning its errors into usage errors. */
export function parse<O extends Options>(args: string[], options: O, allowPositionals = false): Parsed<O> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals })
  } catch (error) {
    throw new CliError(((error as Error).message.split('\n')[0] ?? 'invalid arguments').replace(/^TypeError \[[A-Z_]+\]: /, ''))
  }
}

export type Output = 'json' | 'raw'

export function outputOf(value: string | undefined): Output {
  if (value === undefined || value === 'json') return 'json'
  if (value === 'raw') return 'raw'
  throw new CliError(`--output must be json or raw, not "${value}".`)
}

export function clientIdOf(value: string | undefined, io: CliIo): string {
  const id = value ?? io.env.ENTRA_OAUTH_CLIENT_ID
  if (!id) throw new CliError('--client-id is required (or set ENTRA_OAUTH_CLIENT_ID): the Application (client) id of your app registration.')
  return id
}

/** `--authority`, else `https://login.microsoftonline.com/{--tenant}`, else the fallback tenant. */
export function authorityOf(values: { authority?: string | undefined; tenant?: string | undefined }, io: CliIo, fallbackTenant: string | undefined): string {
  const authority = values.authority ?? io.env.ENTRA_OAUTH_AUTHORITY
  const tenant = values.tenant ?? io.env.ENTRA_OAUTH_TENANT
  if (values.authority !== undefined && values.tenant !== undefined) throw new CliError('Give --authority or --tenant, not both (the authority names the tenant).')
  if (authority) return authority
  const t = tenant ?? fallbackTenant
  if (!t) throw new CliError('--tenant (or --authority) is required: app-only tokens need a tenant id or domain, not common.')
  return `https://login.microsoftonline.com/${t}`
}

export function scopesOf(values: string[] | undefined, fallback: string[]): string[] {
  const scopes = (values ?? []).flatMap((s) => s.split(/\s+/)).filter((s) => s !== '')
  return scopes.length > 0 ? scopes : fallback
}

export function cacheFileOf(value: string | undefined, io: CliIo): string {
  return value ?? defaultCacheFile(io.env)
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}
