package io.kif4j.grid;

import io.kif4j.continual.RunConfig;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The grid's plan and the driver's refusals; no cell is trained here (the Spark tests run real cells). */
class GridRunnerTest {

    @TempDir
    Path tmp;

    private static GridOptions local() {
        return new GridOptions("local", 1, null, Map.of(), new CellLauncher(List.of(), 1, "../shared", null, null));
    }

    @Test
    void cellsAreMethodMajorWithConsecutiveSeedsAndCompareLayout() {
        GridSpec spec = GridSpec.of(() -> {
            RunConfig c = new RunConfig();
            c.seed = 7L;
            return c;
        }, List.of("seqlora", "replay"), List.of("1", "2"), 2);
        assertEquals(8, spec.cells().size());
        assertEquals("seqlora/order-1/seed-7", spec.cells().get(0).dir());
        assertEquals("seqlora/order-1/seed-8", spec.cells().get(1).dir());
        assertEquals("replay/order-2/seed-8", spec.cells().get(7).dir());
        assertEquals(List.of(false, true), spec.replay());
        RunConfig back = spec.cells().get(7).config();
        assertEquals("replay", back.method);
        assertEquals("2", back.order);
        assertEquals(8L, back.seed);
    }

    @Test
    void unknownMethodAndBadSeedsFailBeforeAnyCell() {
        assertThrows(RuntimeException.class, () -> GridSpec.of(RunConfig::new, List.of("nosuch"), null, 1));
        assertThrows(IllegalArgumentException.class, () -> GridSpec.of(RunConfig::new, List.of("seqlora"), null, 0));
    }

    @Test
    void missingParentUnwritableFolderAndAFileAreRefusedWithOneLine() throws Exception {
        KifInputException missing = assertThrows(KifInputException.class,
                () -> GridRunner.prepare(tmp.resolve("not-mounted/grid")));
        assertTrue(missing.getMessage().contains("parent folder") && missing.getMessage().contains("does not exist"),
                missing.getMessage());
        KifInputException unwritable = assertThrows(KifInputException.class, () -> GridRunner.prepare(Path.of("/proc/kif-grid")));
        assertTrue(unwritable.getMessage().contains("cannot write"), unwritable.getMessage());
        Path file = Files.writeString(tmp.resolve("a-file"), "x");
        assertTrue(assertThrows(KifInputException.class, () -> GridRunner.prepare(file)).getMessage().contains("not a folder"));
        for (KifInputException e : List.of(missing, unwritable)) {
            assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void aSecondDriverOnTheSameGridFolderIsRefusedAndTheCompletedCellsStay() throws Exception {
        GridSpec spec = GridSpec.of(RunConfig::new, List.of("seqlora"), null, 1);
        Path grid = tmp.resolve("grid");
        Path done = grid.resolve(spec.cells().get(0).dir());
        Files.createDirectories(done);
        Files.writeString(done.resolve("report.html"), "<html>done</html>");
        try (var first = io.kif4j.continual.RunLock.acquire(grid)) {
            KifInputException e = assertThrows(KifInputException.class,
                    () -> new GridRunner(local(), s -> { }).run(spec, grid));
            assertTrue(e.getMessage().contains("another compare is running on this grid folder"), e.getMessage());
        }
        assertEquals("<html>done</html>", Files.readString(done.resolve("report.html")));
    }

    @Test
    void completedCellsAreSkippedAndAnUnknownExecutorIsNamed() throws Exception {
        GridSpec spec = GridSpec.of(RunConfig::new, List.of("seqlora"), null, 1);
        Path grid = tmp.resolve("grid");
        List<String> lines = new ArrayList<>();
        GridOptions spark = new GridOptions("spark", 1, "local[2]", Map.of(), local().launcher());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GridRunner(spark, lines::add).run(spec, grid));
        assertTrue(e.getMessage().contains("grid-spark"), e.getMessage());
        GridOptions other = new GridOptions("slurm", 1, null, Map.of(), local().launcher());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GridRunner(other, lines::add).run(spec, grid))
                .getMessage().contains("expected one of local"));
    }

    @Test
    void progressCountsRetriesAndEstimatesTheRest() {
        List<String> lines = new ArrayList<>();
        GridProgress p = new GridProgress(6, 2, lines::add);
        p.ui("Spark UI http://127.0.0.1:4040");
        p.started("a", 0);
        p.started("b", 0);
        p.ended("a", true, 60, "");
        p.ended("b", false, 5, "executor lost");
        p.started("b", 1);
        String line = p.line();
        assertTrue(line.startsWith("grid: 3/6 cells done (2 before), 1 running, 1 failed, 1 retried"), line);
        assertTrue(line.contains("ETA 1m30s"), line); // 3 left × 60 s / 2 at a time
        assertTrue(line.endsWith("Spark UI http://127.0.0.1:4040"), line);
        assertTrue(lines.get(3).startsWith("b failed: executor lost"), lines.get(3));
    }

    @Test
    void gridLocationTakesPathsAndFileUrisAndNamesWhatItCannotUse() {
        assertEquals(Path.of("/tmp/g"), GridLocation.path("file:///tmp/g"));
        assertEquals(Path.of("runs/x"), GridLocation.path("runs/x"));
        assertTrue(GridLocation.isRemote("hdfs://nn:8020/grids/a"));
        assertTrue(GridLocation.isRemote("s3a://bucket/grids/a"));
        assertFalse(GridLocation.isRemote("file:///tmp/g"));
        assertFalse(GridLocation.isRemote("/tmp/g"));
        assertFalse(GridLocation.isRemote("C:/grids"));
        GridSpec spec = GridSpec.of(RunConfig::new, List.of("seqlora"), null, 1);
        KifInputException e = assertThrows(KifInputException.class,
                () -> new GridRunner(local(), s -> { }).run(spec, "hdfs://nn:8020/grids/a"));
        assertTrue(e.getMessage().startsWith("hdfs://nn:8020/grids/a: --out: a Hadoop-FS grid folder needs --executor spark"),
                e.getMessage());
    }
}
