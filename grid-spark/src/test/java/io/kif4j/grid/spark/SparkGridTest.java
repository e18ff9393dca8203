package io.kif4j.grid.spark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `compare --executor spark --spark-master local[2]`: the same table, number for number, as the sequential run. */
class SparkGridTest {

    @TempDir
    Path tmp;

    @Test
    void localTwoGivesTheSequentialTableAndASecondCallRunsNothing() throws Exception {
        Path reference = SparkGrids.sequentialReference();
        Path grid = tmp.resolve("grid");
        List<String> args = new ArrayList<>(SparkGrids.compareArgs(SparkGrids.tinyConfig(tmp), grid,
                "--executor", "spark", "--spark-master", "local[2]"));
        args.addAll(List.of(SparkGrids.LOOPBACK));
        SparkGrids.Run r = SparkGrids.kif(args);
        assertEquals(0, r.exit(), r.err() + r.out());
        assertEquals(SparkGrids.table(reference), SparkGrids.table(grid));
        assertTrue(r.out().contains("grid: 6/6 cells done (0 before), 0 running, 0 failed"), r.out());
        assertTrue(Files.isRegularFile(grid.resolve("cell-logs/seqlora_order-custom_seed-3.log")));

        SparkGrids.Run again = SparkGrids.kif(args);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("all 6 cells were already done; nothing to run"), again.out());
        assertFalse(again.out().contains("started"), again.out());
        assertEquals(SparkGrids.table(reference), SparkGrids.table(grid));
    }

    @Test
    void localMastersGetRetriesLikeAClusterAndOthersStayAsGiven() {
        assertEquals("local[2,4]", SparkCellExecutor.withRetries("local[2]", 4));
        assertEquals("local[*,4]", SparkCellExecutor.withRetries("local[*]", 4));
        assertEquals("local[1,4]", SparkCellExecutor.withRetries("local", 4));
        assertEquals("local[2,3]", SparkCellExecutor.withRetries("local[2,3]", 4));
        assertEquals("spark://h:7077", SparkCellExecutor.withRetries("spark://h:7077", 4));
        assertEquals("yarn", SparkCellExecutor.withRetries("yarn", 4));
    }
}
