package io.kif4j.grid.spark;

import io.kif4j.transformer.testing.Fixture;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The tiny grid the Spark tests share, and how they call compare. */
final class SparkGrids {

    private SparkGrids() {
    }

    /** 3 methods × 2 seeds on two tasks with two examples each: six cells of a few seconds on a quiet machine. */
    static final List<String> METHODS = List.of("seqlora", "kiflora", "replay");
    static final int SEEDS = 2;

    static Path tinyConfig(Path dir) throws Exception {
        Path c = dir.resolve("tiny.json");
        Files.writeString(c, "{\"tasks\":[\"dbpedia\",\"agnews\"],\"train_per_task\":2,\"test_per_task\":2,"
                + "\"class_balanced\":false,\"epochs\":1,\"batch\":2,\"max_source_length\":24,\"max_target_length\":6,"
                + "\"eval_batch\":16,\"seed\":3,\"memory_ratio\":0.5}");
        return c;
    }

    static List<String> compareArgs(Path config, Path out, String... more) {
        List<String> args = new ArrayList<>(List.of("compare", "--config", config.toString(),
                "--methods", String.join(",", METHODS), "--seeds", Integer.toString(SEEDS), "--out", out.toString()));
        args.addAll(List.of(more));
        return args;
    }

    /** Loopback only, no web UI: what the in-process tests add to every Spark run. */
    static final String[] LOOPBACK = {"--spark-conf", "spark.driver.host=127.0.0.1", "--spark-conf",
            "spark.driver.bindAddress=127.0.0.1", "--spark-conf", "spark.ui.enabled=false"};

    record Run(int exit, String out, String err) {
    }

    /** Runs ./kif in this JVM (the cells still get their own JVMs). */
    static synchronized Run kif(List<String> args) {
        System.setProperty("kif.shared", Fixture.shared().toString());
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            int exit = io.kif4j.cli.Kif.execute(new PrintWriter(err, true), args.toArray(String[]::new));
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString());
        } finally {
            System.setOut(original);
        }
    }

    private static Path reference;

    /** The grid run as compare always ran it (one cell after another in this JVM), once per test JVM. */
    static synchronized Path sequentialReference() throws Exception {
        if (reference == null) {
            Path dir = Files.createTempDirectory("kif-grid-reference");
            Run r = kif(compareArgs(tinyConfig(dir), dir.resolve("grid")));
            if (r.exit() != 0) {
                throw new AssertionError("sequential compare failed: " + r.err() + r.out());
            }
            reference = dir.resolve("grid");
        }
        return reference;
    }

    /** compare.csv without its run-folder column: the numbers, status and counts of every row. */
    static List<String> table(Path grid) throws Exception {
        return Files.readAllLines(grid.resolve("compare.csv")).stream().map(l -> {
            String[] f = l.split(",", -1);
            return Stream.concat(Stream.of(f).limit(4), Stream.of(f).skip(5)).collect(Collectors.joining(","));
        }).toList();
    }
}
