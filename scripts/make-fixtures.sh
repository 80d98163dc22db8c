#!/usr/bin/env bash
# Regenerates the test-only keys and certificates in fixtures/keys/. Nothing here is a real
# credential: each certificate is self-signed for CN=entra-oauth-test and used only by tests.
set -euo pipefail
cd "$(dirname "$0")/../fixtures/keys"
days=36500
# RSA 2048, PKCS#8 and PKCS#1 forms of the same key, plus an encrypted PKCS#8 copy.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-pkcs8.pem 2>/dev/null
openssl pkey -in rsa-pkcs8.pem -traditional -out rsa-pkcs1.pem 2>/dev/null || openssl rsa -in rsa-pkcs8.pem -traditional -out rsa-pkcs1.pem 2>/dev/null
openssl pkcs8 -topk8 -in rsa-pkcs8.pem -v2 aes-256-cbc -passout pass:test-passphrase -out rsa-encrypted.pem
openssl req -new -x509 -key rsa-pkcs8.pem -subj "/CN=entra-oauth-test" -days $days -sha256 -out rsa-cert.pem
# A second, unrelated key: signatures made with it must be refused.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other-rsa-pkcs8.pem 2>/dev/null
openssl req -new -x509 -key other-rsa-pkcs8.pem -subj "/CN=entra-oauth-other" -days $days -sha256 -out other-rsa-cert.pem
# An EC P-256 key and certificate.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec-pkcs8.pem 2>/dev/null
openssl req -new -x509 -key ec-pkcs8.pem -subj "/CN=entra-oauth-ec" -days $days -sha256 -out ec-cert.pem
for cert in rsa-cert other-rsa-cert ec-cert; do
  openssl x509 -in $cert.pem -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' > $cert.sha256
  openssl x509 -in $cert.pem -noout -fingerprint -sha1 | sed 's/.*=//; s/://g' | tr 'A-F' 'a-f' > $cert.sha1
done
echo "fixtures/keys regenerated"
