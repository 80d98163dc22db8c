/**
 * A separate process writing app tokens into a shared cache file through the file plugin.
 *   node --import tsx writer.ts <cache path> <worker id> <count> [secret size]
 * count 0 means "forever" (until killed). Prints "wrote <n>" after each write.
 */
import { createFileCachePlugin } from '../../../src/cache/file-cache-plugin.js'
import { TokenCache } from '../../../src/cache/token-cache.js'

const [path, id, countArg, sizeArg] = process.argv.slice(2)
if (path === undefined || id === undefined || countArg === undefined) throw new Error('usage: writer.ts <path> <id> <count> [secret size]')
const count = Number(countArg)
const padding = 'x'.repeat(Number(sizeArg ?? 0))
const cache = new TokenCache({ cachePlugin: createFileCachePlugin({ path, lockTimeoutMs: 20_000 }) })

for (let i = 0; count === 0 || i < count; i++) {
  const now = Math.floor(Date.now() / 1000)
  await cache.access((s) =>
    s.setAccessToken({
      homeAccountId: '',
      environment: 'login.windows.net',
      clientId: 'multi-process-client',
      realm: `tenant-${id}-${i}`,
      target: 'https://graph.microsoft.com/.default',
      secret: `secret-${id}-${i}-${padding}`,
      cachedAt: now,
      expiresOn: now + 3600,
      extendedExpiresOn: now + 3600,
      tokenType: 'Bearer',
    }),
  )
  process.stdout.write(`wrote ${i + 1}\n`)
}
