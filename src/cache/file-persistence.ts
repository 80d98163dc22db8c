/**
 * How the file cache plugin (file-cache-plugin.ts, loaded first) keeps the token cache in one
 * JSON file (the MSAL unified schema, so MSAL and the Azure CLI can read it), shared safely by
 * several processes:
 *
 * - writes are atomic: a temporary file in the same directory, fsync, rename over the cache,
 *   fsync of the directory. A reader, or a crash at any moment, sees the old file or the new
 *   one, never half of one. The file is created with mode 0600.
 * - a write is a read-modify-write under a cross-process lock (`<file>.lockfile`, created with
 *   O_CREAT|O_EXCL and holding the owner's pid, the convention MSAL's extensions share). What
 *   another process wrote since this one last read the file is merged, not overwritten; what
 *   this process removed stays removed. A lock left by a dead process (pid gone) or older than
 *   `staleLockMs` is broken.
 * - reads take no lock (renames are atomic) and cost one `stat` when the file has not changed.
 * - a corrupt or unreadable file is an error (`cache_corrupt` / `cache_error`), or, with
 *   `onCorrupt: 'backup'`, moved aside to `<file>.corrupt-<time>` and started afresh. It is
 *   never silently emptied.
 */
import { randomBytes } from 'node:crypto'
import { link, mkdir, open, readdir, readFile, rename, stat, unlink, type FileHandle } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { ClientAuthError } from '../errors.js'
import { bag, CACHE_SECTIONS, parseCache, put } from './serialization.js'
import type { FileCachePluginOptions } from './file-cache-plugin.js'
import type { CachePlugin, TokenCacheContext } from './token-cache.js'

const EMPTY_CACHE = '{"Account":{},"IdToken":{},"AccessToken":{},"RefreshToken":{},"AppMetadata":{}}'
const LOCK_RETRY_MS = 15

interface FileState {
  /** The file's contents; '' when it does not exist. */
  text: string
  /** Identifies this version of the file (inode, size, mtime); 'absent' when it does not exist. */
  signature: string
}

/**
 * The implementation behind `FileCachePlugin` (file-cache-plugin.ts), which loads this module on
 * the first cache access. See the module comment.
 */
export class FilePersistence implements CachePlugin {
  readonly path: string
  readonly lockPath: string
  readonly #onCorrupt: 'error' | 'backup'
  readonly #lockTimeoutMs: number
  readonly #staleLockMs: number
  readonly #warn: (message: string) => void
  /** The file as this process last read or wrote it: the common ancestor of a three-way merge. */
  #base = ''
  #signature: string | undefined
  /** Serializes before→after sections of this process, so no access sees another's half-done work. */
  #queue: Promise<void> = Promise.resolve()
  #release: (() => void) | undefined

  /** Options already checked by FileCachePlugin's constructor. */
  constructor(options: FileCachePluginOptions) {
    this.path = options.path
    this.lockPath = `${options.path}.lockfile`
    this.#onCorrupt = options.onCorrupt ?? 'error'
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000
    this.#staleLockMs = options.staleLockMs ?? 60_000
    this.#warn = options.onWarning ?? ((message) => process.emitWarning(message, 'EntraOAuthCacheWarning'))
  }

  /** Loads the file into the cache when another process changed it since this one last looked. */
  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    await this.#enter()
    try {
      const signature = await this.#statSignature()
      if (signature === this.#signature) return
      let file = await this.#read()
      try {
        context.tokenCache.deserialize(file.text === '' ? EMPTY_CACHE : file.text)
      } catch (error) {
        file = await this.#onCorruptFile(error, false)
        context.tokenCache.deserialize(file.text === '' ? EMPTY_CACHE : file.text)
      }
      this.#base = file.text
      this.#signature = file.signature
    } catch (error) {
      this.#leave()
      throw error
    }
  }

