/** The fault matrix for device-code polling: the third poll, after two authorization_pending answers, meets the fault. */
import { describe, expect, it } from 'vitest'
import { TOKEN_ENDPOINT_FAULTS, type Fault } from './faults.js'
import { expectFaultHandled, runUserFlowFault } from './user-flows.js'

describe('device code polling under faults', () => {
  it.each(TOKEN_ENDPOINT_FAULTS.map((f) => [f.name, f] as const))('%s', async (_, fault: Fault) => {
    const run = await runUserFlowFault('device code poll', fault)
    expectFaultHandled(run, fault, /^token endpoint/)
    // Two pending polls, then the faulted one (and its single retry, if any): polling ends there.
    expect(run.tokenRequests).toBe(2 + fault.requests)
  })
})
