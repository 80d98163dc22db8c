/** The fault matrix for acquireTokenByCode: the token endpoint misbehaves while a code is redeemed. */
import { describe, it } from 'vitest'
import { TOKEN_ENDPOINT_FAULTS, type Fault } from './faults.js'
import { expectFaultHandled, runUserFlowFault } from './user-flows.js'

describe('authorization code exchange under faults', () => {
  it.each(TOKEN_ENDPOINT_FAULTS.map((f) => [f.name, f] as const))('%s', async (_, fault: Fault) => {
    expectFaultHandled(await runUserFlowFault('code exchange', fault), fault, /^token endpoint/)
  })
})
