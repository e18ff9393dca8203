package io.kif4j.continual.data;

import io.kif4j.transformer.ModelInputs;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TaskDataSetIteratorTest {

    private static ModelInputs batch(int epoch, int i, boolean t5) {
        int[][] ids = {{epoch, i, 5}, {7, 8, 0}};
        int[][] mask = {{1, 1, 1}, {1, 1, 0}};
        int[][] labels = {{-100, 4, 5}, {-100, 9, -100}};
        return new ModelInputs(ids, mask, labels, t5 ? new int[][]{{0, 4}, {0, 9}} : null, null);
    }

    @Test
    void llamaBatchesAreInputIdsWithTheirMaskAndLabelsEpochByEpoch() {
        TaskDataSetIterator it = new TaskDataSetIterator(epoch -> List.of(batch(epoch, 0, false), batch(epoch, 1, false)));
        assertTrue(it.resetSupported());
        int n = 0;
        while (it.hasNext()) {
            MultiDataSet m = it.next();
            assertEquals(1, m.numFeatureArrays());
            assertArrayEquals(new int[][]{{0, n, 5}, {7, 8, 0}}, m.getFeatures(0).toIntMatrix());
            assertArrayEquals(new int[][]{{1, 1, 1}, {1, 1, 0}}, m.getFeaturesMaskArray(0).toIntMatrix());
            assertArrayEquals(new int[][]{{-100, 4, 5}, {-100, 9, -100}}, m.getLabels(0).toIntMatrix());
            n++;
        }
        assertEquals(2, n);
        assertThrows(java.util.NoSuchElementException.class, it::next);
        it.reset();
        assertEquals(1, it.epoch());
        assertEquals(1, it.next().getFeatures(0).getInt(0, 0), "the second epoch's batches");
    }

    @Test
    void t5BatchesAddTheDecoderInputAsSecondFeature() {
        MultiDataSet m = TaskDataSetIterator.toMultiDataSet(batch(0, 0, true));
        assertEquals(2, m.numFeatureArrays());
        assertArrayEquals(new int[][]{{0, 4}, {0, 9}}, m.getFeatures(1).toIntMatrix());
        assertNull(m.getFeaturesMaskArrays()[1]);
        assertFalse(m.getFeatures(0).isEmpty());
    }
}
