/**
 * `npm run bench`: this package and @azure/msal-node 7.2.1 side by side, one fresh process per
 * measurement, alternating libraries, against one loopback HTTPS token server that
 * impersonates login.microsoftonline.com. Prints a table and writes JSON to bench/results/.
 *
 *   npm run bench                     full run (several minutes)
 *   npm run bench -- --quick          smoke run: every scenario, tiny sizes, one process each
 *   npm run bench -- --only cc-hit,heap --reps 3
 *
 * See bench/README.md for how to read the numbers.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { CLIENT_ID, CLIENT_SECRET } from './cache-gen.js'
import type { ChildResult, Job } from './child.js'
import { startTokenServer, type ServerCounts, type TokenServer } from './server.js'
import { median, spread } from './stats.js'
import { makeTls } from './tls.js'
import { readFileSync } from 'node:fs'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'bench', 'results')
// Per run, so two runs at once (a full run and the smoke test) cannot swap each other's CA or build.
const RUN_DIR = join(OUT, `run-${process.pid}`)
const BUILD = join(RUN_DIR, 'build')
const CERT_DIR = join(ROOT, 'fixtures', 'keys')
type LibName = 'ours' | 'msal'
type RunName = LibName | 'floor'

interface Options {
  quick: boolean
  reps: number | undefined
  only: string[] | undefined
}

function parseArgs(argv: string[]): Options {
  const options: Options = { quick: false, reps: undefined, only: undefined }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--quick') options.quick = true
    else if (a === '--reps') options.reps = Number(argv[++i])
    else if (a === '--only') options.only = (argv[++i] ?? '').split(',').filter(Boolean)
    else throw new Error(`unknown option ${a}; use --quick, --reps N, --only id1,id2`)
  }
  return options
}

// ---- the rows of the table --------------------------------------------------------------

/** What one process measured: the figure the row compares, plus counts for the notes. */
interface Sample {
  value: number
  counts: ServerCounts
  child: ChildResult
}

interface Row {
  id: string
  group: string
  label: string
  unit: 'µs' | 'ms' | '/s' | 'B' | 'count' | 'KiB'
  /** Lower is better (times, sizes, counts), or higher (throughput). */
  better: 'lower' | 'higher'
  reps: number
  job?: Omit<Job, 'lib' | 'port' | 'nowSeconds' | 'oursEntry' | 'certDir'>
  serverDelayMs?: number
  /** Also run raw fetch (no library) with the same requests, as the floor. */
  floor?: boolean
  value: (s: Omit<Sample, 'value'>) => number
  goal: string
  met: (ours: Aggregate, msal: Aggregate) => boolean
  /** Extra facts per library for the notes column. */
  notes?: (samples: Sample[]) => string
}

interface Aggregate {
  median: number
  min: number
  max: number
  relativeSpread: number
  samples: Sample[]
  unsupported?: string
  error?: string
}

const KB_GOAL = 2300

