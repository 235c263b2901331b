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
#   refile its queue (eight mails).
#
# Usage: scripts/make-old-layout-fixture.sh 9|10 [OUT_DIR]   (default: test/fixtures/schema<N>-store)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
schema="$1"
out="${2:-$root/test/fixtures/schema$schema-store}"
case "$schema" in
  9) from="$root/test/fixtures/schema2-store/data" now='2026-11-23T10:10:00.000Z' keys='1 2 3' ;;
  10) from="$root/test/fixtures/schema9-store/data" now='2026-11-23T10:20:00.000Z' keys='4' ;;
  *) echo "usage: $0 9|10 [OUT_DIR]" >&2 && exit 2 ;;
esac
export OKPAY_NOW="$now"
export OKPAY_BCRYPT_COST=4
rm -rf "$out"
mkdir -p "$out"
cp -r "$from" "$out/data"
export OKPAY_HOME="$out/data"
okpay() { node "$root/bin/okpay.js" "$@"; }

okpay verify >/dev/null
bob="$(node -e 'process.stdout.write(require(process.argv[1]).bob)' "$root/test/fixtures/schema2-store/tokens.json")"
for k in $keys; do
  OKPAY_SESSION="$bob" okpay transfer --to chen.li@example.cn --amount "0.0$k" --currency USD --yes --idempotency-key "upgrade-key-$k" --json >/dev/null
done
rm -rf "$OKPAY_HOME"/*.lock
