package io.kif4j.cli;

import io.kif4j.grid.CellLauncher;
import io.kif4j.grid.GridOptions;
import io.kif4j.grid.GridRunner;
import io.kif4j.grid.GridSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "compare", description = {"Run several methods on the same tasks, order, samples and seeds, and write "
        + "compare.md, compare.csv and compare.html (AP/FWT/BWT per method, like the KIF paper's Table I).",
        "Resumable: run it again with the same --out to continue with the methods and tasks not yet done.",
        "--executor spark runs one Spark task per cell (README: More than one machine)."})
final class CompareCommand implements Callable<Integer> {

    @Mixin
    RunFlags flags;

    @Option(names = "--methods", required = true, split = ",",
            description = "Methods to compare, e.g. seqlora,inclora,replay,ewc,olora,kif,kiflora,kif-m,kiflora-m,recurrent-kif") List<String> methods;

    @Option(names = "--orders", split = ",", description = "Task orders to average over, e.g. 1,2 (default: --order).") List<String> orders;

    @Option(names = "--seeds", defaultValue = "1", paramLabel = "N", description = "Seeds per method and order (seed, seed+1, ...) (default: ${DEFAULT-VALUE}).") int seeds;

    @Option(names = "--out", paramLabel = "DIR_OR_URI", description = "Comparison folder (default: runs/compare-<timestamp>); with --executor spark "
            + "a folder every worker sees at the same path, or a Hadoop-FS URI (hdfs://, s3a://).") String out;

    @Option(names = "--executor", defaultValue = "local", description = "local (this machine) or spark (one Spark task per cell) (default: ${DEFAULT-VALUE}).") String executor;

    @Option(names = "--parallel", defaultValue = "1", description = "local: cells at a time, each in its own JVM when > 1 (default: ${DEFAULT-VALUE}).") int parallel;

    @Option(names = "--spark-master", description = "spark: local[N], spark://host:7077, yarn or k8s://... (default: local[*]).") String sparkMaster;

    @Option(names = "--spark-conf", description = "spark: an extra Spark setting KEY=VALUE, repeatable (default: none).") java.util.Map<String, String> sparkConf;

    @Option(names = "--threads-per-cell", defaultValue = "1", description = "A cell's thread budget, spark.task.cpus (default: ${DEFAULT-VALUE}).") int threadsPerCell;

    @Override
    public Integer call() {
        GridSpec spec = GridSpec.of(flags::config, methods, orders, seeds);
        String dir = out;
        if (dir == null) {
            Path runs = Path.of(System.getProperty("kif.home", "."), "runs");
            runs.toFile().mkdirs();
            dir = runs.resolve("compare-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))).toString();
        }
        CellLauncher launcher = new CellLauncher(CellLauncher.DEFAULT_JAVA_OPTIONS, threadsPerCell,
                Defaults.shared().toAbsolutePath().toString(), System.getProperty("kif.home"), null);
        new GridRunner(new GridOptions(executor, parallel, sparkMaster, sparkConf, launcher), System.out::println)
                .run(spec, dir);
        return 0;
    }
}