function rows(o: Options): Row[] {
  const q = o.quick
  const reps = (full: number): number => o.reps ?? (q ? 1 : full)
  const budget = q ? 20 : 400
  const base = { tokenBytes: 1800, budgetMs: budget, n: 1 }
  const us = (s: Omit<Sample, 'value'>): number => s.child.us?.median ?? Number.NaN
  const out: Row[] = []
  const ccSizes = q ? [1, 100] : [1, 1000, 10_000, 100_000]
  for (const n of ccSizes) {
    out.push({
      id: `cc-hit-${n}`,
      group: 'cc-hit',
      label: `client-credential cache hit, N = ${n.toLocaleString('en')} tokens`,
      unit: 'µs',
      better: 'lower',
      reps: reps(n >= 100_000 ? 3 : 5),
      job: { ...base, scenario: 'cc-hit', n, credential: 'secret' },
      value: us,
      goal: '<= 3 µs',
      met: (ours) => ours.median <= 3,
      notes: (s) => `POSTs ${sum(s, (x) => x.counts.posts)}`,
    })
  }
  const silentSizes = q ? [1, 100] : [1, 1000, 10_000, 100_000]
  for (const n of silentSizes) {
    out.push({
      id: `silent-hit-${n}`,
      group: 'silent-hit',
      label: `acquireTokenSilent hit, N = ${n.toLocaleString('en')} accounts`,
      unit: 'µs',
      better: 'lower',
      reps: reps(n >= 10_000 ? 3 : 5),
      job: { ...base, scenario: 'silent-hit', n, budgetMs: n >= 10_000 ? Math.min(budget, 300) : budget },
      value: us,
      goal: '<= 5 µs',
      met: (ours) => ours.median <= 5,
    })
  }
  for (const n of q ? [10, 100] : [100, 1000]) {
    out.push({
      id: `get-account-${n}`,
      group: 'get-account',
      label: `getAccountByHomeId, ${n.toLocaleString('en')} accounts`,
      unit: 'µs',
      better: 'lower',
      reps: reps(3),
      job: { ...base, scenario: 'get-account', n, budgetMs: Math.min(budget, 300) },
      value: us,
      goal: '<= 2 µs',
      met: (ours) => ours.median <= 2,
    })
  }
  out.push({
    id: 'concurrent-100',
    group: 'concurrent',
    label: '100 concurrent client-credential calls, empty cache: POSTs',
    unit: 'count',
    better: 'lower',
    reps: reps(3),
    serverDelayMs: 20,
    job: { ...base, scenario: 'concurrent', n: 100 },
    value: (s) => s.counts.posts,
    goal: '1 POST, 1 connection',
    met: (ours) => ours.samples.every((s) => s.counts.posts === 1 && s.counts.connections === 1),
    notes: (s) => `connections ${range(s, (x) => x.counts.connections)}, wall ${range(s, (x) => Math.round(x.child.wallMs ?? 0))} ms`,
  })
  out.push({
    id: 'first-token',
    group: 'first-token',
    label: 'round trips before the first token (no configuration)',
    unit: 'count',
    better: 'lower',
    reps: reps(3),
    job: { ...base, scenario: 'first-token', n: 1 },
    value: (s) => s.counts.posts + s.counts.discovery + s.counts.otherGets,
    goal: '1, with no configuration',
    met: (ours) => ours.samples.every((s) => s.counts.posts + s.counts.discovery + s.counts.otherGets === 1),
    notes: (s) => (s[0] ? s[0].counts.requests.map((r) => r.replace(/\/[0-9a-f-]{36}\//, '/{tenant}/')).join(' → ') : ''),
  })
  const misses = q ? 20 : 1000
  for (const mode of ['one-tenant', 'new-tenant'] as const) {
    out.push({
      id: `misses-${mode}`,
      group: 'misses',
      label: `${misses.toLocaleString('en')} forced misses, ${mode === 'one-tenant' ? 'one tenant' : 'a new tenant each'} (sequential)`,
      unit: '/s',
      better: 'higher',
      reps: reps(5),
      job: { ...base, scenario: 'misses', n: misses, mode },
      floor: true,
      value: (s) => s.child.perSecond ?? Number.NaN,
      goal: mode === 'one-tenant' ? '>= 1.5x msal-node, connections reused' : '>= 2x msal-node, connections reused',
      // Node's fetch opens a 2nd socket when the next request leaves before the 1st is back in the pool.
      met: (ours, msal) => ours.median >= (mode === 'one-tenant' ? 1.5 : 2) * msal.median && ours.samples.every((s) => s.counts.connections <= 2),
      notes: (s) => `connections ${range(s, (x) => x.counts.connections)}, discovery ${range(s, (x) => x.counts.discovery)}`,
    })
  }
  const certMisses = q ? 10 : 500
  out.push({
    id: 'cert-assertions',
    group: 'cert',
    label: `certificate, 2 tenants alternating, ${certMisses} misses: assertions signed`,
    unit: 'count',
    better: 'lower',
    reps: reps(3),
    job: { ...base, scenario: 'cert-misses', n: certMisses, credential: 'cert', budgetMs: Math.min(budget, 300) },
    value: (s) => s.counts.assertions,
    goal: 'one per tenant per lifetime',
    met: (ours) => ours.samples.every((s) => s.counts.assertions === 2 && s.counts.assertionsRejected === 0),
    notes: (s) => `verified ${range(s, (x) => x.counts.assertionsVerified)}, rejected ${range(s, (x) => x.counts.assertionsRejected)}, ${range(s, (x) => Math.round(x.child.perSecond ?? 0))} misses/s`,
  })
  out.push({
    id: 'cert-hit',
    group: 'cert',
    label: 'certificate credential: cache hit (same processes)',
    unit: 'µs',
    better: 'lower',
    reps: 0, // filled from cert-assertions' processes
    value: us,
    goal: 'nothing signed on a hit',
    met: (ours) => ours.samples.every((s) => s.child.signsOnHits === 0),
    notes: (s) => `signatures per hit ${range(s, (x) => round2((x.child.signsOnHits ?? 0) / (x.child.us?.calls ?? 1)))}`,
  })
  const heapN = q ? 1000 : 100_000
  out.push({
    id: 'heap',
    group: 'heap',
    label: `heap per cached app token (1.8 KB token), N = ${heapN.toLocaleString('en')}`,
    unit: 'B',
    better: 'lower',
    reps: reps(3),
    job: { ...base, scenario: 'heap', n: heapN },
    value: (s) => s.child.bytesPerToken ?? Number.NaN,
    goal: '<= 2.3 KB',
    met: (ours) => ours.median <= KB_GOAL,
  })
  out.push({
    id: 'cold-import',
    group: 'cold-import',
    label: 'cold import() in a fresh process',
    unit: 'ms',
    better: 'lower',
    reps: reps(7),
    job: { ...base, scenario: 'cold-import' },
    value: (s) => s.child.importMs ?? Number.NaN,
    goal: "<= 1/3 of msal-node's",
    met: (ours, msal) => ours.median <= msal.median / 3,
  })
  return out
}

function sum(samples: Sample[], f: (s: Sample) => number): number {
  return samples.reduce((a, s) => a + f(s), 0)
}
function range(samples: Sample[], f: (s: Sample) => number): string {
  const v = samples.map(f)
  const lo = Math.min(...v)
  const hi = Math.max(...v)
  return lo === hi ? String(lo) : `${lo}-${hi}`
}
function round2(x: number): number {
  return Math.round(x * 100) / 100
}

// ---- running children -------------------------------------------------------------------------

async function transpile(): Promise<string> {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) {
        if (p !== OUT && !p.includes('node_modules')) walk(p)
      } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(p)
    }
  }
  walk(join(ROOT, 'src'))
  for (const f of ['child.ts', 'cache-gen.ts', 'entra-docs.ts', 'stats.ts']) files.push(join(ROOT, 'bench', f))
  // The bench's own files, transpiled one by one.
  await build({ entryPoints: files, outdir: BUILD, outbase: ROOT, format: 'esm', platform: 'node', target: 'node20', bundle: false, logLevel: 'error' })
  writeFileSync(join(BUILD, 'package.json'), '{"type":"module"}\n')
  // The package exactly as `npm run build` ships it (scripts/build.mjs).
  const { buildPackage } = (await import(pathToFileURL(join(ROOT, 'scripts', 'build.mjs')).href)) as { buildPackage: (outdir: string) => Promise<void> }
  await buildPackage(join(BUILD, 'package'))
  return join(BUILD, 'bench', 'child.js')
}

