/**
 * The fault matrix for the JWKS, fetched to validate the id token of a code exchange: the code is
 * redeemed (one token request), but without verified keys nothing is cached.
 */
import { describe, expect, it } from 'vitest'
import { METADATA_FAULTS, type Fault } from './faults.js'
import { expectFaultHandled, runUserFlowFault } from './user-flows.js'

describe('JWKS fetch under faults (id token validation in a code exchange)', () => {
  it.each(METADATA_FAULTS.map((f) => [f.name, f] as const))('%s', async (_, fault: Fault) => {
    const run = await runUserFlowFault('JWKS', fault)
    expectFaultHandled(run, fault, /^JWKS endpoint/)
    expect(run.tokenRequests).toBe(1)
  })
})
