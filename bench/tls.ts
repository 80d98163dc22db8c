/**
 * A throwaway certificate authority and a server certificate for the loopback token server,
 * made with openssl at run time. The server certificate is valid for 127.0.0.1, localhost and
 * login.microsoftonline.com (the children send that host's connections to 127.0.0.1), and the
 * children trust the CA through NODE_EXTRA_CA_CERTS: a bundle of the machine's own extra CAs
 * (when NODE_EXTRA_CA_CERTS was already set) plus ours.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

export interface BenchTls {
  key: string
  cert: string
  /** The file to pass as NODE_EXTRA_CA_CERTS to child processes. */
  caBundleFile: string
}

export const IMPERSONATED_HOST = 'login.microsoftonline.com'

export function makeTls(dir: string): BenchTls {
  mkdirSync(dir, { recursive: true })
  const p = (name: string): string => join(dir, name)
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  }
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=entra-oauth bench CA')
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1')
  writeFileSync(p('server.ext'), `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${IMPERSONATED_HOST}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`)
  openssl('x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial', '-out', p('server.pem'), '-days', '2', '-extfile', p('server.ext'))
  const inherited = process.env.NODE_EXTRA_CA_CERTS
  const base = inherited && existsSync(inherited) ? readFileSync(inherited, 'utf8') : ''
  writeFileSync(p('ca-bundle.pem'), `${base.trimEnd()}\n${readFileSync(p('ca.pem'), 'utf8')}`)
  return { key: readFileSync(p('server.key'), 'utf8'), cert: readFileSync(p('server.pem'), 'utf8'), caBundleFile: p('ca-bundle.pem') }
}
