import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createFileCachePlugin } from '../../src/cache/file-cache-plugin.js'
import { mergeCaches } from '../../src/cache/file-persistence.js'
import type { AccessTokenRecord } from '../../src/cache/records.js'
import { parseCache } from '../../src/cache/serialization.js'
import { TokenCache } from '../../src/cache/token-cache.js'
import { ClientAuthError } from '../../src/errors.js'

const WRITER = fileURLToPath(new URL('./workers/writer.ts', import.meta.url))
const NOW = Math.floor(Date.now() / 1000)

let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'entra-oauth-cache-'))
  file = join(dir, 'msal-cache.json')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function appToken(realm: string, secret = `secret-for-${realm}`): AccessTokenRecord {
  return {
    homeAccountId: '',
    environment: 'login.windows.net',
    clientId: 'client-1',
    realm,
    target: 'https://graph.microsoft.com/.default',
    secret,
    cachedAt: NOW,
    expiresOn: NOW + 3600,
    extendedExpiresOn: NOW + 3600,
    tokenType: 'Bearer',
  }
}

function find(cache: TokenCache, realm: string): AccessTokenRecord | undefined {
  return cache.store.findAccessToken({ homeAccountId: '', environment: 'login.microsoftonline.com', clientId: 'client-1', realm, scopes: ['https://graph.microsoft.com/.default'] })
}

function realmsInFile(): string[] {
  return parseCache(readFileSync(file, 'utf8'))
    .accessTokens.map((r) => r.realm)
    .sort()
}

function cacheWithFile(options: Partial<Parameters<typeof createFileCachePlugin>[0]> = {}): TokenCache {
  return new TokenCache({ cachePlugin: createFileCachePlugin({ path: file, ...options }) })
}

async function expectRejects(promise: Promise<unknown>): Promise<ClientAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ClientAuthError)
  return error as ClientAuthError
}

