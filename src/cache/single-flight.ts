/**
 * Concurrent callers asking for the same thing share one in-flight promise: 100 simultaneous
 * cache misses for one key send one request. The key must include every input that shapes the
 * request (msal-js PR #8680 is what happens when it does not). A settled call is forgotten, so a
 * failure is not remembered.
 */
export class SingleFlight<T> {
  readonly #inFlight = new Map<string, Promise<T>>()

  /** Runs `task` unless a call with the same key is already running, whose result is shared instead. */
  run(key: string, task: () => Promise<T>): Promise<T> {
    const running = this.#inFlight.get(key)
    if (running) return running
    const promise = task().finally(() => {
      if (this.#inFlight.get(key) === promise) this.#inFlight.delete(key)
    })
    this.#inFlight.set(key, promise)
    return promise
  }

  /** Whether a call for `key` is in flight. */
  has(key: string): boolean {
    return this.#inFlight.has(key)
  }

  get size(): number {
    return this.#inFlight.size
  }
}
