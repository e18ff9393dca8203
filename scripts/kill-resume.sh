#!/usr/bin/env bash
# Starts `./kif run` on a tiny config, kill -9s it at random moments, resumes until it finishes, and checks that
# the final accuracy matrix equals an uninterrupted run's (same seed, same thread count). Usage:
#   scripts/kill-resume.sh [KILLS=10]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
kills="${1:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cat > "$work/tiny.json" <<'JSON'
{"method":"seqlora","tasks":["dbpedia","agnews"],"train_per_task":8,"test_per_task":4,"class_balanced":false,
 "epochs":2,"batch":2,"max_source_length":40,"max_target_length":6,"eval_batch":16,"seed":5}
JSON
kif() { "$root/kif" "$@"; }
echo "reference run..."
start=$(date +%s)
kif run --config "$work/tiny.json" --out "$work/reference" > "$work/reference.log" 2>&1
ref_secs=$(( $(date +%s) - start ))
echo "reference took ${ref_secs}s"
out="$work/killed"
done_runs=0
for i in $(seq 1 "$kills"); do
  args=(run --config "$work/tiny.json" --out "$out")
  [ -f "$out/config.json" ] && args+=(--resume)
  kif "${args[@]}" > "$work/killed-$i.log" 2>&1 &
  pid=$!
  # the launcher execs java, so $pid is the JVM; kill somewhere in the run's lifetime
  sleep "$(awk -v m="$ref_secs" 'BEGIN{srand(); printf "%.2f", 1 + rand() * m}')"
  if kill -9 "$pid" 2>/dev/null; then
    echo "kill $i: killed at a random point"
  else
    echo "kill $i: the run had already finished"; done_runs=1
  fi
  wait "$pid" 2>/dev/null || true
  [ "$done_runs" = 1 ] && break
done
args=(run --config "$work/tiny.json" --out "$out")
[ -f "$out/config.json" ] && args+=(--resume)
kif "${args[@]}" > "$work/final.log" 2>&1
if cmp -s "$work/reference/matrix.csv" "$out/matrix.csv"; then
  echo "OK: the resumed run's matrix equals the uninterrupted run's"
  if find "$out" -name '.*.tmp' | grep -q .; then echo "FAIL: temp files left"; exit 1; fi
else
  echo "FAIL: matrices differ"; diff "$work/reference/matrix.csv" "$out/matrix.csv" || true; exit 1
fi