  /** Writes the cache when this access changed it: locked read, three-way merge, atomic replace. */
  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    try {
      if (!context.cacheHasChanged) return
      const ours = context.tokenCache.serialize()
      const unlock = await this.#lock()
      try {
        let theirs = await this.#read()
        if (theirs.text !== this.#base) {
          const invalid = validityError(theirs.text)
          if (invalid !== undefined) theirs = await this.#onCorruptFile(invalid, true)
        }
        const merged = theirs.text === this.#base ? ours : mergeCaches(this.#base, ours, theirs.text)
        await writeAtomically(this.path, merged)
        this.#base = merged
        this.#signature = await this.#statSignature()
        // Another process wrote meanwhile: take its entries too, so the next lookup sees them.
        if (merged !== ours) context.tokenCache.deserialize(merged)
      } finally {
        await unlock()
      }
    } finally {
      this.#leave()
    }
  }

  async #enter(): Promise<void> {
    const previous = this.#queue
    let release!: () => void
    this.#queue = new Promise<void>((resolve) => (release = resolve))
    await previous
    this.#release = release
  }

  #leave(): void {
    const release = this.#release
    this.#release = undefined
    release?.()
  }

  async #statSignature(): Promise<string> {
    try {
      return signatureOf(await stat(this.path, { bigint: true }))
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return 'absent'
      throw this.#unreadable(error)
    }
  }

  /** Reads the file and the signature of the very version read (fstat of the open handle). */
  async #read(): Promise<FileState> {
    let handle: FileHandle | undefined
    try {
      handle = await open(this.path, 'r')
      const signature = signatureOf(await handle.stat({ bigint: true }))
      return { text: await handle.readFile('utf8'), signature }
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return { text: '', signature: 'absent' }
      throw this.#unreadable(error)
    } finally {
      await handle?.close()
    }
  }

  #unreadable(error: unknown): ClientAuthError {
    return new ClientAuthError(
      'cache_error',
      `Cannot read the token cache file ${this.path} (${codeOf(error) ?? 'error'}). Check that it is a file this user can read and write.`,
      { cause: error },
    )
  }

  /** A corrupt file: an error, or (opted in) moved aside under the lock and replaced by an empty cache. */
  async #onCorruptFile(error: unknown, locked: boolean): Promise<FileState> {
    const detail = error instanceof ClientAuthError ? error.errorMessage : 'it is not valid JSON.'
    if (this.#onCorrupt === 'error') {
      throw new ClientAuthError(
        'cache_corrupt',
        `The token cache file ${this.path} is not a valid MSAL cache: ${detail} Nothing was overwritten. Delete or repair the file, or create the plugin with onCorrupt: 'backup' to set it aside and start afresh.`,
        { cause: error },
      )
    }
    const unlock = locked ? async () => {} : await this.#lock()
    try {
      // Under the lock, look again: another process may have replaced it with a good file.
      const again = await this.#read()
      if (validityError(again.text) === undefined) return again
      const backup = `${this.path}.corrupt-${Date.now()}`
      await rename(this.path, backup)
      this.#warn(`The token cache file ${this.path} was not a valid MSAL cache (${detail}); it was moved to ${backup} and the cache starts empty.`)
      return { text: '', signature: 'absent' }
    } finally {
      await unlock()
    }
  }

  /** Takes the cross-process lock: `<file>.lockfile`, created exclusively, holding our pid. */
  async #lock(): Promise<() => Promise<void>> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 })
    const deadline = Date.now() + this.#lockTimeoutMs
    for (;;) {
      try {
        const handle = await open(this.lockPath, 'wx', 0o600)
        let ino: bigint
        try {
          await handle.writeFile(String(process.pid))
          ino = (await handle.stat({ bigint: true })).ino
        } finally {
          await handle.close()
        }
        return () => this.#unlock(ino)
      } catch (error) {
        if (codeOf(error) !== 'EEXIST') {
          throw new ClientAuthError('cache_error', `Cannot create the lock file ${this.lockPath} (${codeOf(error) ?? 'error'}). Check that its directory is writable.`, { cause: error })
        }
      }
      if (await this.#breakIfStale()) continue
      if (Date.now() >= deadline) {
        const holder = await readFile(this.lockPath, 'utf8').catch(() => '')
        throw new ClientAuthError(
          'cache_locked',
          `The token cache ${this.path} stayed locked for ${this.#lockTimeoutMs} ms by ${holder ? `process ${holder.trim().split(/\s/)[0]}` : 'another process'}. If no such process is running, delete ${this.lockPath}.`,
        )
      }
      await sleep(LOCK_RETRY_MS + Math.floor(Math.random() * LOCK_RETRY_MS))
    }
  }

  async #unlock(ino: bigint): Promise<void> {
    try {
      // Only our own lock: if ours was broken as stale, the file there now belongs to someone else.
      if ((await stat(this.lockPath, { bigint: true })).ino === ino) await unlink(this.lockPath)
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error
    }
  }

  /**
   * Breaks a lock whose pid is dead, or which is older than `staleLockMs`. The lock is renamed
   * away first (atomic: one contender wins) and deleted only if the file renamed is the one
   * judged stale; had a fresh lock taken its place meanwhile, it is linked back.
   * @returns true when the caller should try to lock again at once.
   */
  /** A writer killed mid-write leaves its temporary file behind (never the cache itself): tidy it. */
  async #removeTempFilesOf(pid: number): Promise<void> {
    const prefix = `.${basename(this.path)}.${pid}.`
    const names = await readdir(dirname(this.path)).catch(() => [] as string[])
    for (const name of names) if (name.startsWith(prefix) && name.endsWith('.tmp')) await unlink(join(dirname(this.path), name)).catch(() => undefined)
  }

  async #breakIfStale(): Promise<boolean> {
    let judged
    let holder: string
    try {
      judged = await stat(this.lockPath, { bigint: true })
      holder = await readFile(this.lockPath, 'utf8')
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return true
      throw error
    }
    const pid = Number.parseInt(holder, 10)
    const ageMs = Date.now() - Number(judged.mtimeMs)
    const dead = Number.isInteger(pid) && pid > 0 && !isAlive(pid)
    if (!dead && ageMs < this.#staleLockMs) return false
    const aside = `${this.lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      await rename(this.lockPath, aside)
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return true
      throw error
    }
    const moved = await stat(aside, { bigint: true })
    if (moved.ino !== judged.ino) {
      await link(aside, this.lockPath).catch(() => undefined)
      await unlink(aside).catch(() => undefined)
      return false
    }
    await unlink(aside).catch(() => undefined)
    if (dead) await this.#removeTempFilesOf(pid)
    this.#warn(`Broke a stale lock on the token cache ${this.path} (held by ${dead ? `process ${pid}, which is gone` : `a lock ${Math.round(ageMs / 1000)} s old`}).`)
    return true
  }
}

/**
 * Writes `text` to `path` so that any reader, and any crash, sees either the old file or the
 * new one: a temporary file in the same directory (mode 0600), fsync, rename, fsync of the
 * directory (so the rename itself survives a power cut).
 */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const dir = dirname(path)
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  const handle = await open(temp, 'wx', 0o600)
  try {
    try {
      await handle.chmod(0o600)
      await handle.writeFile(text, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw new ClientAuthError('cache_error', `Cannot write the token cache file ${path} (${codeOf(error) ?? 'error'}). Check that its directory is writable and not full.`, { cause: error })
  }
  await syncDirectory(dir)
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined
  try {
    handle = await open(dir, 'r')
    await handle.sync()
  } catch {
    // Some platforms (Windows) and filesystems cannot fsync a directory; the rename stands.
  } finally {
    await handle?.close()
  }
}

type Json = Record<string, unknown>

function parseObject(text: string): Json {
  if (text === '') return {}
  const value: unknown = JSON.parse(text)
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {}
}

/** JSON with keys sorted at every level: two entries are "the same" whatever their writer's field order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Json).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  )
}

/**
 * Three-way merge of cache files, entry by entry: `base` is the file as this process last saw
 * it, `ours` what it holds now, `theirs` the file as it is now. Entries this process added or
 * changed win; entries it removed stay removed; everything else is as `theirs` has it.
 */
export function mergeCaches(baseText: string, oursText: string, theirsText: string): string {
  const base = parseObject(baseText)
  const ours = parseObject(oursText)
  const theirs = parseObject(theirsText)
  // Names come from files: own-property checks and `put`, so `__proto__`, `constructor` and the
  // like are entries and sections like any other (see serialization.ts).
  const out = bag()
  const names = new Set([...CACHE_SECTIONS, ...Object.keys(theirs), ...Object.keys(ours)])
  for (const name of names) {
    const b = own(base, name)
    const o = own(ours, name)
    const t = own(theirs, name)
    if (!isObject(o) || !isObject(t) || !(CACHE_SECTIONS as readonly string[]).includes(name)) {
      // A section that is not a map of entries: ours if we changed it, else theirs.
      const value = canonical(o) !== canonical(b) ? o : t
      if (value !== undefined) put(out, name, value)
      continue
    }
    const bs = isObject(b) ? b : bag()
    const merged = Object.assign(bag(), t)
    for (const key of Object.keys(bs)) if (!Object.hasOwn(o, key)) delete merged[key]
    for (const [key, entry] of Object.entries(o)) {
      if (!Object.hasOwn(bs, key) || canonical(entry) !== canonical(bs[key])) put(merged, key, entry)
    }
    put(out, name, merged)
  }
  return JSON.stringify(out)
}

/** Why `text` is not a loadable cache, or undefined when it is (an absent file is an empty cache). */
function validityError(text: string): unknown {
  if (text === '') return undefined
  try {
    parseCache(text)
    return undefined
  } catch (error) {
    return error
  }
}

/** `object[name]` if it is the object's own (a file's `toString` entry is not a function). */
function own(object: Json, name: string): unknown {
  return Object.hasOwn(object, name) ? object[name] : undefined
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function signatureOf(st: { ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists, under another user.
    return codeOf(error) === 'EPERM'
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
