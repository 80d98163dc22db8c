/**
 * A minimal browser for oidc-provider's development pages: a cookie jar, redirects followed by
 * hand (so the last hop, to the app's loopback redirect, can be observed), and HTML forms filled
 * and posted. Only loopback URLs are ever requested.
 */

export interface Page {
  url: string
  status: number
  body: string
}

export class Browser {
  readonly #cookies = new Map<string, string>()
  /** Every URL visited, in order. */
  readonly visited: string[] = []

  /** GETs `url` and follows redirects (at most 20) until a page answers; `stop` ends early on a redirect target it matches. */
  async open(url: string, stop?: (url: URL) => boolean): Promise<Page> {
    return this.#follow(url, { method: 'GET' }, stop)
  }

  /** Fills the page's form (hidden fields kept, `fields` added or overriding) and submits it. */
  async submit(page: Page, fields: Record<string, string> = {}, stop?: (url: URL) => boolean, which = 0): Promise<Page> {
    const forms = [...page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)]
    const form = forms[which]
    if (!form) throw new Error(`no form on ${page.url} (HTTP ${page.status})`)
    const attrs = form[1] ?? ''
    const action = new URL(decodeHtml(/action="([^"]*)"/i.exec(attrs)?.[1] ?? page.url), page.url)
    const method = (/method="([^"]*)"/i.exec(attrs)?.[1] ?? 'get').toUpperCase()
    const values = new URLSearchParams()
    for (const input of (form[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const a = input[1] ?? ''
      const name = /name="([^"]*)"/i.exec(a)?.[1]
      if (name === undefined) continue
      if (/type="submit"/i.test(a)) continue
      values.set(decodeHtml(name), decodeHtml(/value="([^"]*)"/i.exec(a)?.[1] ?? ''))
    }
    for (const [k, v] of Object.entries(fields)) values.set(k, v)
    if (method === 'GET') {
      for (const [k, v] of values) action.searchParams.set(k, v)
      return this.#follow(action.href, { method: 'GET' }, stop)
    }
    return this.#follow(action.href, { method: 'POST', body: values.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, stop)
  }

  async #follow(start: string, init: RequestInit, stop?: (url: URL) => boolean): Promise<Page> {
    let url = start
    let request = init
    for (let hop = 0; hop < 20; hop++) {
      const target = new URL(url)
      if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error(`refusing to leave loopback: ${target.origin}`)
      if (stop?.(target)) return { url, status: 0, body: '' }
      this.visited.push(url)
      const res = await fetch(url, { ...request, redirect: 'manual', headers: { ...(request.headers as Record<string, string> | undefined), cookie: this.#cookieHeader() } })
      for (const line of res.headers.getSetCookie()) this.#store(line)
      const body = await res.text()
      const location = res.headers.get('location')
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url).href
        request = { method: 'GET' }
        continue
      }
      // oidc-provider's form_post pages (device flow) post themselves with script: do it for them.
      if (res.status === 200 && /<form[^>]*method="post"[^>]*>/i.test(body) && /document\.forms\[0\]\.submit\(\)|onload=".*submit/i.test(body)) {
        return this.submit({ url, status: res.status, body }, {}, stop)
      }
      return { url, status: res.status, body }
    }
    throw new Error(`too many redirects from ${start}`)
  }

  #store(setCookie: string): void {
    const [pair] = setCookie.split(';')
    const eq = pair?.indexOf('=') ?? -1
    if (!pair || eq < 1) return
    const name = pair.slice(0, eq).trim()
    const value = pair.slice(eq + 1).trim()
    if (/;\s*expires=Thu, 01 Jan 1970/i.test(setCookie) || /;\s*max-age=0/i.test(setCookie) || value === '') this.#cookies.delete(name)
    else this.#cookies.set(name, value)
  }

  #cookieHeader(): string {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ')
  }
}

function decodeHtml(value: string): string {
  return value.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;|&#x27;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#x2F;/g, '/')
}
