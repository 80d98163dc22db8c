/**
 * The seed's Node.js daemon snippets, run as printed: once with @azure/msal-node and once with
 * only the import line changed to entra-oauth, against the same msw-mocked Entra. Both must
 * print the token and call the API, and send the same grant.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { HttpResponse, http } from 'msw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { server } from '../msw/server.js'
import { CLIENT_ID, SECRET, TENANT, appTokenResponse, form, recordRequests } from '../msw/entra.js'

const here = (name: string): string => fileURLToPath(new URL(name, import.meta.url))
const ORIGINAL_IMPORT = "import * as msal from '@azure/msal-node'"

let run = 0
async function runSnippet(file: string, library: 'msal-node' | 'entra-oauth'): Promise<unknown[]> {
  const text = readFileSync(here(file), 'utf8')
  expect(text).toContain(ORIGINAL_IMPORT)
  const source = library === 'msal-node' ? text : text.replace(ORIGINAL_IMPORT, "import * as msal from 'entra-oauth'")
  const tmp = here(`.run-${process.pid}-${++run}.mjs`)
  writeFileSync(tmp, source)
  const logs: unknown[] = []
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(...args))
  try {
    await import(/* @vite-ignore */ pathToFileURL(tmp).href)
  } finally {
    spy.mockRestore()
    rmSync(tmp, { force: true })
  }
  return logs
}

/** Entra as msal-node also needs it: instance discovery and tenant metadata, then the token. */
function entra(token: Record<string, unknown>) {
  const base = `https://login.microsoftonline.com/${TENANT}`
  return [
    http.get('https://login.microsoftonline.com/common/discovery/instance', () =>
      HttpResponse.json({
        tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`,
        'api-version': '1.1',
        metadata: [{ preferred_network: 'login.microsoftonline.com', preferred_cache: 'login.windows.net', aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'] }],
      }),
    ),
    http.get(`${base}/v2.0/.well-known/openid-configuration`, () =>
      HttpResponse.json({
        token_endpoint: `${base}/oauth2/v2.0/token`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
        jwks_uri: `${base}/discovery/v2.0/keys`,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      }),
    ),
    http.post(`${base}/oauth2/v2.0/token`, () => HttpResponse.json(token)),
    http.get('https://graph.microsoft.com/v1.0/users', ({ request }) =>
      request.headers.get('authorization') === `Bearer ${token.access_token as string}` ? HttpResponse.json({ value: [{ displayName: 'Adele Vance' }] }) : new HttpResponse(null, { status: 401 }),
    ),
  ]
}

const env = {
  CLIENT_ID,
  TENANT_ID: TENANT,
  AAD_ENDPOINT: 'https://login.microsoftonline.com/',
  GRAPH_ENDPOINT: 'https://graph.microsoft.com/',
  CLIENT_SECRET: SECRET,
  CERTIFICATE_THUMBPRINT: readFileSync(new URL('../../fixtures/keys/rsa-cert.sha256', import.meta.url), 'utf8').trim(),
  CERTIFICATE_PRIVATE_KEY_PATH: fileURLToPath(new URL('../../fixtures/keys/rsa-pkcs8.pem', import.meta.url)),
}

beforeEach(() => {
  for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v)
})
afterEach(() => {
  vi.unstubAllEnvs()
})

/** The page's Node.js code blocks, as printed. */
function seedBlocks(): string[] {
  const page = readFileSync(new URL('../../fixtures/seeds/003_4aa67b9c7aa9990a.txt', import.meta.url), 'utf8')
  return [...page.matchAll(/```JavaScript\n([\s\S]*?)```/g)].map((m) => m[1]!.trim())
}

describe.each(['daemon-secret.snippet.mjs', 'daemon-certificate.snippet.mjs'])('seed daemon snippet %s', (file) => {
  it('contains the seed page\'s Node.js blocks verbatim', () => {
    const blocks = seedBlocks()
    expect(blocks).toHaveLength(2)
    const text = readFileSync(here(file), 'utf8')
    for (const block of blocks) expect(text).toContain(block)
  })

  it('runs with msal-node and with entra-oauth alike, in one round trip', async () => {
    const sent: Record<string, string[]> = {}
    const posted: Record<string, Record<string, string>> = {}
    for (const library of ['msal-node', 'entra-oauth'] as const) {
      const token = appTokenResponse()
      const seen = recordRequests()
      server.use(seen.handler, ...entra(token))
      const logs = await runSnippet(file, library)
      expect(logs[0], `${library} printed the access token`).toBe(token.access_token)
      if (file === 'daemon-secret.snippet.mjs') expect(logs[1]).toEqual({ value: [{ displayName: 'Adele Vance' }] })
      expect(logs.some((l) => l instanceof Error), `${library} logged an error`).toBe(false)
      const toEntra = seen.requests.filter((r) => new URL(r.url).host === 'login.microsoftonline.com')
      sent[library] = toEntra.map((r) => `${r.method} ${new URL(r.url).pathname}`)
      posted[library] = await form(toEntra.find((r) => r.method === 'POST')!)
      server.resetHandlers()
    }
    // The same grant on the wire...
    for (const field of ['client_id', 'scope', 'grant_type', 'client_secret', 'client_assertion_type']) {
      expect(posted['entra-oauth']![field], field).toBe(posted['msal-node']![field])
    }
    // One round trip: the token POST, no discovery. (msal-node 7.2.1 also ships static metadata
    // for Microsoft hosts with a tenant id, so here it makes the same single request.)
    expect(sent['entra-oauth']).toEqual([`POST /${TENANT}/oauth2/v2.0/token`])
    expect(sent['msal-node']).toEqual(sent['entra-oauth'])
  })
})
