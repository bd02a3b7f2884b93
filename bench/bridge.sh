#!/usr/bin/env bash
# Bridge benchmarks (issue 5), run by scripts/bench: every figure beside a baseline measured in the
# same run on the same processes.
#   mirror      end-to-end throughput (litc-bench, 64 B echo, window 1000) with litc-bridge mirroring
#               every event into a real redis-server, beside the same broker + worker without the
#               bridge; the bridge's mirror lag (event time -> answered by Redis) from /metrics, and
#               what the mirror costs Redis and the bridge per job (CPU time, Redis commands).
#   paced       the same load paced at 40 % of the no-bridge rate (litc-bench --rate), on a fresh
#               mirror: the lag when the mirror is not saturated.
#   http        POST /lit-compute/jobs/submit rate with wrk (jobs go through Redis and the broker),
#               beside wrk against GET /healthz on the same server (the HTTP layer's own ceiling).
# Usage: bench/bridge.sh BIN_DIR OUT_DIR [--smoke]   (LITC_BRIDGE_ARGS: extra litc-bridge flags;
#        LITC_BRIDGE_BENCH_S: seconds per mirror round, default 10)
# Writes OUT_DIR/bridge.json (one JSON object per case) and prints a table.
set -euo pipefail

bin=$(cd "$1" && pwd)
out=$2
smoke=0
[[ "${3:-}" == --smoke ]] && smoke=1
duration=${LITC_BRIDGE_BENCH_S:-10}
wrk_s=5
((smoke)) && duration=1 && wrk_s=1

work=$(mktemp -d /tmp/litc-bridge-bench.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.2
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

port_free() { ! (exec 9<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$((20000 + RANDOM % 20000))
  while ! port_free "$p"; do p=$((p + 1)); done
  echo "$p"
}
wait_file() { # FILE PID
  for _ in $(seq 200); do
    [[ -s "$1" ]] && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}
redis_cpu() { # seconds of CPU redis-server has used (user + system)
  redis-cli -p "$redis_port" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/ { t += $2 } END { print t }'
}
proc_cpu() { # PID: seconds of CPU the process has used (user + system)
  awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat"
}
us_per_job() { # CPU_SECONDS_BEFORE CPU_SECONDS_AFTER JOBS
  awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%.1f", (n > 0 ? (b - a) * 1e6 / n : 0) }'
}
metric() { # NAME: the value of an unlabelled metric of the bridge
  curl -s "$http/metrics" | awk -v n="$1" '$1 == n { print $2 }'
}
# The lag histogram's buckets now, one "bound cumulative-count" line each.
lag_buckets() {
  curl -s "$http/metrics" | awk '/^litc_bridge_mirror_lag_ms_bucket/ {
    match($0, /le="[^"]*"/); print substr($0, RSTART + 4, RLENGTH - 5), $2 }'
}
# The smallest histogram bound under which q of the lag observations fall; with a FILE of earlier
# lag_buckets, of the observations made since.
lag_quantile() { # Q [FILE]
  lag_buckets | awk -v q="$1" -v since="${2:-}" '
    BEGIN { if (since != "") while ((getline line < since) > 0) { split(line, f, " "); before[f[1]] = f[2] } }
    { b[++n] = $1; c[n] = $2 - (($1 in before) ? before[$1] : 0) }
    END { total = c[n]; if (total <= 0) { print "none"; exit } for (i = 1; i <= n; i++) if (c[i] >= q * total) { print b[i]; exit } }'
}
wait_mirror() { # until the bridge has applied every event the broker published (60 s at most)
  local broker_seq
  for _ in $(seq 600); do
    broker_seq=$("$bin/litc" stats --broker "$clients" --timeout-ms 2000 | sed 's/.*"seq":\([0-9]*\).*/\1/') || true
    [[ -n "$broker_seq" && "$(metric litc_bridge_broker_seq)" == "$broker_seq" ]] && return 0
    sleep 0.1
  done
  echo "bridge bench: the mirror did not catch up within 60 s (logs: $work)" >&2
  trap - EXIT
  exit 1
}

# --- one broker + one worker, shared by every case ------------------------------------------------
"$bin/litc-broker" --clients 'tcp://127.0.0.1:*' --workers 'tcp://127.0.0.1:*' \
  --events 'tcp://127.0.0.1:*' --snapshot 'tcp://127.0.0.1:*' --endpoints-file "$work/endpoints" \
  --log-level warn >"$work/broker.log" 2>&1 &
broker_pid=$!
pids+=("$broker_pid")
wait_file "$work/endpoints" "$broker_pid" || { echo "bridge bench: broker did not start" >&2; exit 1; }
ep() { sed -n "s/^$1=//p" "$work/endpoints"; }
clients=$(ep clients)
workers=$(ep workers)
events=$(ep events)
snapshot=$(ep snapshot)

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work" \
  >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  [[ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" == PONG ]] && break
  sleep 0.05
