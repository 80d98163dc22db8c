import { describe, expect, it, vi } from 'vitest'
import * as errors from '../src/errors.js'

describe('error classes', () => {
  it('keep MSAL field names, fixed names and the chain of instanceof', () => {
    const e = new errors.ServerError('invalid_scope', 'AADSTS70011: bad scope', { errorCodes: [70011], correlationId: 'c', subError: 'x' })
    expect(e.name).toBe('ServerError')
    expect(e).toBeInstanceOf(errors.ServerError)
    expect(e).toBeInstanceOf(errors.AuthError)
    expect(e).toBeInstanceOf(Error)
    expect(e).not.toBeInstanceOf(errors.ClientAuthError)
    expect(e).not.toBeInstanceOf(errors.InteractionRequiredAuthError)
    expect(e).toMatchObject({ errorCode: 'invalid_scope', errorMessage: 'AADSTS70011: bad scope', subError: 'x', correlationId: 'c', errorCodes: [70011] })
    expect(e.message).toBe('invalid_scope: AADSTS70011: bad scope (correlation id c)')
    const i = new errors.InteractionRequiredAuthError('login_required', 'sign in', { errorCodes: [50058] })
    expect(i.message).toBe('login_required: sign in (AADSTS50058)')
    expect(i).not.toBeInstanceOf(errors.ServerError)
    expect(new errors.ClientConfigurationError('invalid_scopes', 'x').subError).toBe('')
  })

  it('instanceof works across two copies of the module (duplicate installs)', async () => {
    vi.resetModules()
    // A second evaluation of the module, as a second copy of the package would be.
    const specifier = '../src/errors.js?copy'
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof errors
    expect(copy.ServerError).not.toBe(errors.ServerError)
    const fromCopy = new copy.ServerError('server_error', 'x')
    expect(fromCopy).toBeInstanceOf(errors.ServerError)
    expect(fromCopy).toBeInstanceOf(errors.AuthError)
    expect(fromCopy).not.toBeInstanceOf(errors.ClientAuthError)
    expect(new errors.ClientAuthError('timeout', 'x')).toBeInstanceOf(copy.ClientAuthError)
    expect({ errorCode: 'x' }).not.toBeInstanceOf(errors.AuthError)
  })

  it('classifies interaction-required errors as msal-common does', () => {
    expect(errors.isInteractionRequired('interaction_required', undefined, { userFlow: false })).toBe(true)
    expect(errors.isInteractionRequired('invalid_grant', undefined, { userFlow: true })).toBe(true)
    expect(errors.isInteractionRequired('invalid_grant', 'client_mismatch', { userFlow: true })).toBe(false)
    expect(errors.isInteractionRequired('invalid_client', 'basic_action', { userFlow: false })).toBe(true)
    expect(errors.isInteractionRequired('invalid_client', undefined, { userFlow: true })).toBe(false)
  })
})
