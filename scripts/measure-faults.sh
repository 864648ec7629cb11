#!/usr/bin/env bash
# Measures switchyard with one AWS service that accepts connections and never answers: Lambda in
# every region points at a silent listener (AWS_ENDPOINT_URL_LAMBDA), everything else at a moto
# server seeded by scripts/seed_moto.py (AWS_ENDPOINT_URL; the config has no endpoint_url), and
# CloudWatch at a stub that answers every GetMetricData with no data (AWS_ENDPOINT_URL_CLOUDWATCH;
# moto cannot answer the Rust SDK's CBOR CloudWatch, and its errors would hide Lambda's).
#
#   (i)  `switchyard snapshot --json`, 5 timed runs: the median wall time (how long the silent
#        service holds a one-shot read; bounded by the SDK's timeouts, see the README)
#   (ii) the console (`--debug`, 120x35 in a detached tmux session on a tmux server of its own)
#        for DURATION seconds while a key (j, k, Tab in turn) is sent every 200 ms, then `q`: the
#        largest `key_to_frame_us` in the debug log and the `slowest_key_to_frame_ms` it logs on
#        exit, i.e. whether the stuck service ever holds up drawing.
#
#   scripts/measure-faults.sh                 # DURATION=30 RUNS=5
#
# Needs the moto in .venv (scripts/test installs it), tmux, python3, curl, awk. Honours
# CARGO_TARGET_DIR for the release binary. Everything it starts (moto, the silent listener, the
# CloudWatch stub, its tmux server) is stopped on exit, also on Ctrl-C; KEEP=1 keeps the scratch
# directory (configs, logs, snapshots).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-30}
RUNS=${RUNS:-5}
KEY_EVERY=${KEY_EVERY:-0.2}
COLS=120
ROWS=35

for tool in tmux python3 curl awk; do
    command -v "$tool" >/dev/null || { echo "measure-faults: $tool is needed" >&2; exit 2; }
done
[ -x .venv/bin/moto_server ] || { echo "measure-faults: run scripts/test first (it installs moto into .venv)" >&2; exit 2; }