describe('file cache plugin', () => {
  it('writes the cache atomically to a 0600 file that a new process-like instance loads', async () => {
    const cache = cacheWithFile()
    await cache.access((s) => s.setAccessToken(appToken('tenant-a')))

    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir).sort()).toEqual(['msal-cache.json']) // no temp file, no lock left behind
    const json = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, { secret: string; expires_on: string }>>
    expect(Object.keys(json)).toEqual(['Account', 'IdToken', 'AccessToken', 'RefreshToken', 'AppMetadata'])
    expect(Object.values(json['AccessToken'] ?? {})[0]).toMatchObject({ secret: 'secret-for-tenant-a', expires_on: String(NOW + 3600) })

    const other = cacheWithFile()
    expect(await other.access((s) => s.accessTokenCount)).toBe(1)
    expect(find(other, 'tenant-a')?.secret).toBe('secret-for-tenant-a')
  })

  it('does not rewrite the file on reads, nor reread it while it is unchanged', async () => {
    const cache = cacheWithFile()
    await cache.access((s) => s.setAccessToken(appToken('tenant-a')))
    const before = statSync(file, { bigint: true })
    expect(await cache.access((s) => find({ store: s } as TokenCache, 'tenant-a')?.secret)).toBe('secret-for-tenant-a')
    const after = statSync(file, { bigint: true })
    expect(after.ino).toBe(before.ino)
    expect(after.mtimeNs).toBe(before.mtimeNs)
  })

  it('merges with what another writer stored meanwhile, and keeps its own deletions', async () => {
    const a = cacheWithFile()
    const b = cacheWithFile()
    await a.access((s) => s.setAccessToken(appToken('tenant-a')))
    await b.access((s) => s.setAccessToken(appToken('tenant-b')))
    expect(realmsInFile()).toEqual(['tenant-a', 'tenant-b'])
    // a never reread the file since its own write; its next write still keeps b's token.
    await a.access((s) => s.setAccessToken(appToken('tenant-c')))
    expect(realmsInFile()).toEqual(['tenant-a', 'tenant-b', 'tenant-c'])
    expect(find(a, 'tenant-b')?.secret).toBe('secret-for-tenant-b') // a took b's entry into memory too

    // a removes tenant-a while b, holding a stale view, adds tenant-d: tenant-a stays deleted.
    await a.access((s) => {
      const record = find({ store: s } as TokenCache, 'tenant-a')
      if (record) s.removeAccessToken(record)
    })
    await b.access((s) => s.setAccessToken(appToken('tenant-d')))
    expect(realmsInFile()).toEqual(['tenant-b', 'tenant-c', 'tenant-d'])
  })

  it('three-way merge: ours wins where we changed, theirs elsewhere, deletions on both sides stick', () => {
    const entry = (secret: string): Record<string, string> => ({ secret })
    const base = JSON.stringify({ AccessToken: { k1: entry('1'), k2: entry('2'), k3: entry('3') }, Custom: { x: 1 } })
    const ours = JSON.stringify({ AccessToken: { k1: entry('1-ours'), k2: entry('2'), k4: entry('4') }, Custom: { x: 1 } })
    const theirs = JSON.stringify({ AccessToken: { k2: entry('2-theirs'), k3: entry('3'), k5: entry('5') }, Custom: { x: 2 } })
    const merged = JSON.parse(mergeCaches(base, ours, theirs)) as Record<string, Record<string, unknown>>
    // k1 changed by us (and deleted by them): ours. k2 changed by them: theirs. k3 deleted by us. k4 ours, k5 theirs.
    expect(merged['AccessToken']).toEqual({ k2: entry('2-theirs'), k5: entry('5'), k1: entry('1-ours'), k4: entry('4') })
    expect(merged['Custom']).toEqual({ x: 2 })
  })

  it('a corrupt file is an error naming the file, and is left untouched', async () => {
    writeFileSync(file, '{"AccessToken": {"k": {"secret": "do-not-leak-this"')
    const cache = cacheWithFile()
    const error = await expectRejects(cache.access((s) => s.accessTokenCount))
    expect(error.errorCode).toBe('cache_corrupt')
    expect(error.message).toContain(file)
    expect(error.message).toContain('onCorrupt')
    expect(String(error)).not.toContain('do-not-leak-this')
    expect(readFileSync(file, 'utf8')).toBe('{"AccessToken": {"k": {"secret": "do-not-leak-this"')
    // A write is refused too: nothing overwrites the damaged file.
    await expectRejects(cache.access((s) => s.setAccessToken(appToken('tenant-a'))))
    expect(readFileSync(file, 'utf8')).toContain('do-not-leak-this')
  })

  it('a file that is JSON but not a cache is corrupt too, naming the entry and field', async () => {
    writeFileSync(file, JSON.stringify({ AccessToken: { key1: { credential_type: 'AccessToken', secret: 's', environment: 'e', client_id: 'c', target: 't', cached_at: 'soon' } } }))
    const error = await expectRejects(cacheWithFile().access((s) => s.accessTokenCount))
    expect(error.errorCode).toBe('cache_corrupt')
    expect(error.message).toContain('AccessToken entry "key1"')
    expect(error.message).toContain('cached_at')
  })

  it("with onCorrupt: 'backup' a corrupt file is moved aside and the cache starts empty", async () => {
    writeFileSync(file, 'not json at all')
    const warnings: string[] = []
    const cache = cacheWithFile({ onCorrupt: 'backup', onWarning: (m) => warnings.push(m) })
    expect(await cache.access((s) => s.accessTokenCount)).toBe(0)
    const backups = readdirSync(dir).filter((f) => f.startsWith('msal-cache.json.corrupt-'))
    expect(backups).toHaveLength(1)
    expect(readFileSync(join(dir, backups[0] as string), 'utf8')).toBe('not json at all')
    expect(warnings.join()).toContain(backups[0])
    await cache.access((s) => s.setAccessToken(appToken('tenant-a')))
    expect(realmsInFile()).toEqual(['tenant-a'])
  })

  it('an unreadable path is a cache_error, not an empty cache', async () => {
    mkdirSync(file) // a directory where the file should be
    const error = await expectRejects(cacheWithFile().access((s) => s.accessTokenCount))
    expect(error.errorCode).toBe('cache_error')
    expect(error.message).toContain(file)
  })

  it('breaks a lock whose process is gone', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    const deadPid = child.pid as number
    await new Promise((resolve) => child.once('exit', resolve))
    writeFileSync(`${file}.lockfile`, String(deadPid))
    const warnings: string[] = []
    const cache = cacheWithFile({ lockTimeoutMs: 2000, onWarning: (m) => warnings.push(m) })
    await cache.access((s) => s.setAccessToken(appToken('tenant-a')))
    expect(realmsInFile()).toEqual(['tenant-a'])
    expect(existsSync(`${file}.lockfile`)).toBe(false)
    expect(warnings.join()).toContain(`process ${deadPid}`)
  })

  it('waits for a live lock, then fails with cache_locked naming the holder', async () => {
    writeFileSync(`${file}.lockfile`, String(process.pid))
    const cache = cacheWithFile({ lockTimeoutMs: 150 })
    const error = await expectRejects(cache.access((s) => s.setAccessToken(appToken('tenant-a'))))
    expect(error.errorCode).toBe('cache_locked')
    expect(error.message).toContain(`process ${process.pid}`)
    expect(existsSync(file)).toBe(false)
  })

  it('breaks a lock older than staleLockMs even if its pid is alive', async () => {
    const lock = `${file}.lockfile`
    writeFileSync(lock, String(process.pid))
    const old = new Date(Date.now() - 120_000)
    utimesSync(lock, old, old)
    const cache = cacheWithFile({ lockTimeoutMs: 2000, staleLockMs: 60_000, onWarning: () => {} })
    await cache.access((s) => s.setAccessToken(appToken('tenant-a')))
    expect(realmsInFile()).toEqual(['tenant-a'])
  })

  it('serializes concurrent accesses within one process', async () => {
    const cache = cacheWithFile()
    await Promise.all(Array.from({ length: 20 }, (_, i) => cache.access((s) => s.setAccessToken(appToken(`tenant-${i}`)))))
    expect(realmsInFile()).toHaveLength(20)
  })
})

