#!/usr/bin/env bash
# Makes test/fixtures/schema2-store: a data directory written by the schema-2 release (one
# state.json beside the journal, audit and outbox), kept so that the upgrade to the split store is
# tested against what that release really wrote. It was run once with okpay at commit 304fe59
# (the last schema-2 release); running it with a later okpay would write a later format.
#
# Usage: scripts/make-schema2-fixture.sh [OUT_DIR]   (default: test/fixtures/schema2-store)
# What it holds, besides data/fixtures/demo.json: a signed-in session still valid ten minutes
# later (tokens.json), an unused quote, an idempotency key, money waiting for an unknown email and
# for an unknown phone, payouts in flight, and tickets with replies from both sides.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/test/fixtures/schema2-store}"
export OKPAY_NOW='2026-11-23T10:00:00.000Z'
export OKPAY_BCRYPT_COST=4
export NODE_ENV=test
rm -rf "$out"
mkdir -p "$out"
export OKPAY_HOME="$out/data"

okpay() { node "$root/bin/okpay.js" "$@"; }
field() { node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{let v=JSON.parse(s);for(const k of process.argv[1].split("."))v=v[k];process.stdout.write(String(v))})' "$1"; }
login() {
  local email="$1" otp=()
  [ "$email" = bob@example.com ] && otp=(--otp "$(okpay dev otp --email "$email" --json | field code)")
  printf 'Demo-pass-2026!' | okpay login --email "$email" --password-stdin "${otp[@]}" --raw
}

okpay fixtures load "$root/data/fixtures/demo.json" --json >/dev/null
bob="$(login bob@example.com)"
chen="$(login chen.li@example.cn)"
amy="$(login amy@support.okpay.example)"

# An unused quote that is still valid a few minutes later.
quote="$(OKPAY_SESSION="$bob" okpay fee quote transfer --to lena.mueller@example.de --amount 25.00 --currency USD --to-currency EUR --json | field quote.id)"
# A transfer with an idempotency key.
OKPAY_SESSION="$bob" okpay transfer --to chen.li@example.cn --amount 12.34 --currency USD --idempotency-key fixture-key-1 --memo 'idempotent' --yes --json >/dev/null
# Money unclaimed for an email and for a phone that have no account.
OKPAY_SESSION="$bob" okpay transfer --to nobody.yet@example.org --amount 20.00 --currency USD --memo 'for a stranger' --yes --json >/dev/null
OKPAY_SESSION="$chen" okpay transfer --to +447700900123 --amount 100.00 --currency CNY --yes --json >/dev/null
# Another payout in flight (the demo has two already).
method="$(OKPAY_SESSION="$chen" okpay withdraw methods add ewallet --provider WeChat --account chen.wechat --json | field method.id)"
OKPAY_SESSION="$chen" okpay withdraw --method "$method" --amount 50.00 --currency CNY --yes --json >/dev/null
# A ticket with a reply from the customer and one from an agent.
number="$(OKPAY_SESSION="$bob" okpay ticket new --category account --subject 'Fixture ticket' --body 'first message' --json | field ticket.number)"
OKPAY_SESSION="$bob" okpay ticket reply "$number" --body 'second message from the customer' --json >/dev/null
OKPAY_SESSION="$amy" okpay ticket reply "$number" --body 'an answer from support' --json >/dev/null

node -e 'process.stdout.write(JSON.stringify({bob:process.argv[1],chen:process.argv[2],amy:process.argv[3],quote:process.argv[4],ticket:Number(process.argv[5]),now:process.env.OKPAY_NOW},null,2)+"\n")' "$bob" "$chen" "$amy" "$quote" "$number" >"$out/tokens.json"
rm -f "$OKPAY_HOME/session" "$OKPAY_HOME"/okpay.lock -r
okpay verify --json >/dev/null
echo "wrote $out"
