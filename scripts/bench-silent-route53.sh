#!/usr/bin/env bash
# Times `switchyard snapshot --json` with the Route 53 API silent (AWS_ENDPOINT_URL_ROUTE_53 at a
# port on 127.0.0.1 that accepts TCP connections and never answers) and every other API in moto
# (AWS_ENDPOINT_URL), for the 2-service x 2-region deployment of scripts/seed_moto.py: the wall
# time of 5 runs and their median, and what the sources reported in the last run.
#   scripts/bench-silent-route53.sh [--services N]
# Binary: $SWITCHYARD_BIN, else a debug build (the wall time is the SDK's timeouts, not CPU).
# Uses the .venv that scripts/test installs. Stops what it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
count=2
while [ $# -gt 0 ]; do
  case "$1" in
    --services) count=$2; shift 2 ;;
    *) echo "usage: $0 [--services N]" >&2; exit 2 ;;
  esac
done
[ -x .venv/bin/moto_server ] || { echo "run scripts/test first (it installs moto into .venv)"; exit 2; }
if [ -n "${SWITCHYARD_BIN:-}" ]; then bin=$SWITCHYARD_BIN; else
  cargo build --quiet --bin switchyard
  bin="${CARGO_TARGET_DIR:-target}/debug/switchyard"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d) moto="" silent="" snap_pid=""  # PIDs, killed on the way out
trap 'set +e; for p in $snap_pid $silent $moto; do kill $p; wait $p; done 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT; trap 'exit 143' TERM
moto_port=$(free_port) silent_port=$(free_port)
.venv/bin/moto_server -H 127.0.0.1 -p "$moto_port" > "$work/moto.log" 2>&1 &
moto=$!
# The silent Route 53 endpoint: accepts, holds every connection open, never reads or writes.
python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(128)
held = []
while True:
    held.append(s.accept()[0])
' "$silent_port" &
silent=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$moto_port/moto-api/" >/dev/null && break; sleep 0.2; done
cfg="$work/switchyard.toml"
.venv/bin/python scripts/seed_moto.py "http://127.0.0.1:$moto_port" "$cfg" --services "$count" > /dev/null
sed -i '/^endpoint_url = /d' "$cfg"  # the endpoints come from the environment only
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true HOME="$work"
export AWS_ENDPOINT_URL="http://127.0.0.1:$moto_port"
unset SWITCHYARD_ENDPOINT_URL AWS_PROFILE
snap() {  # one run, its wall time in $ms; exit 1 (sources failed) is expected, no JSON is not
  local t0; t0=$(date +%s%N)
  "$bin" snapshot --config "$cfg" --json > "$work/snap.json" 2> "$work/snap.err" &
  snap_pid=$!; wait $snap_pid || true; snap_pid=""
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/snap.json" 2>/dev/null ||
    { echo "snapshot printed no JSON:" >&2; cat "$work/snap.err" >&2; exit 1; }
}
snap  # warm-up with Route 53 in moto too: moto loads each service on first use
export AWS_ENDPOINT_URL_ROUTE_53="http://127.0.0.1:$silent_port"
times=()
for _ in 1 2 3 4 5; do snap; times+=("$ms"); done
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
echo "Route 53 API silent, $count services x 2 regions: median ${median} ms (${times[*]} ms)"
echo "sources of the last run:"
python3 -c '
import json, sys
for s in json.load(open(sys.argv[1]))["sources"]:
    print("  %s@%s: %s" % (s["source"], s["region"], (s["error"] or "ok")[:150]))
' "$work/snap.json"
