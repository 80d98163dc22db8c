/**
 * `createFileCachePlugin`: the token cache kept in one JSON file shared safely by several
 * processes (atomic writes, mode 0600, a cross-process lock, merge on write; see
 * file-persistence.ts for how). This front is all an app loads at start-up; the file and lock
 * machinery loads on the first cache access, and not at all in apps that do not use it.
 *
 * @example
 * ```ts
 * import { PublicClientApplication, createFileCachePlugin } from 'entra-oauth'
 * const pca = new PublicClientApplication({
 *   auth: { clientId: '...' },
 *   cache: { cachePlugin: createFileCachePlugin({ path: `${os.homedir()}/.my-cli/msal-cache.json` }) },
 * })
 * ```
 * @see https://learn.microsoft.com/entra/msal/javascript/node/caching
 */
import { ClientAuthError } from '../errors.js'
import type { FilePersistence } from './file-persistence.js'
import type { CachePlugin, TokenCacheContext } from './token-cache.js'

export interface FileCachePluginOptions {
  /** The cache file. Its directory is created (mode 0700) when missing. */
  path: string
  /**
   * What to do when the file is not a valid cache: `'error'` (default) throws
   * `ClientAuthError('cache_corrupt')`; `'backup'` renames it to `<path>.corrupt-<ms>` and
   * starts with an empty cache.
   */
  onCorrupt?: 'error' | 'backup' | undefined
  /** How long to wait for another process's lock before failing with `cache_locked` (default 10 s). */
  lockTimeoutMs?: number | undefined
  /** A lock older than this is taken to be abandoned, even if its pid is alive (default 60 s). */
  staleLockMs?: number | undefined
  /** Receives notices (a broken stale lock, a corrupt file set aside); defaults to `process.emitWarning`. */
  onWarning?: ((message: string) => void) | undefined
}

/** The msal-node cache plugin for a shared cache file. */
export class FileCachePlugin implements CachePlugin {
  readonly path: string
  readonly lockPath: string
  readonly #options: FileCachePluginOptions
  #persistence: Promise<FilePersistence> | undefined

  /** @throws ClientAuthError `cache_error` when `path` is missing. */
  constructor(options: FileCachePluginOptions) {
    if (typeof options?.path !== 'string' || options.path === '') {
      throw new ClientAuthError('cache_error', 'createFileCachePlugin needs { path }: the file to keep the token cache in.')
    }
    this.#options = { ...options }
    this.path = options.path
    this.lockPath = `${options.path}.lockfile`
  }

  /** Loads the file into the cache when another process changed it since this one last looked. */
  async beforeCacheAccess(context: TokenCacheContext): Promise<void> {
    return (await this.#load()).beforeCacheAccess(context)
  }

  /** Writes the cache when this access changed it: locked read, three-way merge, atomic replace. */
  async afterCacheAccess(context: TokenCacheContext): Promise<void> {
    return (await this.#load()).afterCacheAccess(context)
  }

  #load(): Promise<FilePersistence> {
    this.#persistence ??= import('./file-persistence.js').then((m) => new m.FilePersistence(this.#options))
    return this.#persistence
  }
}

/** A file cache plugin for `cache.cachePlugin`. See {@link FileCachePlugin}. */
export function createFileCachePlugin(options: FileCachePluginOptions): FileCachePlugin {
  return new FileCachePlugin(options)
}
