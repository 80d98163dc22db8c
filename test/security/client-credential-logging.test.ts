/**
 * Logs at every level, PII off and on: the flow logs what it does, and no secret, assertion or
 * token ever reaches a log line or an error.
 */
import { readFileSync } from 'node:fs'
import { HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ConfidentialClientApplication, LogLevel } from '../../src/index.js'
import { server } from '../msw/server.js'
import { CLIENT_ID, GRAPH_DEFAULT, SECRET, TENANT, aadstsError, appTokenResponse, form, recordRequests, tokenEndpoint } from '../msw/entra.js'

const key = (name: string): string => readFileSync(new URL(`../../fixtures/keys/${name}`, import.meta.url), 'utf8')

describe.each([false, true])('logging with piiLoggingEnabled=%s', (pii) => {
  it('logs the flow at Trace and never a secret, an assertion or a token', async () => {
    const lines: { level: number; message: string; containsPii: boolean }[] = []
    const loggerOptions = { logLevel: LogLevel.Trace, piiLoggingEnabled: pii, loggerCallback: (level: number, message: string, containsPii: boolean) => void lines.push({ level, message, containsPii }) }
    const seen = recordRequests()
    const token = appTokenResponse()
    let n = 0
    server.use(seen.handler, tokenEndpoint(() => (++n === 1 ? aadstsError('invalid_client', 7000215, 401) : n === 2 ? new HttpResponse('oops', { status: 503 }) : HttpResponse.json(token))))
    const authority = `https://login.microsoftonline.com/${TENANT}`
    const secretApp = new ConfidentialClientApplication({ auth: { clientId: CLIENT_ID, authority, clientSecret: SECRET }, system: { loggerOptions, retry: { backoffMs: 1 } } })
    const certApp = new ConfidentialClientApplication({
      auth: { clientId: CLIENT_ID, authority, clientCertificate: { thumbprintSha256: key('rsa-cert.sha256').trim(), privateKey: key('rsa-pkcs8.pem') } },
      system: { loggerOptions },
    })
    const errors: unknown[] = []
    await secretApp.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] }).catch((e: unknown) => errors.push(e))
    await secretApp.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })
    await certApp.acquireTokenByClientCredential({ scopes: [GRAPH_DEFAULT] })

    const assertion = (await form(seen.requests.at(-1)!)).client_assertion!
    expect(assertion).toBeTruthy()
    expect(errors).toHaveLength(1)
    expect(lines.length).toBeGreaterThan(3)
    expect(lines.some((l) => l.level === LogLevel.Verbose && l.message.includes('token endpoint'))).toBe(true)
    expect(lines.some((l) => l.message.includes('retrying once'))).toBe(true)
    const everything = [...lines.map((l) => l.message), ...errors.map((e) => `${String(e)} ${(e as Error).stack}`)].join('\n')
    for (const secret of [SECRET, token.access_token as string, assertion, assertion.split('.')[2]!]) expect(everything).not.toContain(secret)
  })
})
