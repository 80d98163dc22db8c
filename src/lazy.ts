/**
 * Loading on first use. Modules that only some calls need (zod behind the response parsers,
 * jose behind signing and id token checks, the rarely used flows) are imported when first
 * needed, so a cold start does not pay for them. The import's promise is kept: a second
 * `import()` of a loaded module still costs a trip through the module resolver (~3 µs).
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined
  return () => {
    // A failed load (a missing file in a broken install) is not remembered.
    loaded ??= load().catch((error: unknown) => {
      loaded = undefined
      throw error
    })
    return loaded
  }
}
