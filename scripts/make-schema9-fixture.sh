#!/usr/bin/env bash
# Makes test/fixtures/schema9-store: a split store of the file layout before schema 11 (a file per
# mail in outbox/, idempotency records hashed over every bucket in records/idempotency/), kept so
# that the upgrade to the layout of schema 11 is tested against what that release really wrote.
# It was run once with okpay at commit 7b8f901 (split schema 9); a later okpay writes the new layout.
#
# Usage: scripts/make-schema9-fixture.sh [OUT_DIR]   (default: test/fixtures/schema9-store)
# What it holds: the schema-2 fixture (test/fixtures/schema2-store) upgraded by that release, then
# three transfers by Bob with idempotency keys upgrade-key-1 to -3 (seven mails in all).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/test/fixtures/schema9-store}"
export OKPAY_NOW='2026-11-23T10:10:00.000Z'
export OKPAY_BCRYPT_COST=4
rm -rf "$out"
mkdir -p "$out"
cp -r "$root/test/fixtures/schema2-store/data" "$out/data"
export OKPAY_HOME="$out/data"
okpay() { node "$root/bin/okpay.js" "$@"; }

okpay verify >/dev/null
bob="$(node -e 'process.stdout.write(require(process.argv[1]).bob)' "$root/test/fixtures/schema2-store/tokens.json")"
for k in 1 2 3; do
  OKPAY_SESSION="$bob" okpay transfer --to chen.li@example.cn --amount "0.0$k" --currency USD --yes --idempotency-key "upgrade-key-$k" --json >/dev/null
done
rm -rf "$OKPAY_HOME"/*.lock
