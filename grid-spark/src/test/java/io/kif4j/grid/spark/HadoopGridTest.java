package io.kif4j.grid.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A grid folder behind a Hadoop-FS URI: viewfs:// mounted onto a local folder stands in for hdfs:// or s3a:// (the
 * same FileSystem API, no cluster needed). The cells stage locally and upload; the table equals the sequential
 * run's; the same command again runs nothing.
 */
class HadoopGridTest {

    @TempDir
    Path tmp;

    @Test
    void aViewFsGridGivesTheSequentialNumbersAndResumesFromTheRemoteFolder() throws Exception {
        Path reference = SparkGrids.sequentialReference();
        String mount = "kifgrid" + ProcessHandle.current().pid() + System.nanoTime() % 100000;
        Path remote = tmp.resolve("remote");
        Files.createDirectories(remote);
        String uri = "viewfs://" + mount + "/cmp";
        List<String> args = new ArrayList<>(List.of("compare", "--config", SparkGrids.tinyConfig(tmp).toString(),
                "--methods", "seqlora", "--seeds", "2", "--out", uri, "--executor", "spark", "--spark-master", "local[2]",
                "--spark-conf", "spark.hadoop.fs.viewfs.mounttable." + mount + ".link./cmp=" + remote.toUri()));
        args.addAll(List.of(SparkGrids.LOOPBACK));
        Path mirror = Path.of(System.getProperty("user.home"), ".kif4j", "grids", uri.replaceAll("[^A-Za-z0-9._-]+", "_"));
        try {
            SparkGrids.Run r = SparkGrids.kif(args);
            assertEquals(0, r.exit(), r.err() + r.out());
            List<String> seqlora = SparkGrids.table(reference).stream().filter(l -> l.startsWith("seqlora,")).toList();
            assertEquals(seqlora, SparkGrids.table(remote).stream().filter(l -> l.startsWith("seqlora,")).toList());
            for (String seed : List.of("seed-3", "seed-4")) {
                Path run = remote.resolve("seqlora/order-custom").resolve(seed);
                assertTrue(Files.isRegularFile(run.resolve("report.html")), run.toString());
                assertTrue(Files.isRegularFile(run.resolve("tasks/02-agnews/done.json")), run.toString());
            }
            try (Stream<Path> all = Files.walk(remote)) {
                assertFalse(all.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "a temp file was left");
            }
            assertFalse(Files.exists(remote.resolve(HadoopGridMirror.LEASE)), "the lease was released");

            SparkGrids.Run again = SparkGrids.kif(args);
            assertEquals(0, again.exit(), again.err());
            assertTrue(again.out().contains("all 2 cells were already done; nothing to run"), again.out());
        } finally {
            HadoopGridMirror.deleteTree(mirror);
        }
    }
}
