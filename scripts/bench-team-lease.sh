#!/usr/bin/env bash
# What the team lease (README, "Working as a team") adds to a guarded action: the wall time of
# `switchyard failover --execute` of `sample` against moto with `[team]` (a bucket in moto: the
# lease put, the records' puts, the lease's delete) and without, median of 5 each, interleaved
# (each failover is undone by a failback, not timed). Then two processes press the same failover within 100 ms
# (the debug-build hook SWITCHYARD_TEST_LEASE_AT: process A at T, process B at T + 50 and
# T + 100 ms), each with its own state folder: who won, and what the other printed.
#   scripts/bench-team-lease.sh
# Binary: $SWITCHYARD_BIN, else a debug build (the hook exists in debug builds only). Uses the
# .venv that scripts/test installs. Talks to 127.0.0.1 only; stops what it started, by PID.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/moto_server ] || { echo "run scripts/test first (it installs moto into .venv)"; exit 2; }
if [ -n "${SWITCHYARD_BIN:-}" ]; then bin=$SWITCHYARD_BIN; else
  cargo build --quiet --bin switchyard
  bin="${CARGO_TARGET_DIR:-target}/debug/switchyard"
fi
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d) moto="" pids=""  # PIDs, killed on the way out
trap 'set +e; for p in $pids $moto; do kill $p; wait $p; done 2>/dev/null; rm -rf "$work"' EXIT
trap 'exit 130' INT; trap 'exit 143' TERM
port=$(free_port)
.venv/bin/moto_server -H 127.0.0.1 -p "$port" > "$work/moto.log" 2>&1 &
moto=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/moto-api/" >/dev/null && break; sleep 0.2; done
plain="$work/plain.toml" team="$work/team.toml"
.venv/bin/python scripts/seed_moto.py "http://127.0.0.1:$port" "$plain" --services 2 > /dev/null
.venv/bin/python - "http://127.0.0.1:$port" <<'PY'
import sys, boto3
boto3.client("s3", region_name="us-east-1", endpoint_url=sys.argv[1], aws_access_key_id="test",
             aws_secret_access_key="test").create_bucket(Bucket="bench-team")
PY
# [team] before the first [[service]] table.
awk 'BEGIN{done=0} /^\[\[service\]\]/ && !done {print "[team]\nbucket = \"bench-team\"\n"; done=1} {print}' "$plain" > "$team"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true HOME="$work"
unset AWS_ENDPOINT_URL AWS_PROFILE SWITCHYARD_ENDPOINT_URL SWITCHYARD_TEST_LEASE_AT
reason=(--force --reason "moto serves no CloudWatch metrics")
failover=(failover --service sample --to us-west-2 --execute --confirm sample/us-west-2 "${reason[@]}")
failback=(failback --service sample --execute --confirm sample/us-east-1 "${reason[@]}")
run() {  # run STATE CONFIG ARGS...: one CLI run with its own state folder; wall time in $ms
  local state=$1 cfg=$2; shift 2
  local t0; t0=$(date +%s%N)
  XDG_STATE_HOME="$work/$state" "$bin" --config "$cfg" "$@" > "$work/out" 2> "$work/err" &
  local pid=$!; pids=$pid; code=0; wait $pid || code=$?; pids=""
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
}
undo() {  # fail back (untimed), so that the next failover has something to do
  run undo "$1" "${failback[@]}"
  [ "$code" = 0 ] || { echo "failback failed ($code):" >&2; cat "$work/out" "$work/err" >&2; exit 1; }
}
once() {  # once LABEL CONFIG: one timed failover (wall time in $ms), then an untimed failback
  run "$1" "$2" "${failover[@]}"
  [ "$code" = 0 ] || { echo "$1 failover failed ($code):" >&2; cat "$work/out" "$work/err" >&2; exit 1; }
  local took=$ms; undo "$2"; ms=$took
}
median() { printf '%s\n' "$@" | sort -n | sed -n 3p; }
run warm "$plain" snapshot --json  # moto loads each service on first use
# Interleaved, so that a slower moment of the machine weighs on both alike.
plain_ms=() team_ms=()
for _ in 1 2 3 4 5; do
  once plain "$plain"; plain_ms+=("$ms")
  once team "$team"; team_ms+=("$ms")
done
plain_median=$(median "${plain_ms[@]}") team_median=$(median "${team_ms[@]}")
echo "without [team]: median ${plain_median} ms (${plain_ms[*]} ms)"
echo "with [team]:    median ${team_median} ms (${team_ms[*]} ms)"
echo "added by the team lease: $(( team_median - plain_median )) ms (median against median)"

# Two operators press within 100 ms. Each run starts both processes 3 s before the moment, so
# that both have read the world from moto and wait at the lease request.
race() {  # race OFFSET_MS
  local offset=$1 at; at=$(( $(date +%s%3N) + 3000 ))
  for who in a b; do
    local when=$at; [ $who = b ] && when=$(( at + offset ))
    SWITCHYARD_TEST_LEASE_AT=$when XDG_STATE_HOME="$work/race-$offset-$who" \
      "$bin" --config "$team" "${failover[@]}" > "$work/race-$who.out" 2> "$work/race-$who.err" &
    eval "pid_$who=$!"
  done
  pids="$pid_a $pid_b"; code_a=0; code_b=0
  wait "$pid_a" || code_a=$?; wait "$pid_b" || code_b=$?; pids=""
  echo "two presses ${offset} ms apart (A at T, B at T+${offset} ms): A exit $code_a, B exit $code_b"
  for who in a b; do
    grep -E '^(DONE|REFUSED|FAILED)' "$work/race-$who.out" | sed "s/^/  $(echo $who | tr a-z A-Z): /" | cut -c1-400
  done
  undo "$team"
}
race 0; race 50; race 100
