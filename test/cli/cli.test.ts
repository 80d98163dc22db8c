/**
 * The `entra-oauth` command, run in-process through `main()` against the emulator over real
 * loopback HTTP, with its cache in a temporary file: JSON a script can parse, a second call
 * served from the cache file, device code sign-in then silent use, accounts and logout, decode,
 * help and exit codes, one-line errors without secrets.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { main } from '../../src/cli/cli.js'
import { EXIT, defaultCacheFile, type CliIo } from '../../src/cli/io.js'
import { DEFAULTS, defaultConfig, startEmulator, type Emulator } from '../../src/emulator/index.js'
import { passLoopbackThrough } from '../emulator/loopback.js'

const fixture = (name: string) => readFile(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8')

let emulator: Emulator
let dir: string
beforeAll(async () => {
  emulator = await startEmulator({ autoApprove: true, config: { ...defaultConfig(), deviceCodeInterval: 1 } })
  dir = await mkdtemp(join(tmpdir(), 'entra-oauth-cli-'))
})
afterAll(async () => {
  await emulator.close()
  await rm(dir, { recursive: true, force: true })
})
passLoopbackThrough()

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function run(argv: string[], options: { env?: Record<string, string>; stdin?: string; signal?: AbortSignal } = {}): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
    signal: options.signal,
  }
  const code = await main(argv, io)
  return { code, stdout, stderr }
}

let n = 0
const freshCache = () => join(dir, `cache-${++n}`, 'token-cache.json')

describe('entra-oauth token, app-only', () => {
  it('prints JSON a script can parse; the second call is served from the cache file (0600)', async () => {
    const cache = freshCache()
    const args = ['token', '--authority', emulator.authority(), '--client-id', DEFAULTS.daemonClientId, '--cache-file', cache]
    const env = { ENTRA_OAUTH_CLIENT_SECRET: DEFAULTS.daemonSecret }
    const before = emulator.counters()['token:client_credentials'] ?? 0
    const first = await run(args, { env })
    expect(first).toMatchObject({ code: 0, stderr: '' })
    const out = JSON.parse(first.stdout) as Record<string, unknown>
    expect(out).toMatchObject({ tokenType: 'Bearer', tenant: DEFAULTS.tenantId, fromCache: false, account: null, scopes: ['https://graph.microsoft.com/.default'] })
    expect(Date.parse(out.expiresOn as string)).toBeGreaterThan(Date.now())
    expect(out.expires_on).toBe(Math.floor(Date.parse(out.expiresOn as string) / 1000))
    expect((await stat(cache)).mode & 0o777).toBe(0o600)
    expect(await readFile(cache, 'utf8')).toContain(out.accessToken as string)

    const second = await run(args, { env })
    expect(second.code).toBe(0)
    const again = JSON.parse(second.stdout) as Record<string, unknown>
    expect(again.fromCache).toBe(true)
    expect(again.accessToken).toBe(out.accessToken)
    expect(emulator.counters()['token:client_credentials']).toBe(before + 1)
  })

  it('reads the secret from stdin; --client-secret on the command line works with a warning', async () => {
    const base = ['token', '--authority', emulator.authority(), '--client-id', DEFAULTS.daemonClientId, '--cache-file', freshCache(), '--output', 'raw']
    const fromStdin = await run([...base, '--client-secret-stdin'], { stdin: `${DEFAULTS.daemonSecret}\n` })
    expect(fromStdin.code).toBe(0)
    expect(fromStdin.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    expect(fromStdin.stderr).toBe('')
    const plain = await run([...base, '--client-secret', DEFAULTS.daemonSecret, '--force-refresh'])
    expect(plain.code).toBe(0)
    expect(plain.stderr).toMatch(/^warning: a secret on the command line is visible/)
    expect(plain.stderr).not.toContain(DEFAULTS.daemonSecret)
  })

  it('authenticates with a PEM certificate file (key + certificate), thumbprint computed', async () => {
    const pem = join(dir, 'daemon.pem')
    await writeFile(pem, `${await fixture('rsa-pkcs8.pem')}${await fixture('rsa-cert.pem')}`, { mode: 0o600 })
    const res = await run(['token', '--authority', emulator.authority(), '--client-id', DEFAULTS.daemonClientId, '--certificate', pem, '--cache-file', freshCache(), '--output', 'raw'])
    expect(res.code).toBe(0)
    const claims = JSON.parse(Buffer.from(res.stdout.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
    expect(claims.azpacr).toBe('2')
  })

  it('a wrong secret: exit 4, one line with the AADSTS code and correlation id, no secret', async () => {
    const res = await run(['token', '--authority', emulator.authority(), '--client-id', DEFAULTS.daemonClientId, '--cache-file', freshCache()], { env: { ENTRA_OAUTH_CLIENT_SECRET: 'wrong-secret-value' } })
    expect(res.code).toBe(EXIT.server)
    expect(res.stdout).toBe('')
    expect(res.stderr.trimEnd().split('\n')).toHaveLength(1)
    expect(res.stderr).toMatch(/^entra-oauth token: invalid_client: AADSTS7000215: .*correlation id [0-9a-f-]{36}/)
    expect(res.stderr).not.toContain('wrong-secret-value')
  })

  it('a scope that is not {resource}/.default: exit 6 before anything is sent', async () => {
    const res = await run(['token', '--authority', emulator.authority(), '--client-id', DEFAULTS.daemonClientId, '--scope', 'User.Read', '--cache-file', freshCache()], { env: { ENTRA_OAUTH_CLIENT_SECRET: DEFAULTS.daemonSecret } })
    expect(res.code).toBe(EXIT.configuration)
    expect(res.stderr).toMatch(/\.default/)
  })
})

describe('the entra-oauth executable', () => {
  it('runs as a process (src/cli/main.ts through tsx), prints JSON, exits 0; the second process reads the cache file', async () => {
    const cache = freshCache()
    const exec = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url)), ...args],
          { env: { PATH: process.env.PATH, ENTRA_OAUTH_CLIENT_SECRET: DEFAULTS.daemonSecret, ENTRA_OAUTH_CACHE_FILE: cache }, timeout: 30_000 },
          (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr }),
        )
      })
    const args = ['token', '--authority', emulator.authority(), '--client-id', DEFAULTS.daemonClientId]
    const first = await exec(args)
    expect(first.code).toBe(0)
    const second = await exec(args)
    expect(second.code).toBe(0)
    expect(JSON.parse(second.stdout)).toMatchObject({ accessToken: (JSON.parse(first.stdout) as { accessToken: string }).accessToken, fromCache: true })
    const failed = await exec(['token', '--authority', emulator.authority(), '--client-id', '00000000-0000-0000-0000-00000000000a'])
    expect(failed.code).toBe(EXIT.server)
    expect(failed.stderr).toMatch(/AADSTS700016/)
  }, 60_000)
})

describe('entra-oauth token for a user, accounts, logout', () => {
  it('signs in by device code, then serves silently from the cache file; logout forgets the account', async () => {
    const cache = freshCache()
    const base = ['token', '--authority', emulator.authority(), '--client-id', DEFAULTS.publicClientId, '--cache-file', cache]

    const none = await run(base)
    expect(none.code).toBe(EXIT.signInRequired)
    expect(none.stderr).toMatch(/--device-code or --interactive/)

    const signIn = await run([...base, '--device-code', '--scope', 'User.Read'])
    expect(signIn.code).toBe(0)
    expect(signIn.stderr).toMatch(/enter the code [A-Z2-9]{9}/)
    const first = JSON.parse(signIn.stdout) as Record<string, unknown>
    expect(first).toMatchObject({ account: DEFAULTS.users[0]!.username, fromCache: false, tenant: DEFAULTS.tenantId })

    const silent = await run(base)
    expect(silent.code).toBe(0)
    expect(JSON.parse(silent.stdout)).toMatchObject({ accessToken: first.accessToken, fromCache: true })

    const accounts = await run(['accounts', '--cache-file', cache])
    expect(JSON.parse(accounts.stdout)).toEqual([
      { username: DEFAULTS.users[0]!.username, name: DEFAULTS.users[0]!.name, homeAccountId: `${DEFAULTS.users[0]!.id}.${DEFAULTS.tenantId}`, tenantId: DEFAULTS.tenantId, environment: new URL(emulator.url).host },
    ])
    expect((await run(['accounts', '--cache-file', cache, '-o', 'raw'])).stdout).toBe(`${DEFAULTS.users[0]!.username}\n`)

    const logout = await run(['logout', '--account', DEFAULTS.users[0]!.username, '--cache-file', cache])
    expect(logout.code).toBe(0)
    expect(JSON.parse((await run(['accounts', '--cache-file', cache])).stdout)).toEqual([])
    expect((await run(base)).code).toBe(EXIT.signInRequired)
  })
})

describe('entra-oauth token --interactive', () => {
  it('opens the sign-in page, follows the redirect to the loopback listener, prints the token', async () => {
    const cache = freshCache()
    let stdout = ''
    let stderr = ''
    const visited: string[] = []
    const io: CliIo = {
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      readStdin: async () => '',
      env: {},
      // A browser in two requests: the emulator auto-approves and redirects to the library's listener.
      openBrowser: async (url) => {
        visited.push(url)
        const signIn = await fetch(url, { redirect: 'manual' })
        const landing = signIn.headers.get('location')!
        visited.push(landing)
        void fetch(landing).then((r) => r.text())
      },
    }
    const code = await main(['token', '--authority', emulator.authority(), '--client-id', DEFAULTS.publicClientId, '--interactive', '--account', DEFAULTS.users[1]!.username, '--cache-file', cache], io)
    expect(code).toBe(0)
    expect(stderr).toMatch(/Opening the browser/)
    expect(new URL(visited[0]!).searchParams.get('login_hint')).toBe(DEFAULTS.users[1]!.username)
    expect(new URL(visited[1]!).hostname).toMatch(/^(localhost|127\.0\.0\.1)$/)
    expect(JSON.parse(stdout)).toMatchObject({ account: DEFAULTS.users[1]!.username, fromCache: false })
  })
})

describe('entra-oauth decode', () => {
  it('shows header, claims and times of a token from stdin or the argument', async () => {
    const token = (await run(['token', '--authority', emulator.authority(), '--client-id', DEFAULTS.daemonClientId, '--cache-file', freshCache(), '-o', 'raw'], { env: { ENTRA_OAUTH_CLIENT_SECRET: DEFAULTS.daemonSecret } })).stdout
    const fromStdin = await run(['decode'], { stdin: token })
    expect(fromStdin.code).toBe(0)
    const out = JSON.parse(fromStdin.stdout) as { header: Record<string, unknown>; claims: Record<string, unknown>; times: Record<string, string>; signature: string }
    expect(out.header).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: expect.any(String) })
    expect(out.claims).toMatchObject({ aud: 'https://graph.microsoft.com', tid: DEFAULTS.tenantId })
    expect(out.times.status).toMatch(/^valid for \d+ more minutes$/)
    expect(out.signature).toBe('not verified')
    const raw = await run(['decode', token.trim(), '-o', 'raw'])
    expect(JSON.parse(raw.stdout)).toEqual(out.claims)
    const bad = await run(['decode', 'not-a-jwt'])
    expect(bad.code).toBe(EXIT.failure)
    expect(bad.stderr).toMatch(/not a JWT/)
  })
})

describe('help, usage and exit codes', () => {
  it('--help works on every command; unknown commands and options are usage errors (2)', async () => {
    const top = await run(['--help'])
    expect(top.code).toBe(0)
    expect(top.stdout).toMatch(/Exit codes:/)
    for (const command of ['token', 'accounts', 'logout', 'decode', 'emulator']) {
      const res = await run([command, '--help'])
      expect(res.code).toBe(0)
      expect(res.stdout).toMatch(new RegExp(`^Usage: entra-oauth ${command}`))
    }
    expect((await run([])).code).toBe(EXIT.usage)
    const unknown = await run(['tokens'])
    expect(unknown.code).toBe(EXIT.usage)
    expect(unknown.stderr).toMatch(/unknown command "tokens"/)
    const badOption = await run(['token', '--client-id', DEFAULTS.daemonClientId, '--scopes', 'x'])
    expect(badOption.code).toBe(EXIT.usage)
    expect(badOption.stderr).toMatch(/^entra-oauth token: Unknown option '--scopes'/)
    expect((await run(['token'])).stderr).toMatch(/--client-id is required/)
    expect((await run(['token', '--client-id', 'x', '--output', 'yaml'])).code).toBe(EXIT.usage)
    expect((await run(['logout'])).code).toBe(EXIT.usage)
  })

  it('keeps the cache under XDG_CACHE_HOME, ~/.cache, or $ENTRA_OAUTH_CACHE_FILE', () => {
    expect(defaultCacheFile({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u')).toBe('/x/cache/entra-oauth/token-cache.json')
    expect(defaultCacheFile({}, 'linux', '/home/u')).toBe('/home/u/.cache/entra-oauth/token-cache.json')
    expect(defaultCacheFile({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.cache/entra-oauth/token-cache.json')
    expect(defaultCacheFile({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Caches/entra-oauth/token-cache.json')
    expect(defaultCacheFile({ ENTRA_OAUTH_CACHE_FILE: '/tmp/c.json' }, 'linux', '/home/u')).toBe('/tmp/c.json')
  })
})

describe('entra-oauth emulator', () => {
  it('starts on the given port, serves discovery, and stops when signalled', async () => {
    const stop = new AbortController()
    let printed = ''
    const io: CliIo = { stdout: (t) => (printed += t), stderr: () => {}, readStdin: async () => '', env: {}, signal: stop.signal }
    const running = main(['emulator', '--port', '0', '--quiet'], io)
    for (let i = 0; i < 200 && !printed.includes('listening'); i++) await new Promise((r) => setTimeout(r, 10))
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(printed)![1]!
    const doc = (await (await fetch(`${url}/${DEFAULTS.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as Record<string, string>
    expect(doc.issuer).toBe(`${url}/${DEFAULTS.tenantId}/v2.0`)
    stop.abort()
    expect(await running).toBe(0)
    await expect(fetch(`${url}/`)).rejects.toThrow()
  })

  it('refuses an invalid --config with exit 6', async () => {
    const file = join(dir, 'bad-config.json')
    await writeFile(file, JSON.stringify({ tenants: [{ id: 'nope' }] }))
    const res = await run(['emulator', '--config', file])
    expect(res.code).toBe(EXIT.configuration)
    expect(res.stderr).toMatch(/tenants\.0\.id: must be a GUID/)
  })
})
