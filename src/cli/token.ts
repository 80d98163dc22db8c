/**
 * `entra-oauth token`: an access token, in the shape of `az account get-access-token`. App-only
 * with a secret or certificate (client credentials); otherwise a user token, from the cache
 * first (silently, refreshing when needed) and by device code or browser sign-in when asked.
 */
import { readFile } from 'node:fs/promises'
import { createFileCachePlugin } from '../cache/file-cache-plugin.js'
import { ConfidentialClientApplication } from '../apps/confidential-client-application.js'
import { PublicClientApplication } from '../apps/public-client-application.js'
import type { AccountInfo } from '../cache/accounts.js'
import { certificateThumbprints, type ClientCertificate } from '../credentials/client-credential.js'
import { InteractionRequiredAuthError } from '../errors.js'
import type { AuthenticationResult } from '../flows/result.js'
import { CliError, EXIT, type CliIo } from './io.js'
import { COMMON_HELP, COMMON_OPTIONS, authorityOf, cacheFileOf, clientIdOf, json, outputOf, parse, scopesOf } from './options.js'

export const TOKEN_HELP = `Usage: entra-oauth token [options]

Prints an access token. App-only (client credentials) when a secret or certificate is given;
otherwise for a signed-in user: from the cache first, refreshed silently when it expired, and
by signing in with --device-code or --interactive when the cache cannot serve.

App-only options:
  --client-secret-stdin  Read the client secret from stdin (first line)
                         (or set $ENTRA_OAUTH_CLIENT_SECRET)
  --client-secret VALUE  The secret on the command line: visible to other users and kept in
                         shell history; accepted with a warning
  --certificate FILE     PEM file with the private key and the certificate; the SHA-256
                         thumbprint is computed from it ($ENTRA_OAUTH_CERTIFICATE_PASSWORD
                         for an encrypted key)
  --send-x5c             Send the certificate chain (subject name/issuer authentication)

User options:
  --device-code          Sign in with a device code when the cache cannot serve
  --interactive          Sign in in the browser when the cache cannot serve
  --account USERNAME     Which cached account (default: the only one)
  --force-refresh        Skip cached access tokens

${COMMON_HELP}

Default scope: https://graph.microsoft.com/.default (app-only), User.Read (user).

Output (json): { "accessToken", "expiresOn" (ISO 8601), "expires_on" (epoch seconds),
"tenant", "tokenType", "scopes", "account", "fromCache", "correlationId" }.

Examples:
  printf %s "$SECRET" | entra-oauth token --tenant contoso.onmicrosoft.com \\
      --client-id $APP_ID --client-secret-stdin --scope https://graph.microsoft.com/.default
  entra-oauth token --client-id $APP_ID --device-code --scope User.Read --output raw
`

const OPTIONS = {
  ...COMMON_OPTIONS,
  'client-secret': { type: 'string' },
  'client-secret-stdin': { type: 'boolean' },
  certificate: { type: 'string' },
  'send-x5c': { type: 'boolean' },
  'device-code': { type: 'boolean' },
  interactive: { type: 'boolean' },
  account: { type: 'string' },
  'force-refresh': { type: 'boolean' },
} as const

export async function tokenCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, OPTIONS)
  if (values.help) {
    io.stdout(TOKEN_HELP)
    return EXIT.ok
  }
  const output = outputOf(values.output)
  const clientId = clientIdOf(values['client-id'], io)
  const cachePlugin = createFileCachePlugin({ path: cacheFileOf(values['cache-file'], io), onCorrupt: 'backup', onWarning: (m) => io.stderr(`warning: ${m}\n`) })
  const secret = await clientSecretOf(values, io)
  const certificate = values.certificate === undefined ? undefined : await certificateOf(values.certificate, values['send-x5c'] ?? false, io)
  if (secret !== undefined && certificate !== undefined) throw new CliError('Give a client secret or --certificate, not both.')
  if ((secret !== undefined || certificate !== undefined) && (values['device-code'] || values.interactive || values.account)) {
    throw new CliError('--device-code, --interactive and --account are for user sign-in; a secret or certificate asks for an app-only token.')
  }
  if (values['device-code'] && values.interactive) throw new CliError('Give --device-code or --interactive, not both.')

  let result: AuthenticationResult
  if (secret !== undefined || certificate !== undefined) {
    const app = new ConfidentialClientApplication({
      auth: { clientId, authority: authorityOf(values, io, undefined), ...(secret !== undefined ? { clientSecret: secret } : { clientCertificate: certificate }) },
      cache: { cachePlugin },
    })
    try {
      result = await app.acquireTokenByClientCredential({ scopes: scopesOf(values.scope, ['https://graph.microsoft.com/.default']), skipCache: values['force-refresh'] ?? false })
    } finally {
      await app.close()
    }
  } else {
    const app = new PublicClientApplication({ auth: { clientId, authority: authorityOf(values, io, 'organizations') }, cache: { cachePlugin } })
    try {
      result = await userToken(app, scopesOf(values.scope, ['User.Read']), values, io)
    } finally {
      await app.close()
    }
  }
  io.stdout(output === 'raw' ? `${result.accessToken}\n` : json(describe(result)))
  return EXIT.ok
}

