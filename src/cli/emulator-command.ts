/**
 * `entra-oauth emulator`: runs the local Entra emulator in the foreground until Ctrl-C.
 */
import { readFile } from 'node:fs/promises'
import { DEFAULTS, startEmulator } from '../emulator/index.js'
import { CliError, EXIT, type CliIo } from './io.js'
import { parse } from './options.js'

export const EMULATOR_HELP = `Usage: entra-oauth emulator [--port N] [--config FILE] [--auto-approve] [--quiet]

Runs a local identity server on 127.0.0.1 that behaves like Microsoft Entra ID's v2.0
endpoints (discovery, keys, authorize, token, devicecode) and a small Graph look-alike
(/v1.0/me, /v1.0/users). No tenant and no internet needed. Stop it with Ctrl-C.

Options:
  --port N          Port on 127.0.0.1 (default: a free one)
  --config FILE     Directory as JSON: tenants, users, clients, apis, lifetimes
                    (default: one tenant, two users, a desktop app, a daemon, an API)
  --auto-approve    Sign users in and approve device codes without a page
  --quiet           Do not log requests
  -h, --help        Show help
`

const OPTIONS = {
  port: { type: 'string' },
  config: { type: 'string' },
  'auto-approve': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

export async function emulatorCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parse(args, OPTIONS)
  if (values.help) {
    io.stdout(EMULATOR_HELP)
    return EXIT.ok
  }
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--port must be a number from 0 to 65535, not "${values.port}".`)
  let config: unknown
  if (values.config !== undefined) {
    try {
      config = JSON.parse(await readFile(values.config, 'utf8'))
    } catch (error) {
      throw new CliError(`Cannot read --config ${values.config}: ${(error as Error).message}`, EXIT.configuration)
    }
  }
  let emulator
  try {
    emulator = await startEmulator({
      port,
      config: config as never,
      autoApprove: values['auto-approve'] ? true : undefined,
      log: values.quiet ? undefined : (line) => io.stderr(`${new Date().toISOString()} ${line}\n`),
    })
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.configuration)
  }
  const { config: c } = emulator
  const tenant = c.tenants[0]!
  const lines = [
    `Entra emulator listening on ${emulator.url}`,
    `  authority      ${emulator.authority()}   (also ${emulator.url}/${tenant.domains[0] ?? tenant.id}, ${emulator.url}/organizations)`,
    `  discovery      ${emulator.authority()}/v2.0/.well-known/openid-configuration`,
    `  device login   ${emulator.url}/devicelogin`,
    `  Graph API      ${emulator.url}/v1.0/me`,
    `  users          ${c.users.map((u) => `${u.username} (password ${u.password})`).join(', ') || 'none'}`,
    ...c.clients.map((cl) => `  client         ${cl.clientId}  ${cl.name} (${cl.type})`),
  ]
  if (values.config === undefined) {
    lines.push(
      '',
      'Try:',
      `  ENTRA_OAUTH_CLIENT_SECRET='${DEFAULTS.daemonSecret}' entra-oauth token --authority ${emulator.authority()} --client-id ${DEFAULTS.daemonClientId}`,
      `  entra-oauth token --authority ${emulator.authority()} --client-id ${DEFAULTS.publicClientId} --device-code`,
    )
  }
  io.stdout(`${lines.join('\n')}\n`)
  await new Promise<void>((resolve) => {
    const stop = () => resolve()
    if (io.signal) {
      if (io.signal.aborted) resolve()
      io.signal.addEventListener('abort', stop, { once: true })
    } else {
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
    }
  })
  await emulator.close()
  io.stderr('Emulator stopped.\n')
  return EXIT.ok
}
