#!/usr/bin/env bash
# The KIF papers' protocol on a bigger machine or a cluster: every method × task order × seed on Long Sequence and
# SuperNI, T5, KIF's data protocol (1000 training examples per task, 100 for validation, keep-best, the ≤500-per-class
# test subset), greedy generation with exact match / ROUGE-L. One `./kif compare` per benchmark; each fans its cells
# out through the executor given after `--` (default: one cell after another on this machine). Resumable: run the
# same command again after any stop; completed cells are kept.
#
#   scripts/paper-protocol.sh T5_DIR [OUT=runs/paper] [SEEDS=3] [-- COMPARE_FLAGS...]
#   scripts/paper-protocol.sh /data/t5-large /shared/grids/paper 3 -- --executor spark --spark-master spark://head:7077
#   scripts/paper-protocol.sh /data/t5-large runs/paper 3 -- --parallel 2
#
# T5_DIR is a HuggingFace T5 directory (t5-large in the paper; no public checkpoint can be fetched here). With a
# cluster, OUT, T5_DIR and ../shared must be at the same path on every worker (README: More than one machine).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
usage="usage: scripts/paper-protocol.sh T5_DIR [OUT] [SEEDS] [-- COMPARE_FLAGS...]"
positional=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do positional+=("$1"); shift; done
[ $# -gt 0 ] && shift  # the "--"
model="${positional[0]:?$usage}"
out="${positional[1]:-$root/runs/paper}"
seeds="${positional[2]:-3}"
methods="seqlora,inclora,replay,ewc,olora,kif,kiflora,kif-m,kiflora-m,recurrent-kif"
# The papers' settings; they become `--preset paper-t5` once the presets exist.
common=(--model "$model" --protocol kif --epochs 10 --lr 3e-4 --batch 8 --eval generate --seeds "$seeds" "$@")

# Long Sequence, 15 tasks: the papers' orders 1-3 are orders 4-6 of orders.json (O-LoRA numbering, spec §8.2)
"$root/kif" compare "${common[@]}" --benchmark long_sequence --orders 4,5,6 --methods "$methods" \
  --out "$out/long_sequence"
# SuperNI, 15 tasks (spec §8.1)
"$root/kif" compare "${common[@]}" --benchmark superni --orders 1,2 --methods "$methods" \
  --out "$out/superni"
echo "results: $out/long_sequence/compare.html and $out/superni/compare.html"
