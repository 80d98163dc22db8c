/**
 * `GET /{tenant}/oauth2/v2.0/authorize` and the sign-in page behind it. Errors about the client
 * or the redirect URI are shown as a page (they cannot be sent back safely); everything else
 * goes back to the redirect URI as `error`, `error_description`, `state`, as Entra does.
 * @see https://learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow#request-an-authorization-code
 */
import { EntraError, missingParameter } from './aadsts.js'
import type { ClientConfig, UserConfig } from './config.js'
import { count, nowSeconds, type EmulatorCore } from './core.js'
import { redirectUriAllowed, type TenantRef } from './directory.js'
import { formPostPage, messagePage, signInPage } from './pages.js'
import { html, redirect, type Reply } from './reply.js'
import { opaque, type PendingSignIn } from './state.js'
import { clientInfo } from './tokens.js'

/** Handles an authorize request: a sign-in page, an immediate code (auto-approve), or an error. */
export function handleAuthorize(core: EmulatorCore, ref: TenantRef, query: URLSearchParams): Reply {
  count(core, 'authorize')
  let client: ClientConfig
  try {
    client = core.directory.client(query.get('client_id') ?? undefined, ref)
  } catch (err) {
    if (err instanceof EntraError) return errorPage(err)
    throw err
  }
  const redirectUri = query.get('redirect_uri')
  if (!redirectUri) return errorPage(missingParameter('redirect_uri'))
  if (!redirectUriAllowed(client, redirectUri)) {
    return errorPage(
      new EntraError(
        'invalid_request',
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
      ),
    )
  }
  const state = query.get('state') ?? undefined
  const modeParam = query.get('response_mode') ?? 'query'
  const responseMode = modeParam === 'query' || modeParam === 'fragment' || modeParam === 'form_post' ? modeParam : 'query'
  const back = (err: EntraError): Reply => respond(responseMode, redirectUri, { error: err.error, error_description: err.message, error_uri: `${core.baseUrl}/error?code=${err.code}`, ...(state === undefined ? {} : { state }) })
  try {
    if (modeParam !== responseMode) throw new EntraError('invalid_request', 900144, `The 'response_mode' '${modeParam}' is not supported; use 'query', 'fragment' or 'form_post'.`)
    const responseType = query.get('response_type')
    if (!responseType) throw missingParameter('response_type')
    if (responseType !== 'code') throw new EntraError('unsupported_response_type', 700054, `response_type '${responseType}' is not enabled for the application.`)
    const scope = query.get('scope')
    if (!scope) throw missingParameter('scope')
    core.directory.delegatedGrant(scope, ref.segment)
    const challenge = query.get('code_challenge') ?? undefined
    const methodParam = query.get('code_challenge_method') ?? (challenge === undefined ? undefined : 'plain')
    if (methodParam !== undefined && methodParam !== 'S256' && methodParam !== 'plain') {
      throw new EntraError('invalid_request', 900144, `The 'code_challenge_method' '${methodParam}' is not supported; use 'S256'.`)
    }
    if (challenge !== undefined && !/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) {
      throw new EntraError('invalid_request', 900144, "The 'code_challenge' must be 43 to 128 characters of [A-Za-z0-9._~-] (RFC 7636).")
    }
    const signIn: PendingSignIn = {
      tenantSegment: ref.segment,
      clientId: client.clientId,
      redirectUri,
      scope,
      state,
      nonce: query.get('nonce') ?? undefined,
      codeChallenge: challenge,
      codeChallengeMethod: methodParam as 'S256' | 'plain' | undefined,
      responseMode,
      loginHint: query.get('login_hint') ?? undefined,
      clientInfo: query.get('client_info') === '1',
      expiresAt: nowSeconds(core) + 3600,
    }
    const auto = autoUser(core, ref, signIn.loginHint)
    if (auto) return completeSignIn(core, signIn, auto)
    if (query.get('prompt') === 'none') throw new EntraError('login_required', 50058, 'A silent sign-in request was sent but no user is signed in.')
    const id = core.state.newSignIn(signIn)
    const users = core.directory.usersIn(ref)
    return html(signInPage({ action: `/${encodeURIComponent(ref.segment)}/login`, signInId: id, appName: client.name, users, loginHint: signIn.loginHint }))
  } catch (err) {
    if (err instanceof EntraError) return back(err)
    throw err
  }
}

/** `POST /{tenant}/login`: the sign-in page's answer (a user picked, or Cancel). */
export function handleSignIn(core: EmulatorCore, ref: TenantRef, form: URLSearchParams): Reply {
  const id = form.get('signin') ?? ''
  const signIn = core.state.signIns.get(id)
  if (!signIn || nowSeconds(core) > signIn.expiresAt || signIn.tenantSegment !== ref.segment) {
    return html(messagePage('Sign-in expired', 'This sign-in page is no longer valid. Start the sign-in again from your application.'), 400)
  }
  core.state.signIns.delete(id)
  if (form.get('cancel') !== null) {
    const err = new EntraError('access_denied', 65004, 'User declined to consent to access the app.')
    return respond(signIn.responseMode, signIn.redirectUri, { error: err.error, error_description: err.message, ...(signIn.state === undefined ? {} : { state: signIn.state }) })
  }
  const user = core.directory.usersIn(ref).find((u) => u.id === form.get('user'))
  if (!user) return html(messagePage('Unknown account', 'That account cannot sign in to this tenant.'), 400)
  return completeSignIn(core, signIn, user)
}

function autoUser(core: EmulatorCore, ref: TenantRef, loginHint: string | undefined): UserConfig | undefined {
  if (core.autoApprove === false) return undefined
  const users = core.directory.usersIn(ref)
  const wanted = typeof core.autoApprove === 'string' ? core.autoApprove : loginHint
  return (wanted === undefined ? undefined : users.find((u) => u.username.toLowerCase() === wanted.toLowerCase())) ?? users[0]
}

function completeSignIn(core: EmulatorCore, signIn: PendingSignIn, user: UserConfig): Reply {
  const code = opaque(48)
  core.state.codes.set(code, {
    clientId: signIn.clientId,
    userId: user.id,
    redirectUri: signIn.redirectUri,
    scope: signIn.scope,
    nonce: signIn.nonce,
    codeChallenge: signIn.codeChallenge,
    codeChallengeMethod: signIn.codeChallengeMethod,
    expiresAt: nowSeconds(core) + core.config.lifetimes.authorizationCode,
    redeemed: false,
  })
  const fields: Record<string, string> = { code }
  if (signIn.clientInfo) fields.client_info = clientInfo(user)
  if (signIn.state !== undefined) fields.state = signIn.state
  return respond(signIn.responseMode, signIn.redirectUri, fields)
}

function respond(mode: 'query' | 'fragment' | 'form_post', redirectUri: string, fields: Record<string, string>): Reply {
  if (mode === 'form_post') return html(formPostPage(redirectUri, fields))
  const url = new URL(redirectUri)
  if (mode === 'fragment') {
    url.hash = new URLSearchParams(fields).toString()
  } else {
    for (const [k, v] of Object.entries(fields)) url.searchParams.set(k, v)
  }
  return redirect(url.href)
}

function errorPage(err: EntraError): Reply {
  return html(messagePage("Sorry, but we're having trouble signing you in.", err.message), 400)
}
