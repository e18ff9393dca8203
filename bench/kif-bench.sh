#!/usr/bin/env bash
# Runs `kif bench` (io.kif4j.cli.BenchCommand) with the ./kif launcher's class path and JVM flags, for as long as
# the command is not registered in the main class. Usage: bench/kif-bench.sh [kif bench options]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/kif" --version >/dev/null   # builds the CLI if a source changed
classpath="$(cat "$root/cli/target/classpath.txt")"
for m in weights-import transformer lora datasets continual cli; do
  for j in "$root/$m/target/"*.jar; do
    case "$j" in *-tests.jar|*\**) ;; *) classpath="$j:$classpath" ;; esac
  done
done
log_file="${KIF_LOG:-$HOME/.kif4j/logs/kif.log}"
mkdir -p "$(dirname "$log_file")"
exec java ${KIF_JAVA_OPTS:--Xmx3g} \
  -Dorg.bytedeco.javacpp.maxbytes="${KIF_OFFHEAP:-12G}" \
  -Dorg.bytedeco.javacpp.maxphysicalbytes="${KIF_MAXPHYSICAL:-18G}" \
  -Djava.awt.headless=true -Dkif.home="$root" -Dkif.log.file="$log_file" \
  -cp "$classpath" io.kif4j.cli.BenchCommand "$@"
