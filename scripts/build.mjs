// Builds dist/: the package's entry points as ES modules bundled by esbuild, with code splitting
// so that what only some calls need (zod for parsing responses, jose for signing and verifying,
// undici for proxies) sits in chunks loaded on first use, and tsc's declarations beside them.
// One bundle instead of ~75 files is what keeps a cold `import('entra-oauth')` cheap: Node's
// ESM loader pays per file. Dependencies stay external (they are the package's dependencies).
// The benchmarks build the same way (buildPackage), so they measure what ships.
import { execFileSync } from 'node:child_process'
import { rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))

/** Bundles the package's entry points into `outdir` (replacing it). */
export async function buildPackage(outdir) {
  rmSync(outdir, { recursive: true, force: true })
  await build({
    absWorkingDir: root,
    entryPoints: { index: 'src/index.ts', 'protocol/index': 'src/protocol/index.ts', 'emulator/index': 'src/emulator/index.ts', 'cli/main': 'src/cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    chunkNames: 'chunks/[name]-[hash]',
    sourcemap: true,
    logLevel: 'warning',
  })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildPackage(`${root}dist`)
  execFileSync(process.execPath, [`${root}node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json', '--emitDeclarationOnly'], { cwd: root, stdio: 'inherit' })
}
