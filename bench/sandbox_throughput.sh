#!/usr/bin/env bash
# Sandbox throughput: wrk (a separate process) against both emulators on loopback, on the
# simplest authenticated read of each (GET one contact; GET one attendee), rate limits raised.
# Target: at least 5,000 requests per second each; prints the figures and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BUILD:-build}/pheedsync
secs=${BENCH_SECONDS:-10}
token=bench-admin-token
out=$(mktemp)
"$bin" sandbox --ghl-port 0 --pheedloop-port 0 --people 200 --seed 3 --json \
  --admin-token "$token" >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f "$out"' EXIT
for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done

read -r ghl pl pit loc org key secret < <(python3 -c '
import json,sys; i=json.loads(open(sys.argv[1]).readline()); g=i["highlevel"]; p=i["pheedloop"]
print(g["base_url"], p["base_url"]+p["base_path"], g["pit"], g["location_id"], p["org_code"], p["api_key"], p["api_secret"])' "$out")

curl -fsS -X PUT "$ghl/_sandbox/settings" -H "X-Sandbox-Token: $token" \
  -H 'Content-Type: application/json' \
  -d '{"rate":{"max_per_interval":1000000000,"interval_ms":1000,"max_daily":1000000000}}' >/dev/null
contact=$(curl -fsS "$ghl/contacts/?locationId=$loc&limit=1" -H "Authorization: Bearer $pit" \
  -H 'Version: 2021-07-28' | python3 -c 'import json,sys; print(json.load(sys.stdin)["contacts"][0]["id"])')
attendee=$(curl -fsS "${pl}events/EVESANDBOX1/attendees/?page_size=1" -H "X-API-KEY: $key" \
  -H "X-API-SECRET: $secret" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["code"])')

run() { # label url headers...
  local label=$1 url=$2; shift 2
  local hdrs=()
  for h in "$@"; do hdrs+=(-H "$h"); done
  local rps
  rps=$(wrk -t2 -c32 -d"${secs}s" "${hdrs[@]}" "$url" | awk '/Requests\/sec/ {print $2}')
  awk -v l="$label" -v r="$rps" 'BEGIN { printf "%-30s %10.0f req/s   target 5000   ratio %.2f\n", l, r, r / 5000 }'
}

echo "sandbox throughput (wrk -t2 -c32, ${secs}s each, keep-alive, loopback)"
run "HighLevel GET /contacts/{id}" "$ghl/contacts/$contact" "Authorization: Bearer $pit" "Version: 2021-07-28"
run "PheedLoop GET attendee" "${pl}events/EVESANDBOX1/attendees/$attendee/" "X-API-KEY: $key" "X-API-SECRET: $secret"