function runWriter(id: number, count: number, size = 0): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', WRITER, file, String(id), String(count), String(size)], { stdio: ['ignore', 'pipe', 'pipe'] })
}

function exited(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let stderr = ''
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`worker ${child.pid} did not finish within ${timeoutMs} ms: ${stderr}`))
    }, timeoutMs)
    child.once('exit', (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stderr })
    })
  })
}

describe('file cache plugin across processes', () => {
  it('8 processes writing 50 tokens each to one file end with all 400 present and the file valid', async () => {
    const workers = Array.from({ length: 8 }, (_, id) => runWriter(id, 50))
    const results = await Promise.all(workers.map((w) => exited(w, 60_000)))
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0, signal: null })

    const parsed = parseCache(readFileSync(file, 'utf8'))
    expect(parsed.accessTokens).toHaveLength(400)
    const expected = Array.from({ length: 8 }, (_, id) => Array.from({ length: 50 }, (_, i) => `tenant-${id}-${i}`)).flat()
    expect(new Set(parsed.accessTokens.map((r) => r.realm))).toEqual(new Set(expected))
    expect(readdirSync(dir).filter((f) => f !== 'msal-cache.json')).toEqual([]) // no lock or temp file left
  }, 90_000)

  it('a writer killed with SIGKILL mid-write leaves a valid file, and its lock is recovered', async () => {
    // Big secrets make each write take long enough to be caught in the middle of one.
    const child = runWriter(9, 0, 64 * 1024)
    const done = exited(child, 60_000)
    let writes = 0
    await new Promise<void>((resolve) => {
      child.stdout?.on('data', (d: Buffer) => {
        writes += (d.toString().match(/wrote/g) ?? []).length
        if (writes >= 5) resolve()
      })
    })
    child.kill('SIGKILL')
    expect((await done).signal).toBe('SIGKILL')

    const parsed = parseCache(readFileSync(file, 'utf8'))
    expect(parsed.accessTokens.length).toBeGreaterThanOrEqual(5)
    // Whether or not it died holding the lock, the next writer gets through.
    const cache = cacheWithFile({ lockTimeoutMs: 5000, onWarning: () => {} })
    await cache.access((s) => s.setAccessToken(appToken('after-kill')))
    const after = parseCache(readFileSync(file, 'utf8'))
    expect(after.accessTokens.length).toBe(parsed.accessTokens.length + 1)
    // No lock and no temporary file of the dead writer is left behind.
    expect(readdirSync(dir)).toEqual(['msal-cache.json'])
  }, 90_000)
})
