package io.kif4j.continual.metrics;

import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccuracyMatrixTest {

    static final double EPS = 1e-9;
    static final double N = Double.NaN;
    static final List<String> TASKS = List.of("t1", "t2", "t3", "t4");

    /** Rows: after training t1..t4; columns: scored on t1..t4. Above the diagonal only the FWT cells. */
    static final double[][] A = {
            {80, 10, N, N},
            {70, 90, 20, N},
            {60, 85, 75, 30},
            {50, 80, 70, 95},
    };

    @Test
    void kifMetricsOfAHandMadeMatrix() {
        AccuracyMatrix m = AccuracyMatrix.of(TASKS, A);
        assertEquals((50 + 80 + 70 + 95) / 4.0, m.ap().getAsDouble(), EPS);          // 73.75
        assertEquals((10 + 20 + 30) / 3.0, m.fwt().getAsDouble(), EPS);              // 20
        assertEquals(((50 - 80) + (80 - 90) + (70 - 75)) / 3.0, m.bwt().getAsDouble(), EPS); // -15
        assertEquals((70 + 90) / 2.0, m.apAfter(1).getAsDouble(), EPS);
    }

    @Test
    void saptAndAimVariants() {
        AccuracyMatrix m = AccuracyMatrix.of(TASKS, A);
        assertEquals(-45 / 4.0, m.saptBwt().getAsDouble(), EPS);
        assertEquals(((80 - 50) + (90 - 80) + (75 - 70)) / 3.0, m.forgetting().getAsDouble(), EPS); // 15
        assertEquals((80 + 90 + 75 + 95) / 4.0 - 80, m.saptFwt(80).getAsDouble(), EPS);           // 5
        assertEquals(85 - (85 + 88 + 80 + 95) / 4.0, m.aimFwt(new double[]{85, 88, 80, 95}).getAsDouble(), EPS); // -2
    }

    @Test
    void unmeasuredCellsLeaveMetricsEmptyUntilFilled() {
        AccuracyMatrix m = new AccuracyMatrix(TASKS);
        assertTrue(m.ap().isEmpty() && m.fwt().isEmpty() && m.bwt().isEmpty());
        for (int t = 0; t < 4; t++) {
            for (int i = 0; i < 4; i++) {
                if (!Double.isNaN(A[t][i])) {
                    m.set(t, i, A[t][i]);
                }
            }
            if (t < 3) {
                assertTrue(m.ap().isEmpty(), "AP needs the last row");
            }
        }
        assertEquals(73.75, m.ap().getAsDouble(), EPS);
        assertFalse(m.isMeasured(0, 2));
        AccuracyMatrix noZeroShot = AccuracyMatrix.of(TASKS, new double[][]{
                {80, N, N, N}, {70, 90, N, N}, {60, 85, 75, N}, {50, 80, 70, 95}});
        assertTrue(noZeroShot.fwt().isEmpty());
        assertEquals(-15, noZeroShot.bwt().getAsDouble(), EPS);
        assertThrows(IndexOutOfBoundsException.class, () -> m.set(4, 0, 1));
        assertTrue(AccuracyMatrix.of(List.of("only"), new double[][]{{50}}).bwt().isEmpty());
    }

    @Test
    void jsonRoundTripKeepsUnmeasuredCells(@TempDir Path dir) {
        AccuracyMatrix m = AccuracyMatrix.of(TASKS, A);
        Path file = dir.resolve("matrix.json");
        m.writeJson(file);
        AccuracyMatrix back = AccuracyMatrix.read(file);
        assertEquals(TASKS, back.tasks());
        for (int t = 0; t < 4; t++) {
            assertArrayEquals(A[t], back.values()[t], 0.0);
        }
        assertTrue(m.toJson().contains("\"ap\" : 73.75"), m.toJson());
        KifInputException e = assertThrows(KifInputException.class, () -> AccuracyMatrix.fromJson("{\"tasks\": []}", file));
        assertTrue(e.getMessage().contains("scores"), e.getMessage());
    }

    @Test
    void csvAndMarkdown() {
        AccuracyMatrix m = AccuracyMatrix.of(List.of("a", "b,c"), new double[][]{{80, 12.5}, {70, N}});
        assertEquals("after_task,a,\"b,c\"\na,80.0,12.5\n\"b,c\",70.0,\n", m.toCsv());
        String md = m.toMarkdown();
        assertTrue(md.contains("| 1. a | 80.00 | 12.50 |"), md);
        assertTrue(md.contains("| 2. b,c | 70.00 | – |"), md);
        assertTrue(md.contains("AP – · FWT 12.50 · BWT -10.00 · forgetting 10.00"), md);
    }
}
