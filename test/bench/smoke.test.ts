/**
 * Keeps the benchmark from rotting: runs `npm run bench -- --quick` (every scenario, tiny sizes,
 * one process per library) and checks that it completes and reports every row for both
 * libraries. No assertion is made on any time: speed is what the full run is for.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const ROOT = resolve(import.meta.dirname, '..', '..')

interface QuickResult {
  quick: boolean
  rows: { id: string; met: boolean | null; ours: { error?: string; processes: unknown[] }; msal: { error?: string; processes: unknown[] } }[]
  bundles?: { ours: { minified: number }; msal: { minified: number } }
  table: string
}

function runQuick(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const env = { ...process.env }
    delete env.NODE_OPTIONS
    const child = spawn(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bench', 'run.ts'), '--quick'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), 110_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      done({ code, stdout, stderr })
    })
  })
}

describe('bench --quick', () => {
  it('runs every scenario with both libraries and writes the JSON results', async () => {
    const { code, stdout, stderr } = await runQuick()
    expect(code, stderr).toBe(0)
    expect(stdout).toContain('| scenario | msal-node 7.2.1 | entra-oauth |')
    const result = JSON.parse(readFileSync(join(ROOT, 'bench', 'results', 'latest-quick.json'), 'utf8')) as QuickResult
    expect(result.quick).toBe(true)
    const ids = result.rows.map((r) => r.id)
    for (const group of ['cc-hit', 'silent-hit', 'get-account', 'concurrent-100', 'first-token', 'misses-one-tenant', 'misses-new-tenant', 'cert-assertions', 'cert-hit', 'heap', 'cold-import']) {
      expect(ids.some((id) => id.startsWith(group)), group).toBe(true)
    }
    for (const row of result.rows) {
      // msal-node runs every scenario; ours may report "n/a" only while a feature is unbuilt.
      expect(row.msal.processes.length, `${row.id} msal-node: ${row.msal.error ?? ''}`).toBeGreaterThan(0)
      if (row.ours.processes.length === 0) expect(row.ours.error ?? '', row.id).toMatch(/^n\/a: /)
    }
    expect(result.bundles?.ours.minified).toBeGreaterThan(0)
    expect(result.bundles?.msal.minified).toBeGreaterThan(0)
  }, 120_000)
})
