#!/usr/bin/env bash
# Times `switchyard snapshot --json` against moto behind scripts/latency_proxy.py (a fixed delay
# each way, one extra round trip per new connection), for N services x 2 regions in one hosted
# zone: median wall time of 5 runs, then, for the median run, calls per API, connections and the
# longest chain of calls made one after another (the critical path).
#   scripts/bench-latency.sh [--delay-ms 25] [--services "2 20"] [--pass-close]
# (--pass-close: keep moto's `Connection: close`, so every call opens a connection; by default the
# proxy keeps the client's connections open, as AWS does.)
# Binary: $SWITCHYARD_BIN, else a release build. Uses the .venv that scripts/test installs.
set -euo pipefail
cd "$(dirname "$0")/.."
delay=25 counts="2 20" pass_close=""
while [ $# -gt 0 ]; do
  case "$1" in
    --delay-ms) delay=$2; shift 2 ;;
    --services) counts=$2; shift 2 ;;
    --pass-close) pass_close=--pass-close; shift ;;
    *) echo "usage: $0 [--delay-ms MS] [--services \"2 20\"] [--pass-close]" >&2; exit 2 ;;
  esac
done
[ -x .venv/bin/moto_server ] || { echo "run scripts/test first (it installs moto into .venv)"; exit 2; }
if [ -n "${SWITCHYARD_BIN:-}" ]; then bin=$SWITCHYARD_BIN; else
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/switchyard"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d) moto="" proxy="" snap_pid=""  # PIDs, killed on the way out
trap 'set +e; for p in $snap_pid $proxy $moto; do kill $p; wait $p; done 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT; trap 'exit 143' TERM
moto_port=$(free_port) proxy_port=$(free_port)
.venv/bin/moto_server -H 127.0.0.1 -p "$moto_port" > "$work/moto.log" 2>&1 &
moto=$!
python3 scripts/latency_proxy.py --listen-port "$proxy_port" --upstream-port "$moto_port" \
  --delay-ms "$delay" --log "$work/proxy.jsonl" $pass_close 2> "$work/proxy.err" &
proxy=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$proxy_port/moto-api/" >/dev/null && break; sleep 0.2; done
unset SWITCHYARD_ENDPOINT_URL  # the config's endpoint_url (the proxy) must win
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true HOME="$work"
snap() {  # one run, its wall time in $ms; a non-zero exit (findings) is fine, no JSON is not
  local t0; t0=$(date +%s%N)
  "$bin" snapshot --config "$cfg" --json > "$work/snap.json" 2> "$work/snap.err" &
  snap_pid=$!; wait $snap_pid || true; snap_pid=""
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/snap.json" 2>/dev/null ||
    { echo "snapshot printed no JSON:" >&2; cat "$work/snap.err" >&2; exit 1; }
}
summary=() first=""
for n in $counts; do
  curl -sf -X POST "http://127.0.0.1:$moto_port/moto-api/reset" >/dev/null
  cfg="$work/switchyard-$n.toml"
  .venv/bin/python scripts/seed_moto.py "http://127.0.0.1:$moto_port" "$cfg" --services "$n"  # direct: fast
  sed -i "s|^endpoint_url = .*|endpoint_url = \"http://127.0.0.1:$proxy_port\"|" "$cfg"
  snap  # warm-up: moto loads each service on first use
  times=()
  for run in 1 2 3 4 5; do
    sleep 0.3; : > "$work/proxy.jsonl"  # the previous run's connections are closed and logged
    snap
    times+=("$ms")
    sleep 0.3; cp "$work/proxy.jsonl" "$work/run-$run.jsonl"
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  for run in 1 2 3 4 5; do [ "${times[run-1]}" = "$median" ] && break; done
  echo "== $n services x 2 regions, ${delay} ms each way: median ${median} ms (${times[*]} ms)"
  echo "   calls in run $run (the median):"
  python3 scripts/latency_proxy.py analyse "$work/run-$run.jsonl"
  if [ -z "$first" ]; then first=$median; summary+=("$n services: median $median ms")
  else summary+=("$n services: median $median ms ($(python3 -c "print(f'{($median-$first)*100/$first:+.0f} %')"))"); fi
done
(IFS=';'; echo "${summary[*]}" | sed 's/;/; /g')
