#!/usr/bin/env bash
# The KIF papers' protocol on a bigger machine: every method × task order × seed on Long Sequence (and SuperNI),
# from the presets that hold the spec's settings with their sources (continual/src/main/resources/presets/*.yaml):
# paper-t5 for the KIF family and the baselines under KIF's recipe, rkif-t5 for Recurrent-KIF's own settings,
# olora-t5 for O-LoRA's own. Resumable: rerun the same command after a stop.
#
#   scripts/paper-protocol.sh T5_DIR [OUT=runs/paper] [SEEDS=3]
#
# T5_DIR is a HuggingFace T5 directory (t5-large in the paper; no public checkpoint can be fetched here).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:?usage: scripts/paper-protocol.sh T5_DIR [OUT] [SEEDS]}"
out="${2:-$root/runs/paper}"
seeds="${3:-3}"
methods="seqlora,inclora,replay,ewc,olora,kif,kiflora,kif-m,kiflora-m"

# Long Sequence, 15 tasks: the papers' orders 1-3 are orders 4-6 of orders.json (O-LoRA numbering, spec §8.2);
# SuperNI, 15 tasks, orders 1-2 (spec §8.1)
for bench in "long_sequence 4,5,6" "superni 1,2"; do
  set -- $bench
  "$root/kif" compare --preset paper-t5 --model "$model" --seeds "$seeds" --benchmark "$1" --orders "$2" \
    --methods "$methods" --out "$out/$1"
  "$root/kif" compare --preset rkif-t5 --model "$model" --seeds "$seeds" --benchmark "$1" --orders "$2" \
    --methods recurrent-kif --out "$out/$1-rkif"
  "$root/kif" compare --preset olora-t5 --model "$model" --seeds "$seeds" --benchmark "$1" --orders "$2" \
    --methods olora --out "$out/$1-olora-own"
done
echo "results: $out/{long_sequence,superni}{,-rkif,-olora-own}/compare.html"
