#!/usr/bin/env bash
# Times a guarded failover and failback of `sample` end to end (release build, whole process:
# read every source, plan, preflight, audit intent, UpdateHealthCheck, audit result, re-read and
# verify, audit verified) against a moto server seeded like bench-snapshot.sh; 5 rounds, medians.
# Uses the .venv that scripts/test installs.
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
.venv/bin/python scripts/seed_moto.py "http://127.0.0.1:$port" "$work/switchyard.toml"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true HOME="$work"
export XDG_STATE_HOME="$work/state"
bin="${CARGO_TARGET_DIR:-target}/release/switchyard"
cfg=(--config "$work/switchyard.toml")
"$bin" snapshot "${cfg[@]}" --json > /dev/null || true   # moto loads each service on first use
ms() { local start; start=$(date +%s%N); "$@" > "$work/out.txt"; echo $(( ($(date +%s%N) - start) / 1000000 )); }
over=(); back=()
for _ in 1 2 3 4 5; do
  # moto serves no CloudWatch metrics, so the error-rate check is unknown: forced, with a reason.
  over+=($(ms "$bin" failover "${cfg[@]}" --service sample --to us-west-2 --execute \
    --confirm sample/us-west-2 --force --reason "moto has no metrics"))
  grep -q "DONE, VERIFIED" "$work/out.txt" || { cat "$work/out.txt"; exit 1; }
  back+=($(ms "$bin" failback "${cfg[@]}" --service sample --execute --confirm sample/us-east-1))
  grep -q "DONE, VERIFIED" "$work/out.txt" || { cat "$work/out.txt"; exit 1; }
done
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
echo "failover: median $(median "${over[@]}") ms (${over[*]} ms); failback: median $(median "${back[@]}") ms (${back[*]} ms)"
echo "audit records written: $(wc -l < "$XDG_STATE_HOME/switchyard/audit.jsonl") (3 per action)"
