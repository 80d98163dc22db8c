import { describe, expect, it } from 'vitest'
import { decodeClientInfo, encodeClientInfo, homeAccountIdOf } from '../../src/protocol/client-info.js'

describe('client_info', () => {
  it('decodes base64url and padded base64 JSON to uid.utid', () => {
    const raw = encodeClientInfo({ uid: 'u-1', utid: 't-1' })
    expect(decodeClientInfo(raw)).toEqual({ uid: 'u-1', utid: 't-1' })
    expect(homeAccountIdOf(decodeClientInfo(raw), { sub: 's' })).toBe('u-1.t-1')
    // The msal-node fixture's value, standard base64 with padding.
    expect(decodeClientInfo('eyJ1aWQiOiJ1aWQiLCAidXRpZCI6InV0aWQifQ==')).toEqual({ uid: 'uid', utid: 'utid' })
  })

  it('falls back to the id token sub when client_info is missing or unusable', () => {
    for (const raw of [undefined, '', 'not base64 json!', Buffer.from('{"uid":"x"}').toString('base64url'), Buffer.from('[1]').toString('base64url')]) {
      expect(homeAccountIdOf(decodeClientInfo(raw), { sub: 'the-sub' })).toBe('the-sub')
    }
    expect(homeAccountIdOf(undefined, undefined)).toBe('')
  })
})