echo "== cargo build --release"
cargo build --release --quiet
bin="${CARGO_TARGET_DIR:-target}/release/switchyard"
case "$bin" in /*) ;; *) bin="$PWD/$bin" ;; esac
[ -x "$bin" ] || { echo "measure-faults: no binary at $bin" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/measure-faults.XXXXXX")
socket="switchyard-faults-$$"
moto_pid=""
silent_pid=""
cloudwatch_pid=""
cleanup() {
    tmux -L "$socket" kill-server 2>/dev/null || true
    if [ -n "$cloudwatch_pid" ]; then kill "$cloudwatch_pid" 2>/dev/null || true; wait "$cloudwatch_pid" 2>/dev/null || true; fi
    if [ -n "$silent_pid" ]; then kill "$silent_pid" 2>/dev/null || true; wait "$silent_pid" 2>/dev/null || true; fi
    if [ -n "$moto_pid" ]; then kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; fi
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# moto, seeded with 2 services x 2 regions; a config without endpoint_url.
moto_port=$(free_port)
moto="http://127.0.0.1:$moto_port"
.venv/bin/moto_server -H 127.0.0.1 -p "$moto_port" >"$work/moto.log" 2>&1 &
moto_pid=$!
for _ in $(seq 150); do curl -sf "$moto/moto-api/" >/dev/null && break; sleep 0.2; done
curl -sf "$moto/moto-api/" >/dev/null || { echo "measure-faults: moto did not start" >&2; tail "$work/moto.log" >&2; exit 2; }
echo "== seeding moto on port $moto_port"
.venv/bin/python scripts/seed_moto.py "$moto" "$work/with-endpoint.toml"
grep -v '^[[:space:]]*endpoint_url' "$work/with-endpoint.toml" >"$work/switchyard.toml"
if grep -q endpoint_url "$work/switchyard.toml"; then echo "measure-faults: endpoint_url left in the config" >&2; exit 2; fi

# The silent listener: accepts every connection, never reads or answers, holds the sockets.
silent_port=$(free_port)
python3 -c 'import socket,sys; s=socket.create_server(("127.0.0.1",int(sys.argv[1])),backlog=128); held=[s.accept()[0] for _ in iter(int,1)]' "$silent_port" &
silent_pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$silent_port") 2>/dev/null && break; sleep 0.1; done

# The CloudWatch stub: HTTP 200, Smithy RPC v2 CBOR, body 0xA0 (an empty map: no metric data).
cloudwatch_port=$(free_port)
python3 -c '
import http.server as h, sys
class H(h.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        for k, v in (("Content-Type", "application/cbor"), ("smithy-protocol", "rpc-v2-cbor"), ("Content-Length", "1")):
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(b"\xa0")
    def log_message(self, *args):
        pass
h.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$cloudwatch_port" &
cloudwatch_pid=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$cloudwatch_port") 2>/dev/null && break; sleep 0.1; done

# A clean environment: test credentials, a HOME of its own, the endpoints.
mkdir -p "$work/home" "$work/state"
run_env=(env -i "PATH=$PATH" "HOME=$work/home" "XDG_STATE_HOME=$work/state" "XDG_CONFIG_HOME=$work/home/.config"
    AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_EC2_METADATA_DISABLED=true
    "AWS_ENDPOINT_URL=$moto" "AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:$silent_port"
    "AWS_ENDPOINT_URL_CLOUDWATCH=http://127.0.0.1:$cloudwatch_port")

# (i) snapshot. Warm moto first (each service loads on first use) with the endpoint config,
# whose Lambda is moto: that run is not timed.
echo "== warming moto (one snapshot with every service on moto, not timed)"
"${run_env[@]}" "$bin" snapshot --json --config "$work/with-endpoint.toml" >"$work/warm.json" || true
echo "== (i) snapshot --json with a silent Lambda endpoint, $RUNS runs"
times=()
for i in $(seq "$RUNS"); do
    start=$(date +%s%N)
    code=0
    "${run_env[@]}" "$bin" snapshot --json --config "$work/switchyard.toml" >"$work/snap-$i.json" 2>"$work/snap-$i.err" || code=$?
    t=$(ms_since "$start")
    times+=("$t")
    echo "  run $i: ${t} ms, exit $code"
done
median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
echo "  sources with an error in the last run:"
python3 - "$work/snap-$RUNS.json" <<'EOF'
import json, sys
for s in json.load(open(sys.argv[1]))["sources"]:
    if s["error"]:
        print(f'    {s["source"]}@{s["region"]}: {s["error"]}')
EOF

# (ii) the console under the same fault, keys every KEY_EVERY seconds.
echo "== (ii) console --debug ${COLS}x${ROWS} for ${DURATION} s, a key every ${KEY_EVERY} s"
printf -v cmd '%q ' "${run_env[@]}" TERM=screen-256color "$bin" --config "$work/switchyard.toml" --debug
tmux -L "$socket" -f /dev/null new-session -d -s faults -x "$COLS" -y "$ROWS" "exec $cmd"
pane_pid=$(tmux -L "$socket" list-panes -t faults -F '#{pane_pid}')
sleep 1
kill -0 "$pane_pid" 2>/dev/null || { echo "measure-faults: the console is not running" >&2; exit 2; }
keys=(j k Tab)
sent=0
end=$(( $(date +%s) + DURATION ))
while [ "$(date +%s)" -lt "$end" ]; do
    tmux -L "$socket" send-keys -t faults "${keys[$(( sent % 3 ))]}"
    sent=$(( sent + 1 ))
    sleep "$KEY_EVERY"
done
tmux -L "$socket" capture-pane -p -t faults >"$work/screen.txt" || true
tmux -L "$socket" send-keys -t faults q
quit="yes"
for _ in $(seq 50); do kill -0 "$pane_pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pane_pid" 2>/dev/null; then
    quit="no (killed pid $pane_pid)"
    kill "$pane_pid" 2>/dev/null || true
fi
sleep 0.3 # the log writer flushes on exit
log="$work/state/switchyard/switchyard.log"
[ -f "$log" ] || { echo "measure-faults: no debug log at $log" >&2; exit 2; }
read -r frames max_us p50_us < <(awk '
    match($0, /key_to_frame_us=[0-9]+/) { v[++n] = substr($0, RSTART + 16, RLENGTH - 16) + 0 }
    END {
        if (n == 0) { print 0, "-", "-"; exit }
        # sort (insertion; n is a few hundred)
        for (i = 2; i <= n; i++) { x = v[i]; j = i - 1; while (j > 0 && v[j] > x) { v[j + 1] = v[j]; j-- } v[j + 1] = x }
        print n, v[n], v[int((n + 1) / 2)]
    }' "$log")
slowest=$(grep -o 'slowest_key_to_frame_ms=[0-9.]*' "$log" | tail -1 | cut -d= -f2)

echo "== results ($(nproc) cores)"
echo "snapshot --json, silent Lambda: median ${median} ms over $RUNS runs (${times[*]} ms)"
echo "console: $sent keys sent, $frames frames after a key; key_to_frame_us max $max_us, median $p50_us"
echo "console: slowest_key_to_frame_ms ${slowest:-missing} (logged on exit); quit on q: $quit"
echo "last screen:"
sed 's/^/  | /' "$work/screen.txt" | tail -"$ROWS"
