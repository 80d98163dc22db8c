import { describe, expect, it } from 'vitest'
import { lazy } from '../src/lazy.js'

describe('lazy', () => {
  it('loads once and shares the promise', async () => {
    let loads = 0
    const load = lazy(async () => ({ n: ++loads }))
    const [a, b] = await Promise.all([load(), load()])
    expect(a).toBe(b)
    expect(await load()).toBe(a)
    expect(loads).toBe(1)
  })

  it('does not remember a failed load', async () => {
    let loads = 0
    const load = lazy(async () => {
      if (++loads === 1) throw new Error('broken install')
      return 'ok'
    })
    await expect(load()).rejects.toThrow('broken install')
    await expect(load()).resolves.toBe('ok')
    expect(loads).toBe(2)
  })
})
