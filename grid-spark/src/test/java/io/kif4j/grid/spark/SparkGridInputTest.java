package io.kif4j.grid.spark;

import io.kif4j.continual.RunConfig;
import io.kif4j.continual.RunConfigs;
import io.kif4j.grid.CellLauncher;
import io.kif4j.grid.GridCell;
import io.kif4j.grid.GridOptions;
import io.kif4j.grid.GridRunner;
import io.kif4j.grid.GridSpec;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad input to a Spark grid: one `kif: error:` line each, and completed cells are never touched. */
class SparkGridInputTest {

    @TempDir
    Path tmp;

    private SparkGrids.Run compare(Path out, String... more) throws Exception {
        List<String> args = new ArrayList<>(SparkGrids.compareArgs(SparkGrids.tinyConfig(tmp), out, "--executor", "spark"));
        args.addAll(List.of(more));
        args.addAll(List.of(SparkGrids.LOOPBACK));
        return SparkGrids.kif(args);
    }

    private static void assertOneErrorLine(SparkGrids.Run r, String contains) {
        assertEquals(2, r.exit(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), "one line: " + err);
        assertTrue(err.startsWith("kif: error: ") && err.contains(contains), err);
    }

    @Test
    void anUnreachableMasterIsOneLine() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertOneErrorLine(compare(tmp.resolve("g"), "--spark-master", "spark://127.0.0.1:" + closed),
                "no Spark master answers there");
    }

    @Test
    void aMissingOrUnwritableOutIsOneLine() throws Exception {
        assertOneErrorLine(compare(tmp.resolve("not-mounted/grid"), "--spark-master", "local[2]"), "does not exist");
        assertOneErrorLine(compare(Path.of("/proc/kif-grid"), "--spark-master", "local[2]"), "cannot write");
    }

    @Test
    void aCellWithAnInvalidConfigIsOneLineAndTheCompletedCellIsKeptAsItWas() throws Exception {
        Path reference = SparkGrids.sequentialReference();
        Path tiny = SparkGrids.tinyConfig(tmp);
        GridSpec good = GridSpec.of(() -> RunConfigs.read(tiny), List.of("seqlora"), null, 1);
        RunConfig bad = RunConfigs.read(tiny);
        bad.tasks = List.of("dbpedia", "no_such_task");
        GridCell badCell = new GridCell("seqlora", "broken", bad.seed, Json.MAPPER.writeValueAsString(bad));
        GridSpec spec = new GridSpec(List.of(good.cells().get(0), badCell), good.methods(), List.of("custom", "broken"),
                good.replay());
        Path grid = tmp.resolve("grid");
        Path done = grid.resolve(good.cells().get(0).dir());
        copy(reference.resolve(good.cells().get(0).dir()), done);
        Map<String, byte[]> before = contents(done);

        GridOptions spark = new GridOptions("spark", 1, "local[2]", Map.of("spark.driver.host", "127.0.0.1",
                "spark.driver.bindAddress", "127.0.0.1", "spark.ui.enabled", "false"),
                new CellLauncher(CellLauncher.DEFAULT_JAVA_OPTIONS, 1, Fixture.shared().toString(), null, null));
        KifInputException e = assertThrows(KifInputException.class, () -> new GridRunner(spark, s -> { }).run(spec, grid));
        assertTrue(e.getMessage().startsWith("grid cell seqlora order broken seed 3: ") && e.getMessage().contains("no_such_task"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        Map<String, byte[]> after = contents(done);
        assertEquals(before.keySet(), after.keySet());
        for (String f : before.keySet()) {
            assertTrue(java.util.Arrays.equals(before.get(f), after.get(f)), "completed cell's " + f + " was rewritten");
        }
        assertFalse(Files.exists(grid.resolve("compare.csv")), "no table while a cell is not complete");
    }

    static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path t = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(f, t);
                }
            }
        }
    }

    static Map<String, byte[]> contents(Path dir) throws Exception {
        Map<String, byte[]> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                m.put(dir.relativize(f).toString(), Files.readAllBytes(f));
            }
        }
        return m;
    }
}
