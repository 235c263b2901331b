#!/usr/bin/env bash
# Makes a split store of the file layout before schema 11 (a file per mail in outbox/, idempotency
# records hashed over every bucket in records/idempotency/), kept so that reads, verify and the
# upgrade to the layout of schema 11 are tested against what those releases really wrote. Each was
# run once, with the okpay of its schema:
# - test/fixtures/schema9-store, by okpay at 7b8f901 (split schema 9): the schema-2 fixture
#   (test/fixtures/schema2-store) upgraded, then three transfers by Bob with idempotency keys
#   upgrade-key-1 to -3 (seven mails in all);
# - test/fixtures/schema10-store, by okpay at 65837a0 (split schema 10, the queue by shape): the
#   schema-9 fixture after one more transfer by Bob, key upgrade-key-4, which made that release
#   refile its queue (eight mails);
# - test/fixtures/schema11-store, by okpay at 8d82273 (split schema 11, the layout of mails in
#   segments, before schema 12's index of emails by user id and schema 13's phone-codes records):
#   the schema-10 fixture after one more transfer by Bob (upgrade-key-5), which made that release
#   upgrade it, two phone codes Chen asked for +447700900199 (an account's own count, which that
#   release kept), and Amy's look at the queue (so her session is fresh for the test).
#
# Usage: scripts/make-old-layout-fixture.sh 9|10|11 [OUT_DIR]   (default: test/fixtures/schema<N>-store)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
schema="$1"
out="${2:-$root/test/fixtures/schema$schema-store}"
case "$schema" in
  9) from="$root/test/fixtures/schema2-store/data" now='2026-11-23T10:10:00.000Z' keys='1 2 3' ;;
  10) from="$root/test/fixtures/schema9-store/data" now='2026-11-23T10:20:00.000Z' keys='4' ;;
  11) from="$root/test/fixtures/schema10-store/data" now='2026-11-23T10:25:00.000Z' keys='5' ;;
  *) echo "usage: $0 9|10|11 [OUT_DIR]" >&2 && exit 2 ;;
esac
export OKPAY_NOW="$now"
export OKPAY_BCRYPT_COST=4
rm -rf "$out"
mkdir -p "$out"
cp -r "$from" "$out/data"
export OKPAY_HOME="$out/data"
okpay() { node "$root/bin/okpay.js" "$@"; }

okpay verify >/dev/null
token() { node -e 'process.stdout.write(require(process.argv[1])[process.argv[2]])' "$root/test/fixtures/schema2-store/tokens.json" "$1"; }
bob="$(token bob)"
for k in $keys; do
  OKPAY_SESSION="$bob" okpay transfer --to chen.li@example.cn --amount "0.0$k" --currency USD --yes --idempotency-key "upgrade-key-$k" --json >/dev/null
done
if [ "$schema" = 11 ]; then
  for _ in 1 2; do
    printf 'Demo-pass-2026!\n' | OKPAY_SESSION="$(token chen)" okpay profile set --phone +447700900199 --password-stdin --json >/dev/null
  done
  OKPAY_SESSION="$(token amy)" okpay agent queue --json >/dev/null
fi
rm -rf "$OKPAY_HOME"/*.lock
