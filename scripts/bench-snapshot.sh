#!/usr/bin/env bash
# Times `switchyard snapshot --json` (release build) against a moto server seeded with 2 services
# x 2 regions, median of 5, next to the same reads made one after another with boto3; prints the
# API calls one full refresh makes. Uses the .venv that scripts/test installs.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/moto_server ] || { echo "run scripts/test first (it installs moto into .venv)"; exit 2; }
cargo build --release --quiet
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
.venv/bin/moto_server -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto=$!
trap 'kill $moto 2>/dev/null; wait $moto 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null && break; sleep 0.2; done
.venv/bin/python scripts/seed_moto.py "http://127.0.0.1:$port" "$work/switchyard.toml" --sequential-reads
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true HOME="$work"
bin="${CARGO_TARGET_DIR:-target}/release/switchyard"
"$bin" snapshot --config "$work/switchyard.toml" --json > "$work/warm.json" || true
times=()
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  "$bin" snapshot --config "$work/switchyard.toml" --json > "$work/snap.json" || true
  times+=($(( ($(date +%s%N) - start) / 1000000 )))
done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
calls=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(s["calls"] for s in d["sources"]))' "$work/snap.json")
echo "switchyard snapshot: median ${median} ms over 5 runs (${times[*]} ms); ${calls} API calls per full refresh"
