package io.kif4j.grid;

import java.util.Map;

/**
 * How a grid runs its cells.
 *
 * @param executor    "local" or the name of a {@link CellExecutorProvider} ("spark")
 * @param parallel    local: cells at a time (1: one after another in this JVM, as compare always did; N &gt; 1: N
 *                    child JVMs at a time)
 * @param sparkMaster spark: the master URL (local[N], spark://host:port, yarn, k8s://…); null: local[*]
 * @param sparkConf   spark: extra settings (key → value)
 * @param launcher    how a cell's JVM is started
 */
public record GridOptions(String executor, int parallel, String sparkMaster, Map<String, String> sparkConf,
                          CellLauncher launcher) {

    public GridOptions {
        sparkConf = sparkConf == null ? Map.of() : Map.copyOf(sparkConf);
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1, got " + parallel);
        }
    }
}
