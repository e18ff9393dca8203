#!/usr/bin/env bash
# Benchmark (not a test): one 12-cell grid (3 methods × 4 seeds, tiny settings) run one cell after another in one JVM,
# optionally with --parallel 2 (two cell JVMs at a time), and with --executor spark --spark-master local[2]; prints the wall
# times, the mean time a cell's runner reports (metrics.json total_s), and what each executor adds per cell.
#
#   nice -n 10 scripts/grid-benchmark.sh [OUT=/tmp/kif-grid-bench]      (BENCH_PARALLEL=1 adds --parallel 2)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-/tmp/kif-grid-bench}"
rm -rf "$out"; mkdir -p "$out"
cat > "$out/tiny.json" <<'JSON'
{"tasks":["dbpedia","agnews"],"train_per_task":2,"test_per_task":2,"class_balanced":false,"epochs":1,"batch":2,
 "max_source_length":24,"max_target_length":6,"eval_batch":16,"seed":3,"memory_ratio":0.5}
JSON
grid=(compare --config "$out/tiny.json" --methods seqlora,kiflora,replay --seeds 4)
"$root/kif" --version >/dev/null; "$root/kif" compare --executor spark --help >/dev/null 2>&1 || true  # builds, untimed

run() { # name, flags...
  local name="$1"; shift
  local t0; t0=$(date +%s.%N)
  "$root/kif" "${grid[@]}" --out "$out/$name" "$@" > "$out/$name.log" 2>&1
  local t1; t1=$(date +%s.%N)
  local cells; cells=$(find "$out/$name" -name metrics.json | xargs -n1 python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["timings"]["total_s"])' | awk '{s+=$1; n++} END {printf "%.1f", s/n}')
  printf '%-12s wall %6.1f s   mean runner time per cell %s s   load %s\n' "$name" "$(echo "$t1 - $t0" | bc)" "$cells" "$(cut -d' ' -f1-3 /proc/loadavg)"
}
run sequential
[ "${BENCH_PARALLEL:-0}" = 1 ] && run parallel-2 --parallel 2
run spark-local2 --executor spark --spark-master 'local[2]'
# Spark: the task's wall time (cell JVM start, ND4J and model load, the run) against the runner's own time
grep -o 'done in [0-9]*s' "$out/spark-local2.log" | tr -dc '0-9\n' | awk '{s+=$1; n++} END {printf "spark-local2 mean task time %.1f s over %d cells\n", s/n, n}'
grep -m1 -o '0/12 cells done (0 before), 0 running, 0 failed, 0 retried, [0-9]*s elapsed' "$out/spark-local2.log" \
  | sed 's/.* \([0-9]*s\) elapsed/spark-local2 SparkContext start-up \1/' || true
for d in sequential parallel-2 spark-local2; do
  [ -f "$out/$d/compare.csv" ] && cut -d, -f1-4,6- "$out/$d/compare.csv" > "$out/$d.table"
done
cmp -s "$out/sequential.table" "$out/spark-local2.table" && echo "tables: identical (sequential, spark-local2)" \
  || echo "tables: DIFFER"
