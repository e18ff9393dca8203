#!/usr/bin/env bash
# The KIF papers' protocol on a bigger machine or a cluster: every method × task order × seed on Long Sequence and
# SuperNI, from the presets that hold the spec's settings with their sources (continual/src/main/resources/presets/):
# paper-t5 for the KIF family and the baselines under KIF's recipe, rkif-t5 for Recurrent-KIF's own settings,
# olora-t5 for O-LoRA's own. Each `./kif compare` fans its cells out through the executor given after `--`
# (default: one cell after another on this machine). Resumable: run the same command again after any stop;
# completed cells are kept.
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
methods="seqlora,inclora,replay,ewc,olora,kif,kiflora,kif-m,kiflora-m"
extra=("$@")

# Long Sequence, 15 tasks: the papers' orders 1-3 are orders 4-6 of orders.json (O-LoRA numbering, spec §8.2);
# SuperNI, 15 tasks, orders 1-2 (spec §8.1)
for bench in "long_sequence 4,5,6" "superni 1,2"; do
  set -- $bench
  common=(--model "$model" --seeds "$seeds" --benchmark "$1" --orders "$2" ${extra[@]+"${extra[@]}"})
  "$root/kif" compare --preset paper-t5 "${common[@]}" --methods "$methods" --out "$out/$1"
  "$root/kif" compare --preset rkif-t5 "${common[@]}" --methods recurrent-kif --out "$out/$1-rkif"
  "$root/kif" compare --preset olora-t5 "${common[@]}" --methods olora --out "$out/$1-olora-own"
done
echo "results: $out/{long_sequence,superni}{,-rkif,-olora-own}/compare.html"