done

start_bridge() {
  rm -f "$work/bridge-endpoints"
  "$bin/litc-bridge" --broker "$clients" --events "$events" --snapshot "$snapshot" \
    --workers "$workers" --redis "redis://127.0.0.1:$redis_port" --listen 127.0.0.1:0 \
    --endpoints-file "$work/bridge-endpoints" --blob-dir "$work/blobs" --log-level warn \
    ${LITC_BRIDGE_ARGS:-} \
    >>"$work/bridge.log" 2>&1 &
  bridge_pid=$!
  pids+=("$bridge_pid")
  wait_file "$work/bridge-endpoints" "$bridge_pid" || { echo "bridge bench: bridge did not start" >&2; exit 1; }
  http="http://$(sed -n 's/^http=//p' "$work/bridge-endpoints")"
  for _ in $(seq 200); do
    curl -sf "$http/healthz" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "bridge bench: bridge never became healthy" >&2
  exit 1
}

throughput() { # LABEL [RATE]: litc-bench against the running broker, jobs/s on stdout
  "$bin/litc-bench" --mode throughput --clients "$clients" --workers-endpoint "$workers" \
    --rate "${2:-0}" \
    --events "$events" \
    --broker-pid "$broker_pid" --workers 1 --window 1000 --duration-s "$duration" --rounds 1 \
    --no-baseline --quiet --json --bin-dir "$bin" 2>"$work/bench-$1.err" |
    grep '"case":"throughput"' | sed 's/.*"jobs_per_s":\([0-9.]*\).*/\1/'
}

echo "bridge bench: throughput without the bridge" >&2
off=$(throughput off)
start_bridge

# The lag below saturation, on a fresh mirror: the same load paced at 40 % of the rate reached
# without the bridge.
paced_rate=$(awk -v r="${off:-0}" 'BEGIN { printf "%d", int(r * 0.4 / 1000) * 1000 }')
((paced_rate < 1000)) && paced_rate=1000
echo "bridge bench: mirror lag with the load paced at $paced_rate jobs/s" >&2
lag_buckets >"$work/lag-before"
paced=$(throughput paced "$paced_rate")
wait_mirror
paced_p50=$(lag_quantile 0.5 "$work/lag-before")
paced_p99=$(lag_quantile 0.99 "$work/lag-before")

