/**
 * Opens a URL in the user's default browser: `open` on macOS, `xdg-open` elsewhere on Unix,
 * `rundll32 url.dll,FileProtocolHandler` on Windows (no shell, so `&` in the URL is not a
 * command separator). Only http(s) URLs are opened.
 */
import { spawn } from 'node:child_process'
import { ClientAuthError } from '../errors.js'

/** @throws ClientAuthError `browser_open_failed` when the launcher cannot be started. */
export function openSystemBrowser(url: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (!/^https?:\/\//i.test(url)) {
    return Promise.reject(new ClientAuthError('browser_open_failed', 'Only http(s) URLs are opened in the browser.'))
  }
  const [command, args]: [string, string[]] =
    platform === 'darwin' ? ['open', [url]] : platform === 'win32' ? ['rundll32', ['url.dll,FileProtocolHandler', url]] : ['xdg-open', [url]]
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsHide: true })
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new ClientAuthError('browser_open_failed', `Could not open the system browser with ${command} (${error.code ?? error.name}). Pass openBrowser to acquireTokenInteractive, or use device code sign-in.`, {
          cause: error,
        }),
      )
    })
    child.once('spawn', () => {
      child.unref()
      resolve()
    })
  })
}
