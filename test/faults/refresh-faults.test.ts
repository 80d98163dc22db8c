/**
 * The fault matrix for refresh: acquireTokenSilent once the cached access token is due, and
 * acquireTokenByRefreshToken. A failed refresh must keep the refresh token (and everything else).
 */
import { describe, it } from 'vitest'
import { TOKEN_ENDPOINT_FAULTS, type Fault } from './faults.js'
import { expectFaultHandled, runUserFlowFault } from './user-flows.js'

describe('acquireTokenSilent after expiry under faults', () => {
  it.each(TOKEN_ENDPOINT_FAULTS.map((f) => [f.name, f] as const))('%s', async (_, fault: Fault) => {
    expectFaultHandled(await runUserFlowFault('silent refresh after expiry', fault), fault, /^token endpoint/)
  })
})

describe('acquireTokenByRefreshToken under faults', () => {
  it.each(TOKEN_ENDPOINT_FAULTS.map((f) => [f.name, f] as const))('%s', async (_, fault: Fault) => {
    expectFaultHandled(await runUserFlowFault('acquireTokenByRefreshToken', fault), fault, /^token endpoint/)
  })
})
