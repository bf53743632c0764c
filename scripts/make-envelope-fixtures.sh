#!/usr/bin/env bash
# Known-answer fixtures for the icash envelope, made by an independent
# implementation (the openssl CLI), so the tests do not check the project's
# crypto against itself.
#
# Regenerate: bash scripts/make-envelope-fixtures.sh   (from the repository root;
# needs openssl >= 1.1.1, base64, xxd or od). It writes test/fixtures/envelope/
# afresh: a new RSA-2048 key pair each run, so every expected value changes.
#
# Outputs:
#   private-pkcs1.pem          PKCS#1 PEM ("BEGIN RSA PRIVATE KEY")
#   private-pkcs8.pem          PKCS#8 PEM ("BEGIN PRIVATE KEY")
#   private-pkcs1.b64          bare base64 of the PKCS#1 DER (how icash ships it)
#   private-pkcs8.b64          bare base64 of the PKCS#8 DER
#   private-pkcs1-mislabelled.pem  a PKCS#1 body under "BEGIN PRIVATE KEY"
#   public-spki.pem            SPKI PEM ("BEGIN PUBLIC KEY")
#   public-pkcs1.pem           PKCS#1 PEM ("BEGIN RSA PUBLIC KEY")
#   public-spki.b64            bare base64 of the SPKI DER (how icash ships it)
#   public-pkcs1.b64           bare base64 of the PKCS#1 DER
#   aes.json                   {"key": 32 chars, "iv": 16 chars}
#   payload-*.json             the plaintexts, byte-exact (no trailing newline)
#   cases.json                 [{name, payload, encData, signature}]
set -euo pipefail

cd "$(dirname "$0")/.."
out=test/fixtures/envelope
mkdir -p "$out"
rm -f "$out"/*.pem "$out"/*.b64 "$out"/*.json

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- RSA key pair, every encoding the loader must accept -------------------
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$out/private-pkcs8.pem" 2>/dev/null
openssl rsa -in "$out/private-pkcs8.pem" -traditional -out "$out/private-pkcs1.pem" 2>/dev/null
openssl rsa -in "$out/private-pkcs8.pem" -traditional -outform DER -out "$work/private-pkcs1.der" 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$out/private-pkcs8.pem" -outform DER -out "$work/private-pkcs8.der"
base64 -w0 "$work/private-pkcs1.der" >"$out/private-pkcs1.b64"
base64 -w0 "$work/private-pkcs8.der" >"$out/private-pkcs8.b64"
{
  echo '-----BEGIN PRIVATE KEY-----'
  base64 -w64 "$work/private-pkcs1.der"
  echo '-----END PRIVATE KEY-----'
} >"$out/private-pkcs1-mislabelled.pem"

openssl rsa -in "$out/private-pkcs8.pem" -pubout -out "$out/public-spki.pem" 2>/dev/null
openssl rsa -in "$out/private-pkcs8.pem" -RSAPublicKey_out -out "$out/public-pkcs1.pem" 2>/dev/null
openssl rsa -in "$out/private-pkcs8.pem" -pubout -outform DER -out "$work/public-spki.der" 2>/dev/null
openssl rsa -in "$out/private-pkcs8.pem" -RSAPublicKey_out -outform DER -out "$work/public-pkcs1.der" 2>/dev/null
base64 -w0 "$work/public-spki.der" >"$out/public-spki.b64"
base64 -w0 "$work/public-pkcs1.der" >"$out/public-pkcs1.b64"

# --- AES material: fixed, [A-Za-z0-9], as icash issues it ------------------
aes_key='Kx7pQ2mVn9RtY4wZa1bC3dE5fG6hJ8kL'
aes_iv='Pq9rS2tU4vW6xY8z'
[ "${#aes_key}" -eq 32 ] && [ "${#aes_iv}" -eq 16 ] || { echo 'bad AES key/IV length' >&2; exit 1; }
key_hex=$(printf '%s' "$aes_key" | od -An -tx1 -v | tr -d ' \n')
iv_hex=$(printf '%s' "$aes_iv" | od -An -tx1 -v | tr -d ' \n')
printf '{"key":"%s","iv":"%s"}\n' "$aes_key" "$aes_iv" >"$out/aes.json"

# --- payloads (exact bytes; printf '%s' adds no newline) -------------------
write_payload() { printf '%s' "$2" >"$out/payload-$1.json"; }
write_payload deduct-cancel '{"PlatformID":"10523647","MerchantID":"10523650","MerchantTradeNo":"202305160934510006","MerchantTradeDate":"2023/07/10 23:10:10"}'
write_payload chinese '{"PlatformID":"10523647","MerchantID":"10523650","StoreName":"台北信義店","RtnMsg":"成功","Timestamp":"2023/07/10 23:10:11"}'
write_payload block16 '{"a":"12345678"}'
write_payload block32 '{"MerchantTradeNo":"1234567890"}'
write_payload empty '{}'

size_is() {
  local n
  n=$(wc -c <"$out/payload-$1.json")
  [ "$n" -eq "$2" ] || { echo "payload-$1.json is $n bytes, want $2" >&2; exit 1; }
}
size_is block16 16
size_is block32 32

# --- EncData and signatures, one case per payload --------------------------
cases="$out/cases.json"
printf '[\n' >"$cases"
first=1
for name in deduct-cancel chinese block16 block32 empty; do
  file="$out/payload-$name.json"
  enc=$(openssl enc -aes-256-cbc -K "$key_hex" -iv "$iv_hex" -base64 -A -in "$file")
  printf '%s' "$enc" >"$work/enc.txt"
  sig=$(openssl dgst -sha256 -sign "$out/private-pkcs8.pem" "$work/enc.txt" | base64 -w0)
  # self-check with openssl before recording
  openssl dgst -sha256 -sign "$out/private-pkcs8.pem" -out "$work/sig.bin" "$work/enc.txt"
  openssl dgst -sha256 -verify "$out/public-spki.pem" -signature "$work/sig.bin" "$work/enc.txt" >/dev/null
  [ "$first" -eq 1 ] || printf ',\n' >>"$cases"
  first=0
  printf '  {"name":"%s","payload":"payload-%s.json","encData":"%s","signature":"%s"}' \
    "$name" "$name" "$enc" "$sig" >>"$cases"
done
printf '\n]\n' >>"$cases"

echo "wrote $(ls "$out" | wc -l) files to $out"