function runChild(childJs: string, job: Job, caBundle: string, timeoutMs: number): Promise<ChildResult> {
  return new Promise((resolvePromise) => {
    const env: NodeJS.ProcessEnv = { ...process.env, BENCH_JOB: JSON.stringify(job), NODE_EXTRA_CA_CERTS: caBundle }
    delete env.NODE_OPTIONS
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=8192', childJs], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    child.stderr.on('data', (c: Buffer) => (err += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      const line = out.split('\n').find((l) => l.startsWith('RESULT '))
      if (line) return resolvePromise(JSON.parse(line.slice(7)) as ChildResult)
      resolvePromise({ ok: false, error: `child exited ${code ?? 'by signal'} without a result: ${err.trim().split('\n').slice(-3).join(' | ')}` })
    })
  })
}

interface Ctx {
  childJs: string
  server: TokenServer
  caBundle: string
  oursEntry: string
  timeoutMs: number
  log: (s: string) => void
  userApp: 'public' | 'confidential'
}

async function measureRow(row: Row, ctx: Ctx): Promise<Record<RunName, Sample[]> & { failures: Record<RunName, string | undefined> }> {
  const samples: Record<RunName, Sample[]> = { ours: [], msal: [], floor: [] }
  const failures: Record<RunName, string | undefined> = { ours: undefined, msal: undefined, floor: undefined }
  ctx.server.setDelay(row.serverDelayMs ?? 0)
  for (let rep = 0; rep < row.reps; rep++) {
    // Alternate which library goes first, so drift on a shared machine hits both alike.
    const order: RunName[] = rep % 2 === 0 ? ['ours', 'msal'] : ['msal', 'ours']
    if (row.floor) order.push('floor')
    for (const lib of order) {
      if (failures[lib]) continue
      ctx.server.reset()
      const job: Job = { ...row.job!, lib, app: ctx.userApp, port: ctx.server.port, nowSeconds: Math.floor(Date.now() / 1000), oursEntry: pathToFileURL(ctx.oursEntry).href, certDir: CERT_DIR }
      const child = await runChild(ctx.childJs, job, ctx.caBundle, ctx.timeoutMs)
      const counts = ctx.server.counts()
      if (!child.ok) {
        failures[lib] = child.unsupported ? `n/a: ${child.unsupported}` : `error: ${child.error ?? 'failed'}`
        ctx.log(`  ${row.id} ${lib}: ${failures[lib]}`)
        continue
      }
      samples[lib].push({ value: row.value({ counts, child }), counts, child })
    }
  }
  ctx.server.setDelay(0)
  return { ...samples, failures }
}

