#!/usr/bin/env bash
# The KIF papers' protocol on a bigger machine: every method × task order × seed on Long Sequence (and SuperNI),
# T5, KIF's data protocol (1000 training examples per task, 100 for validation, keep-best, the ≤500-per-class
# test subset), greedy generation with exact match / ROUGE-L. Resumable: rerun the same command after a stop.
#
#   scripts/paper-protocol.sh T5_DIR [OUT=runs/paper] [SEEDS=3]
#
# T5_DIR is a HuggingFace T5 directory (t5-large in the paper; no public checkpoint can be fetched here).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:?usage: scripts/paper-protocol.sh T5_DIR [OUT] [SEEDS]}"
out="${2:-$root/runs/paper}"
seeds="${3:-3}"
methods="seqlora,inclora,replay,ewc,olora,kif,kiflora,kif-m,kiflora-m,recurrent-kif"
common=(--model "$model" --protocol kif --epochs 10 --lr 3e-4 --batch 8 --eval generate --seeds "$seeds")

# Long Sequence, 15 tasks: the papers' orders 1-3 are orders 4-6 of orders.json (O-LoRA numbering, spec §8.2)
"$root/kif" compare "${common[@]}" --benchmark long_sequence --orders 4,5,6 --methods "$methods" \
  --out "$out/long_sequence"
# SuperNI, 15 tasks (spec §8.1)
"$root/kif" compare "${common[@]}" --benchmark superni --orders 1,2 --methods "$methods" \
  --out "$out/superni"
echo "results: $out/long_sequence/compare.html and $out/superni/compare.html"
