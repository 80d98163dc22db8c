/** Certificate helpers for JOSE headers, with no crypto library behind them. */

/** A certificate thumbprint written as hex (with or without colons) → base64url, as `x5t`/`x5t#S256` want. */
export function thumbprintToBase64Url(hex: string): string {
  return Buffer.from(hex.replace(/[:\s]/g, ''), 'hex').toString('base64url')
}

/** PEM certificates (one or a chain) → `x5c` values: base64 DER, leaf first, not url-safe. */
export function pemChainToX5c(pem: string): string[] {
  const out: string[] = []
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g
  for (let m = re.exec(pem); m !== null; m = re.exec(pem)) out.push((m[1] ?? '').replace(/\s+/g, ''))
  return out
}