echo "bridge bench: unpaced with the bridge mirroring" >&2
lag_buckets >"$work/lag-before"
before=$(redis-cli -p "$redis_port" zcard jobs:completed)
redis-cli -p "$redis_port" config resetstat >/dev/null
cpu0=$(redis_cpu)
bridge_cpu0=$(proc_cpu "$bridge_pid")
t0=${EPOCHREALTIME/[.,]/}
on=$(throughput on)
wait_mirror  # it catches up
t1=${EPOCHREALTIME/[.,]/}
mirrored=$(($(redis-cli -p "$redis_port" zcard jobs:completed) - before))
# What the mirror costs Redis per job: its CPU time (commands, parsing, replies) and its commands.
redis_us_per_job=$(us_per_job "$cpu0" "$(redis_cpu)" "$mirrored")
bridge_us_per_job=$(us_per_job "$bridge_cpu0" "$(proc_cpu "$bridge_pid")" "$mirrored")
redis_cmds_per_job=$(redis-cli -p "$redis_port" info commandstats | tr -d '\r' | awk -F'[=,]' -v n="$mirrored" '
  /^cmdstat_/ && !/^cmdstat_(info|config|zcard)/ { calls += $2 }
  END { printf "%.2f", (n > 0 ? calls / n : 0) }')
# What the mirror sustains: the jobs of the "on" run over the time until Redis held them all.
mirror_rate=$(awk -v n="$mirrored" -v us=$((t1 - t0)) 'BEGIN { printf "%.0f", (us > 0 ? n * 1e6 / us : 0) }')
p50=$(lag_quantile 0.5 "$work/lag-before")
p99=$(lag_quantile 0.99 "$work/lag-before")
completed=$(redis-cli -p "$redis_port" zcard jobs:completed)

ratio=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')

# --- HTTP: wrk POST submit vs GET /healthz on the same server ---------------------------------------
cat >"$work/submit.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"operation":"echo","input":"0123456789012345678901234567890123456789012345678901234567890123"}'
local bad = 0
response = function(status, headers, body)
  if status ~= 202 then bad = bad + 1 end
end
done = function(summary, latency, requests)
  io.write(string.format("non202 %d\n", bad))
end
LUA
wrk_rate() { # ARGS...: requests/s
  wrk -t1 -c16 -d"${wrk_s}s" --latency "$@" >"$work/wrk.out" 2>&1 || true
  awk '/^Requests\/sec:/ { print $2 }' "$work/wrk.out"
}
wrk_p99() { awk '$1 == "99%" { print $2 }' "$work/wrk.out"; }
echo "bridge bench: wrk GET /healthz, then POST jobs/submit" >&2
health_rate=$(wrk_rate "$http/healthz")
health_p99=$(wrk_p99)
submit_rate=$(wrk_rate -s "$work/submit.lua" "$http/lit-compute/jobs/submit")
submit_p99=$(wrk_p99)
non202=$(awk '$1 == "non202" { print $2 }' "$work/wrk.out")
http_ratio=$(awk -v a="$submit_rate" -v b="$health_rate" 'BEGIN { printf "%.3f", (b > 0 ? a / b : 0) }')

mkdir -p "$out"
{
  printf '{"case":"mirror_throughput","jobs_per_s":%s,"baseline_jobs_per_s":%s,"baseline_ratio":%s,"mirror_lag_p50_ms_le":"%s","mirror_lag_p99_ms_le":"%s","jobs_completed_in_redis":%s,"mirror_sustained_jobs_per_s":%s,"redis_cpu_us_per_job":%s,"redis_commands_per_job":%s,"bridge_cpu_us_per_job":%s,"duration_s":%s}\n' \
    "${on:-0}" "${off:-0}" "$ratio" "$p50" "$p99" "${completed:-0}" "${mirror_rate:-0}" \
    "$redis_us_per_job" "$redis_cmds_per_job" "$bridge_us_per_job" "$duration"
  printf '{"case":"mirror_lag_paced","jobs_per_s":%s,"rate":%s,"mirror_lag_p50_ms_le":"%s","mirror_lag_p99_ms_le":"%s","duration_s":%s}\n' \
    "${paced:-0}" "$paced_rate" "$paced_p50" "$paced_p99" "$duration"
  printf '{"case":"http_submit","requests_per_s":%s,"p99":"%s","non_202":%s,"baseline_requests_per_s":%s,"baseline_p99":"%s","baseline_ratio":%s,"duration_s":%s}\n' \
    "${submit_rate:-0}" "$submit_p99" "${non202:-0}" "${health_rate:-0}" "$health_p99" "$http_ratio" "$wrk_s"
} >"$out/bridge.json"

cat <<TABLE
case                 ours                 baseline (same run)       ratio   notes
mirror_throughput    ${on:-?} jobs/s      ${off:-?} jobs/s (no bridge)  $ratio   lag p50 <= ${p50} ms, p99 <= ${p99} ms; mirror kept ${mirror_rate} jobs/s until caught up; Redis ${redis_us_per_job} us CPU and ${redis_cmds_per_job} commands per job, litc-bridge ${bridge_us_per_job} us CPU per job; target >= 150k jobs/s, p99 <= 50 ms
mirror_lag_paced     ${paced:-?} jobs/s      (paced at $paced_rate)             -       lag p50 <= ${paced_p50} ms, p99 <= ${paced_p99} ms (target p99 <= 50 ms)
http_submit          ${submit_rate:-?} req/s      ${health_rate:-?} req/s (GET /healthz)  $http_ratio   p99 ${submit_p99} vs ${health_p99}; non-202: ${non202:-?}
TABLE

# Correctness, asserted even in the smoke run: every submit accepted, the mirror complete.
if [[ -z "$on" || -z "$off" || -z "$paced" || -z "$submit_rate" ]]; then
  echo "bridge bench: a case produced no figure (logs: $work)" >&2
  trap - EXIT
  exit 1
fi
if [[ "${non202:-1}" != 0 ]]; then
  echo "bridge bench: $non202 submits were not answered 202" >&2
  exit 1
fi
