#!/usr/bin/env bash
# Measures what an idle `switchyard demo` costs: CPU (% of one core) and resident memory.
#
# Builds the release binary, starts the console in a detached tmux session of 120×35 on a tmux
# server of its own, lets it settle, then watches it for DURATION seconds: CPU time is
# utime+stime from /proc/PID/stat at the start and end of the window, RSS is VmRSS sampled every
# INTERVAL seconds (the maximum is reported, with the kernel's peak VmHWM). Then it quits the
# console with `q` and ends the tmux session.
#
#   scripts/measure-idle.sh                          # the README's `demo` (scenario steady)
#   DURATION=20 scripts/measure-idle.sh demo --scenario region-outage
#
# Targets: < 1 % of a core and < 60 MB RSS. Exits 1 when a target is missed with STRICT=1.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-60}
INTERVAL=${INTERVAL:-5}
SETTLE=${SETTLE:-3}
COLS=${COLS:-120}
ROWS=${ROWS:-35}
CPU_TARGET_PCT=1
RSS_TARGET_MB=60
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(demo)

command -v tmux >/dev/null || { echo "measure-idle: tmux is needed (apt-get install tmux)" >&2; exit 2; }

echo "== cargo build --release"
cargo build --release --quiet
target_dir=$(cargo metadata --format-version 1 --no-deps | grep -o '"target_directory":"[^"]*"' | cut -d'"' -f4)
bin="$target_dir/release/switchyard"
[ -x "$bin" ] || { echo "measure-idle: no binary at $bin" >&2; exit 2; }

socket="switchyard-idle-$$"
session="idle"
pid=""
tmux_() { tmux -L "$socket" "$@"; }
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        tmux_ send-keys -t "$session" q 2>/dev/null || true
        sleep 1
        kill -0 "$pid" 2>/dev/null && kill "$pid" 2>/dev/null || true
    fi
    tmux_ kill-session -t "$session" 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$socket"
}
trap cleanup EXIT

printf -v cmd '%q ' "$bin" "${args[@]}"
echo "== starting: switchyard ${args[*]} in tmux ${COLS}x${ROWS}"
# `exec` so that the pane's process is switchyard itself.
tmux_ -f /dev/null new-session -d -s "$session" -x "$COLS" -y "$ROWS" "exec $cmd"
pid=$(tmux_ list-panes -t "$session" -F '#{pane_pid}')
sleep "$SETTLE"
if ! kill -0 "$pid" 2>/dev/null || [ "$(cat "/proc/$pid/comm")" != switchyard ]; then
    echo "measure-idle: switchyard is not running (pid $pid); screen:" >&2
    tmux_ capture-pane -p -t "$session" >&2 || true
    exit 2
fi

hz=$(getconf CLK_TCK)
# utime + stime in clock ticks (fields 14 and 15; the fields after the command name's ')').
cpu_ticks() { sed 's/.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status"; }
calc() { awk "BEGIN { print $1 }"; }

ticks0=$(cpu_ticks)
t0=$(date +%s.%N)
rss_max=$(rss_kb)
elapsed=0
while [ "$elapsed" -lt "$DURATION" ]; do
    step=$(( DURATION - elapsed < INTERVAL ? DURATION - elapsed : INTERVAL ))
    sleep "$step"
    elapsed=$(( elapsed + step ))
    kill -0 "$pid" 2>/dev/null || { echo "measure-idle: switchyard exited during the run" >&2; exit 2; }
    rss=$(rss_kb)
    [ "$rss" -gt "$rss_max" ] && rss_max=$rss
    printf '  %3ds  VmRSS %6.1f MB\n' "$elapsed" "$(calc "$rss / 1024")"
done
ticks1=$(cpu_ticks)
t1=$(date +%s.%N)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
threads=$(awk '/^Threads:/ { print $2 }' "/proc/$pid/status")
tmux_ capture-pane -p -t "$session" > "${TMPDIR:-/tmp}/measure-idle-screen.txt" || true

cpu_pct=$(calc "($ticks1 - $ticks0) / $hz / ($t1 - $t0) * 100")
rss_mb=$(calc "$rss_max / 1024")
hwm_mb=$(calc "$hwm / 1024")

echo "== quitting (q)"
tmux_ send-keys -t "$session" q
for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
    echo "measure-idle: switchyard did not quit on q within 5 s; killing pid $pid" >&2
    kill "$pid" || true
    quit="no (killed)"
else
    quit="yes"
fi
pid=""
tmux_ kill-session -t "$session" 2>/dev/null || true

cpu_ok=$(calc "($cpu_pct < $CPU_TARGET_PCT) ? 1 : 0")
rss_ok=$(calc "($rss_mb < $RSS_TARGET_MB) ? 1 : 0")
verdict() { [ "$1" = 1 ] && echo ok || echo OVER; }
echo "== idle cost of: switchyard ${args[*]} (${COLS}x${ROWS}, $(printf '%.1f' "$(calc "$t1 - $t0")") s, $(nproc) cores)"
printf 'cpu        %6.2f %% of one core   (target < %s %%: %s; %s ticks at %s Hz)\n' \
    "$cpu_pct" "$CPU_TARGET_PCT" "$(verdict "$cpu_ok")" "$(( ticks1 - ticks0 ))" "$hz"
printf 'rss max    %6.1f MB              (target < %s MB: %s)\n' "$rss_mb" "$RSS_TARGET_MB" "$(verdict "$rss_ok")"
printf 'rss peak   %6.1f MB (VmHWM)\n' "$hwm_mb"
echo "threads    $threads"
echo "quit on q  $quit"
echo "last screen: ${TMPDIR:-/tmp}/measure-idle-screen.txt"
if [ "${STRICT:-0}" = 1 ] && { [ "$cpu_ok" != 1 ] || [ "$rss_ok" != 1 ]; }; then
    exit 1
fi
