#!/usr/bin/env bash
# Soak test of `rivalwatch serve` (not a unit test): runs the daemon for N
# minutes against the local demo replay with fast schedules (every pull
# every 2 s; the replay moves to day two after a minute) and prints, every
# 30 s, its resident memory, the Go heap in use, goroutines, database size
# and runs stored.
#
#   scripts/soak.sh [MINUTES] [PORT]        # defaults: 30 minutes, port 18090
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:-30}
port=${2:-18090}
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$tmp"' EXIT

go build -o "$tmp/rivalwatch" ./cmd/rivalwatch
"$tmp/rivalwatch" demo --serve --dir "$tmp" --listen "127.0.0.1:$port" --every 2s --switch-after 1m >"$tmp/out.log" 2>"$tmp/err.log" &
pid=$!
db="$tmp/rivalwatch-demo.db"
until curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; do sleep 0.2; done

printf '%-8s %-8s %-8s %-11s %-8s %-6s %-7s\n' minute rss_mb heap_mb goroutines db_kb runs events
end=$(( $(date +%s) + minutes * 60 ))
start=$(date +%s)
while :; do
  now=$(date +%s)
  rss=$(awk '/VmRSS/ {printf "%.1f", $2/1024}' "/proc/$pid/status")
  metrics=$(curl -fsS "http://127.0.0.1:$port/metrics")
  goroutines=$(awk '/^go_goroutines / {print $2}' <<<"$metrics")
  heap=$(awk '/^go_memstats_heap_inuse_bytes / {printf "%.1f", $2/1048576}' <<<"$metrics")
  runs=$(awk '/^rivalwatch_runs_total/ {s+=$2} END {print s+0}' <<<"$metrics")
  events=$(curl -fsS "http://127.0.0.1:$port/api/changes?since=2d" | { grep -o '"id"' || true; } | wc -l)
  size=$(( ($(stat -c %s "$db") + $(stat -c %s "$db-wal" 2>/dev/null || echo 0)) / 1024 ))
  printf '%-8s %-8s %-8s %-11s %-8s %-6s %-7s\n' "$(( (now - start) / 60 ))" "$rss" "$heap" "$goroutines" "$size" "$runs" "$events"
  [ "$now" -ge "$end" ] && break
  sleep 30
done
curl -fsS "http://127.0.0.1:$port/healthz"
kill -TERM "$pid"
wait "$pid" && echo "serve exited 0 after SIGTERM"