function aggregate(samples: Sample[], failure: string | undefined): Aggregate {
  if (samples.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, relativeSpread: Number.NaN, samples, error: failure ?? 'no samples' }
  const values = samples.map((s) => s.value)
  const sp = spread(values)
  return { median: median(values), min: sp.min, max: sp.max, relativeSpread: sp.relative, samples, ...(failure ? { error: failure } : {}) }
}

// ---- bundle size (no child processes) -----------------------------------------------------------

interface BundleSizes {
  minified: number
  gzip: number
  /** With code splitting: what `import` loads before any lazy import() runs. */
  startupMinified: number
  startupGzip: number
}

async function bundleSizes(): Promise<Record<LibName, BundleSizes>> {
  const measure = async (contents: string): Promise<BundleSizes> => {
    const whole = await build({ stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' }, bundle: true, platform: 'node', format: 'esm', minify: true, write: false, logLevel: 'error' })
    const code = whole.outputFiles[0]!.contents
    const split = await build({
      stdin: { contents, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      minify: true,
      splitting: true,
      outdir: join(OUT, 'bundle-split'),
      write: false,
      metafile: true,
      logLevel: 'error',
    })
    // The entry chunk and the chunks it imports statically.
    const outputs = split.metafile.outputs
    // Dynamic imports are entry points too in the metafile: the real one is the stdin entry.ts.
    const entry = Object.keys(outputs).find((k) => outputs[k]!.entryPoint === 'entry.ts')!
    const seen = new Set<string>()
    const visit = (k: string): void => {
      if (seen.has(k)) return
      seen.add(k)
      for (const imp of outputs[k]!.imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path)
    }
    visit(entry)
    const files = split.outputFiles.filter((f) => seen.has(relative(ROOT, f.path)))
    const startup = Buffer.concat(files.map((f) => Buffer.from(f.contents)))
    return { minified: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, startupMinified: startup.byteLength, startupGzip: files.reduce((a, f) => a + gzipSync(f.contents, { level: 9 }).byteLength, 0) }
  }
  return {
    ours: await measure(`export * from ${JSON.stringify(join(ROOT, 'src', 'index.ts'))}`),
    msal: await measure(`export * from '@azure/msal-node'`),
  }
}

// ---- output ----------------------------------------------------------------------------------------

function fmt(v: number, unit: Row['unit']): string {
  if (!Number.isFinite(v)) return 'n/a'
  if (unit === 'count') return String(Math.round(v * 10) / 10)
  if (unit === 'B') return v >= 1000 ? `${(v / 1000).toFixed(2)} KB` : `${Math.round(v)} B`
  if (unit === 'KiB') return `${v.toFixed(1)} KiB`
  if (unit === '/s') return `${Math.round(v)} /s`
  if (unit === 'ms') return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`
  // µs
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} s`
  if (v >= 1000) return `${(v / 1000).toFixed(v >= 1e4 ? 0 : 1)} ms`
  return `${v >= 100 ? Math.round(v) : v.toFixed(v >= 10 ? 1 : 2)} µs`
}

function cell(a: Aggregate, unit: Row['unit']): string {
  if (a.samples.length === 0) return a.error ?? 'n/a'
  const m = fmt(a.median, unit)
  if (a.samples.length === 1 || a.min === a.max) return m
  return `${m} (${fmt(a.min, unit)}–${fmt(a.max, unit)})`
}

function ratio(ours: Aggregate, msal: Aggregate): string {
  if (!Number.isFinite(ours.median) || !Number.isFinite(msal.median) || msal.median === 0) return 'n/a'
  const r = ours.median / msal.median
  return r >= 10 || r === 0 ? `${r.toFixed(r === 0 ? 0 : 0)}` : r >= 0.01 ? r.toFixed(2) : r.toExponential(1)
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2))
  const log = (s: string): void => console.error(s)
  mkdirSync(OUT, { recursive: true })
  const started = Date.now()
  log(`bench: ${options.quick ? 'quick smoke run' : 'full run'}; transpiling src/ and bench/ to ${relative(ROOT, BUILD)}`)
  const childJs = await transpile()
  const tls = makeTls(join(RUN_DIR, 'tls'))
  const server = await startTokenServer({
    key: tls.key,
    cert: tls.cert,
    clientCertificate: readFileSync(join(CERT_DIR, 'rsa-cert.pem'), 'utf8'),
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tokenBytes: 1800,
  })
  log(`bench: token server on https://127.0.0.1:${server.port} (impersonating login.microsoftonline.com), CA bundle ${relative(ROOT, tls.caBundleFile)}`)
  const oursEntry = join(BUILD, 'package', 'index.js')
  // User-cache rows use PublicClientApplication when ours exports it, else both use the confidential one.
  const userApp = 'PublicClientApplication' in ((await import(pathToFileURL(oursEntry).href)) as object) ? 'public' : 'confidential'
  log(`bench: user-cache rows use ${userApp === 'public' ? 'PublicClientApplication' : 'ConfidentialClientApplication'} in both libraries`)
  const ctx: Ctx = { childJs, server, caBundle: tls.caBundleFile, oursEntry, timeoutMs: options.quick ? 60_000 : 600_000, log, userApp }

  const all = rows(options).filter((r) => !options.only || options.only.some((o) => r.id.startsWith(o) || r.group === o))
  const results: { row: Row; ours: Aggregate; msal: Aggregate; floor?: Aggregate }[] = []
  let certSamples: (Record<RunName, Sample[]> & { failures: Record<RunName, string | undefined> }) | undefined
  try {
    for (const row of all) {
      let measured
      if (row.id === 'cert-hit') {
        if (!certSamples) continue
        const re = (list: Sample[]): Sample[] => list.map((s) => ({ ...s, value: row.value(s) }))
        measured = { ours: re(certSamples.ours), msal: re(certSamples.msal), floor: [], failures: certSamples.failures }
      } else {
        log(`bench: ${row.label} (${row.reps} process${row.reps === 1 ? '' : 'es'} per library)`)
        measured = await measureRow(row, ctx)
        if (row.id === 'cert-assertions') certSamples = measured
      }
      results.push({
        row,
        ours: aggregate(measured.ours, measured.failures.ours),
        msal: aggregate(measured.msal, measured.failures.msal),
        ...(row.floor ? { floor: aggregate(measured.floor, measured.failures.floor) } : {}),
      })
    }
  } finally {
    await server.close()
  }
  rmSync(RUN_DIR, { recursive: true, force: true })

  let bundles: Record<LibName, BundleSizes> | undefined
  if (!options.only || options.only.includes('bundle')) {
    log('bench: esbuild bundles (platform node, minified, gzip -9)')
    bundles = await bundleSizes()
  }

  // ---- table
  const lines: string[] = []
  lines.push('| scenario | msal-node 7.2.1 | entra-oauth | ratio (ours / msal-node) | goal | met | notes |')
  lines.push('|---|---|---|---|---|---|---|')
  for (const { row, ours, msal, floor } of results) {
    const met = ours.samples.length === 0 || msal.samples.length === 0 ? 'n/a' : row.met(ours, msal) ? 'yes' : 'NO'
    let notes = row.notes ? `ours: ${row.notes(ours.samples)}; msal: ${row.notes(msal.samples)}` : ''
    if (floor) notes += `; raw fetch, no library: ${cell(floor, row.unit)}`
    lines.push(`| ${row.label} | ${cell(msal, row.unit)} | ${cell(ours, row.unit)} | ${ratio(ours, msal)} | ${row.goal} | ${met} | ${notes} |`)
  }
  if (bundles) {
    const kib = (b: number): string => `${(b / 1024).toFixed(1)} KiB`
    const m = bundles.msal
    const o = bundles.ours
    lines.push(`| esbuild bundle, everything reachable (minified / gzip) | ${kib(m.minified)} / ${kib(m.gzip)} | ${kib(o.minified)} / ${kib(o.gzip)} | ${(o.minified / m.minified).toFixed(2)} / ${(o.gzip / m.gzip).toFixed(2)} | <= 1/3 of msal-node's | ${o.minified <= m.minified / 3 && o.gzip <= m.gzip / 3 ? 'yes' : 'NO'} | includes lazily imported chunks (undici for proxies, jose for certificates) |`)
    lines.push(`| esbuild bundle, loaded at startup (splitting; minified / gzip) | ${kib(m.startupMinified)} / ${kib(m.startupGzip)} | ${kib(o.startupMinified)} / ${kib(o.startupGzip)} | ${(o.startupMinified / m.startupMinified).toFixed(2)} / ${(o.startupGzip / m.startupGzip).toFixed(2)} | <= 1/3 of msal-node's | ${o.startupMinified <= m.startupMinified / 3 && o.startupGzip <= m.startupGzip / 3 ? 'yes' : 'NO'} | entry chunk plus its static imports |`)
  }
  const table = lines.join('\n')
  console.log(table)

  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const file = join(OUT, `${options.quick ? 'quick' : 'full'}-${stamp}.json`)
  const json = {
    date: new Date().toISOString(),
    quick: options.quick,
    node: process.version,
    cpus: (await import('node:os')).cpus().length,
    transport: 'HTTPS on 127.0.0.1 (CA made by openssl at run time, trusted via NODE_EXTRA_CA_CERTS); login.microsoftonline.com routed there by the global undici dispatcher',
    seconds: Math.round((Date.now() - started) / 1000),
    rows: results.map(({ row, ours, msal, floor }) => ({
      id: row.id,
      label: row.label,
      unit: row.unit,
      goal: row.goal,
      met: ours.samples.length > 0 && msal.samples.length > 0 ? row.met(ours, msal) : null,
      ours: strip(ours),
      msal: strip(msal),
      ...(floor ? { floor: strip(floor) } : {}),
    })),
    bundles,
    table,
  }
  writeFileSync(file, JSON.stringify(json, null, 2))
  writeFileSync(join(OUT, options.quick ? 'latest-quick.json' : 'latest.json'), JSON.stringify(json, null, 2))
  log(`bench: done in ${json.seconds} s; wrote ${relative(ROOT, file)}`)
  const failed = results.filter((r) => (r.ours.error && !r.ours.error.startsWith('n/a')) || (r.msal.error && !r.msal.error.startsWith('n/a')))
  if (failed.length > 0) {
    log(`bench: ${failed.length} row(s) failed: ${failed.map((r) => r.row.id).join(', ')}`)
    process.exitCode = 1
  }
}

function strip(a: Aggregate): Record<string, unknown> {
  return {
    median: a.median,
    min: a.min,
    max: a.max,
    relativeSpread: a.relativeSpread,
    error: a.error,
    processes: a.samples.map((s) => ({ value: s.value, counts: { ...s.counts }, child: s.child })),
  }
}

await main()
