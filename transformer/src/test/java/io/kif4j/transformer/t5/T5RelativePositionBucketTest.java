package io.kif4j.transformer.t5;

import io.kif4j.weights.T5Config;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * HF's {@code _relative_position_bucket} beyond what the fixtures reach (their decoders never leave the exact
 * buckets). The bucket boundaries below were computed independently with numpy in float32, following HF's
 * formula line by line; they include the exact-power edges (16, 32, 64 when bidirectional) where a float64 or
 * rounded computation would land one bucket off.
 */
class T5RelativePositionBucketTest {

    /** Distances at which bucket 0, 1, 2, ... of one side start, for distances 0..300. */
    static void check(boolean bidirectional, int numBuckets, int maxDistance, int[] starts) {
        for (int sign : bidirectional ? new int[]{1, -1} : new int[]{-1}) {
            int base = bidirectional && sign > 0 ? numBuckets / 2 : 0;
            int k = 0;
            for (int d = 0; d <= 300; d++) {
                while (k + 1 < starts.length && starts[k + 1] <= d) {
                    k++;
                }
                int expected = d == 0 ? 0 : base + k;
                int actual = T5Attention.relativePositionBucket(sign * d, bidirectional, numBuckets, maxDistance);
                assertEquals(expected, actual, "bidirectional " + bidirectional + ", buckets " + numBuckets
                        + ", max_distance " + maxDistance + ", relative position " + sign * d);
            }
        }
        if (!bidirectional) {
            for (int d = 1; d <= 300; d++) {
                assertEquals(0, T5Attention.relativePositionBucket(d, false, numBuckets, maxDistance), "future " + d);
            }
        }
    }

    @Test
    void encoderBucketsAreBidirectional() {
        check(true, 32, 128, new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 23, 32, 46, 64, 91});
        check(true, 8, 20, new int[]{0, 1, 2, 7});
        check(true, 64, 256, new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20, 23, 27, 32, 39,
                46, 54, 64, 77, 91, 108, 128, 153, 182, 216});
    }

    @Test
    void decoderBucketsAreCausal() {
        check(false, 32, 128, new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 21, 24, 27, 31,
                35, 40, 46, 52, 59, 67, 77, 87, 99, 113});
        check(false, 8, 20, new int[]{0, 1, 2, 3, 4, 6, 9, 14});
        check(false, 64, 256, new int[]{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
                22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 35, 37, 39, 42, 45, 48, 51, 54, 58, 62, 66, 70, 75, 80, 85,
                91, 97, 104, 110, 118, 126, 134, 143, 153, 163, 174, 185, 198, 211, 225, 240});
    }

    /** The host-side matrix is indexed [query, key] with relative position key − (query + offset), cached. */
    @Test
    void bucketMatrixOrientationAndCache() {
        T5Config c = new T5Config(8, 4, 16, 1, 1, 2, 32, 128, 1e-6, "relu", false, true, 16, 0, 1, 0);
        T5Inputs in = new T5Inputs(c);
        INDArray enc = in.positionBuckets(40, 40, 0, true);
        INDArray dec = in.positionBuckets(1, 40, 39, false);
        for (int q = 0; q < 40; q++) {
            for (int k = 0; k < 40; k++) {
                assertEquals(T5Attention.relativePositionBucket(k - q, true, 32, 128), enc.getInt(q, k));
            }
        }
        for (int k = 0; k < 40; k++) {
            assertEquals(T5Attention.relativePositionBucket(k - 39, false, 32, 128), dec.getInt(0, k));
        }
        assertEquals(17, enc.getInt(0, 1)); // key after the query: the upper half when bidirectional
        assertEquals(1, enc.getInt(1, 0));
        assertEquals(0, in.positionBuckets(1, 3, 0, false).getInt(0, 2)); // future keys: bucket 0 (masked anyway)
    }
}
