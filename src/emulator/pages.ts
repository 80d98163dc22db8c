/**
 * The emulator's few HTML pages: sign-in (pick a user), device code verification, a
 * `form_post` response, an error page and a done page. Plain HTML, no scripts except the
 * `form_post` auto-submit, everything escaped.
 */
import type { UserConfig } from './config.js'

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f3f2f1;margin:0;display:flex;justify-content:center}
main{background:#fff;margin-top:8vh;padding:2rem 2.5rem;width:26rem;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:1.4rem;font-weight:600}button{display:block;width:100%;margin:.5rem 0;padding:.7rem;font-size:1rem;text-align:left;cursor:pointer;background:#fff;border:1px solid #8a8886}
button.primary{background:#0067b8;color:#fff;text-align:center}button.secondary{text-align:center}
small{color:#605e5c}input,select{width:100%;padding:.5rem;font-size:1rem;margin:.3rem 0 1rem;box-sizing:border-box}
</style></head><body><main>
<p><small>Entra ID emulator (entra-oauth): not a real Microsoft sign-in.</small></p>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body></html>`
}

/** Pick an account: one button per user, and Cancel. Posts to `action` with the sign-in id. */
export function signInPage(p: { action: string; signInId: string; appName: string; users: UserConfig[]; loginHint: string | undefined }): string {
  const hint = p.loginHint?.toLowerCase()
  const sorted = [...p.users].sort((a, b) => Number(b.username.toLowerCase() === hint) - Number(a.username.toLowerCase() === hint))
  const buttons = sorted
    .map((u) => `<button type="submit" name="user" value="${escapeHtml(u.id)}" data-username="${escapeHtml(u.username)}">${escapeHtml(u.name)}<br><small>${escapeHtml(u.username)}</small></button>`)
    .join('\n')
  return page(
    'Pick an account',
    `<p>to continue to <b>${escapeHtml(p.appName)}</b></p>
<form method="post" action="${escapeHtml(p.action)}">
<input type="hidden" name="signin" value="${escapeHtml(p.signInId)}">
${buttons || '<p>No users are configured in this tenant.</p>'}
<button type="submit" name="cancel" value="1" class="secondary">Cancel</button>
</form>`,
  )
}

/** Enter a device code, pick a user, approve or deny. */
export function deviceLoginPage(p: { action: string; users: UserConfig[]; code: string | undefined; message?: string | undefined }): string {
  const options = p.users.map((u) => `<option value="${escapeHtml(u.id)}">${escapeHtml(u.name)} (${escapeHtml(u.username)})</option>`).join('')
  return page(
    'Enter code',
    `${p.message ? `<p><b>${escapeHtml(p.message)}</b></p>` : ''}<p>Enter the code displayed on your app or device.</p>
<form method="post" action="${escapeHtml(p.action)}">
<label>Code <input name="user_code" value="${escapeHtml(p.code ?? '')}" autocomplete="off" autofocus></label>
<label>Sign in as <select name="user">${options}</select></label>
<button type="submit" name="approve" value="1" class="primary">Sign in and allow</button>
<button type="submit" name="decline" value="1" class="secondary">Deny</button>
</form>`,
  )
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p>${escapeHtml(message)}</p>`)
}

/** `response_mode=form_post`: posts the response fields to the redirect URI. */
export function formPostPage(redirectUri: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('')
  return `<!doctype html><html><head><title>Working...</title></head><body onload="document.forms[0].submit()">
<form method="post" action="${escapeHtml(redirectUri)}">${inputs}<noscript><button type="submit">Continue</button></noscript></form></body></html>`
}