async function userToken(
  app: PublicClientApplication,
  scopes: string[],
  values: { account?: string | undefined; 'device-code'?: boolean | undefined; interactive?: boolean | undefined; 'force-refresh'?: boolean | undefined },
  io: CliIo,
): Promise<AuthenticationResult> {
  const account = pickAccount(await app.getAllAccounts(), values.account)
  if (account) {
    try {
      return await app.acquireTokenSilent({ account, scopes, forceRefresh: values['force-refresh'] ?? false })
    } catch (error) {
      if (!(error instanceof InteractionRequiredAuthError) || !(values['device-code'] || values.interactive)) throw error
      io.stderr(`The cached sign-in cannot be used (${error.errorCode}); signing in again.\n`)
    }
  } else if (!(values['device-code'] || values.interactive)) {
    throw new CliError(
      values.account ? `No cached account ${values.account}. Sign in with --device-code or --interactive.` : 'No account is signed in. Sign in with --device-code or --interactive.',
      EXIT.signInRequired,
    )
  }
  if (values['device-code']) {
    const result = await app.acquireTokenByDeviceCode({ scopes, deviceCodeCallback: (r) => io.stderr(`${r.message}\n`), signal: io.signal })
    if (!result) throw new CliError('The device code sign-in returned no token.', EXIT.failure)
    return result
  }
  io.stderr('Opening the browser to sign in...\n')
  return app.acquireTokenInteractive({ scopes, openBrowser: io.openBrowser, loginHint: values.account, signal: io.signal })
}

function pickAccount(accounts: AccountInfo[], wanted: string | undefined): AccountInfo | undefined {
  if (wanted !== undefined) {
    const w = wanted.toLowerCase()
    return accounts.find((a) => a.username.toLowerCase() === w || a.homeAccountId.toLowerCase() === w)
  }
  if (accounts.length > 1) {
    throw new CliError(`${accounts.length} accounts are signed in (${accounts.map((a) => a.username).join(', ')}); choose one with --account.`)
  }
  return accounts[0]
}

/** The JSON a script reads: `az account get-access-token`'s fields, plus what the library knows. */
export function describe(result: AuthenticationResult): Record<string, unknown> {
  const expires = result.expiresOn
  return {
    accessToken: result.accessToken,
    expiresOn: expires ? expires.toISOString() : null,
    expires_on: expires ? Math.floor(expires.getTime() / 1000) : null,
    tenant: result.tenantId,
    tokenType: result.tokenType,
    scopes: result.scopes,
    account: result.account?.username ?? null,
    fromCache: result.fromCache,
    correlationId: result.correlationId,
  }
}

async function clientSecretOf(values: { 'client-secret'?: string | undefined; 'client-secret-stdin'?: boolean | undefined }, io: CliIo): Promise<string | undefined> {
  const given = [values['client-secret'] !== undefined, values['client-secret-stdin'] === true].filter(Boolean).length
  if (given > 1) throw new CliError('Give --client-secret-stdin or --client-secret, not both.')
  if (values['client-secret-stdin']) {
    const secret = (await io.readStdin()).split(/\r?\n/)[0]?.trim() ?? ''
    if (secret === '') throw new CliError('--client-secret-stdin read nothing from stdin.')
    return secret
  }
  if (values['client-secret'] !== undefined) {
    io.stderr('warning: a secret on the command line is visible to other users (ps) and kept in shell history; prefer --client-secret-stdin or $ENTRA_OAUTH_CLIENT_SECRET.\n')
    return values['client-secret']
  }
  return io.env.ENTRA_OAUTH_CLIENT_SECRET || undefined
}

/** A PEM file with a private key and its certificate → the library's certificate credential. */
export async function certificateOf(path: string, sendX5c: boolean, io: CliIo): Promise<ClientCertificate> {
  let pem: string
  try {
    pem = await readFile(path, 'utf8')
  } catch (error) {
    throw new CliError(`Cannot read --certificate ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, EXIT.configuration)
  }
  const key = /-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----/.exec(pem)?.[0]
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0]
  if (!key || !cert) {
    throw new CliError(`--certificate ${path} must hold both the private key and the certificate in PEM (cat key.pem cert.pem > both.pem).`, EXIT.configuration)
  }
  let thumbprintSha256: string
  try {
    thumbprintSha256 = certificateThumbprints(cert).sha256
  } catch {
    throw new CliError(`--certificate ${path}: the certificate does not parse.`, EXIT.configuration)
  }
  return { privateKey: key, thumbprintSha256, passphrase: io.env.ENTRA_OAUTH_CERTIFICATE_PASSWORD || undefined, x5c: sendX5c ? pem : undefined }
}
