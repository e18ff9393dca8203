package io.kif4j.datasets.batch;

import io.kif4j.datasets.Example;
import io.kif4j.datasets.TaskInfo;
import io.kif4j.datasets.prompt.PromptTemplate;
import io.kif4j.datasets.prompt.PromptTemplates;
import io.kif4j.datasets.prompt.TruncationMode;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static io.kif4j.datasets.batch.CharTokenizer.ids;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatcherTest {

    static final int I = TokenizedBatch.IGNORE;

    /** A classification task whose short-template prompt is "{input}\nAnswer:". */
    static final TaskInfo TASK = new TaskInfo(Path.of("t"), "t", null, "SC", "t", List.of("ab", "c"), Map.of(), Map.of(),
            null, null, null, List.of());
    static final PromptTemplate SHORT = PromptTemplates.builtIn().get(PromptTemplates.SHORT);

    static BatchOptions opts(int batch, int src, int tgt) {
        return BatchOptions.defaults().withBatchSize(batch).withLengths(src, tgt).withShuffle(false);
    }

    @Test
    void t5BatchIsRightPaddedWithShiftedDecoderInputs() {
        Batcher b = new Batcher(ModelFamily.T5, CharTokenizer.t5(), SHORT, opts(2, 64, 16));
        List<EncodedExample> enc = b.encode(TASK, List.of(new Example("1", "x", "ab"), new Example("2", "yz", "c")));
        TokenizedBatch batch = b.batches(enc, 0).get(0);
        int[] p1 = concat(ids("x\nAnswer:"), 1);
        int[] p2 = concat(ids("yz\nAnswer:"), 1);
        assertArrayEquals(concat(p1, 0), batch.inputIds()[0]); // one pad
        assertArrayEquals(p2, batch.inputIds()[1]);
        assertArrayEquals(mask(p1.length, p2.length), batch.attentionMask()[0]);
        assertArrayEquals(mask(p2.length, p2.length), batch.attentionMask()[1]);
        int a = CharTokenizer.id('a');
        int bb = CharTokenizer.id('b');
        int c = CharTokenizer.id('c');
        assertArrayEquals(new int[]{a, bb, 1}, batch.labels()[0]);
        assertArrayEquals(new int[]{c, 1, I}, batch.labels()[1]);
        assertArrayEquals(new int[]{0, a, bb}, batch.decoderInputIds()[0]);
        assertArrayEquals(new int[]{0, c, 1}, batch.decoderInputIds()[1]);
        assertEquals(List.of("1", "2"), batch.ids());
    }

    @Test
    void llamaBatchMasksBosPromptAndPaddingAndPadsWithEosWhenNoPad() {
        Batcher b = new Batcher(ModelFamily.LLAMA, CharTokenizer.llama(), SHORT, opts(2, 64, 16));
        List<EncodedExample> enc = b.encode(TASK, List.of(new Example("1", "x", "ab"), new Example("2", "yz", "c")));
        TokenizedBatch batch = b.batches(enc, 0).get(0);
        int[] row0 = concat(concat(new int[]{1}, ids("x\nAnswer:ab")), 2);
        int[] row1 = concat(concat(new int[]{1}, ids("yz\nAnswer:c")), 2);
        assertEquals(row0.length, row1.length);
        assertArrayEquals(row0, batch.inputIds()[0]);
        assertArrayEquals(row1, batch.inputIds()[1]);
        int prompt0 = 1 + "x\nAnswer:".length();
        int[] labels0 = row0.clone();
        Arrays.fill(labels0, 0, prompt0, I);
        assertArrayEquals(labels0, batch.labels()[0]);
        assertNull(batch.decoderInputIds());

        Batcher b2 = new Batcher(ModelFamily.LLAMA, CharTokenizer.llama(), SHORT, opts(2, 64, 16));
        TokenizedBatch padded = b2.batches(b2.encode(TASK, List.of(new Example("1", "x", "ab"), new Example("2", "long", "c"))), 0).get(0);
        int len = padded.inputIds()[1].length;
        assertEquals(2, padded.inputIds()[0][len - 1], "padded with EOS (LLaMA-2 has no pad)");
        assertEquals(I, padded.labels()[0][len - 1]);
        assertEquals(0, padded.attentionMask()[0][len - 1]);
        assertEquals(2, b2.llamaPadId());
        assertEquals(5, new Batcher(ModelFamily.LLAMA, new CharTokenizer(1, 2, 5), SHORT, opts(2, 64, 16)).llamaPadId());
        assertEquals(0, new Batcher(ModelFamily.LLAMA, new CharTokenizer(1, -1, -1), SHORT, opts(2, 64, 16)).llamaPadId());
    }

    @Test
    void promptIdsAreWhatTheModelGeneratesFrom() {
        Batcher t5 = new Batcher(ModelFamily.T5, CharTokenizer.t5(), SHORT, opts(2, 64, 16));
        assertArrayEquals(concat(ids("x\nAnswer:"), 1), t5.promptIds(TASK, new Example("1", "x", "ab")));
        Batcher llama = new Batcher(ModelFamily.LLAMA, CharTokenizer.llama(), SHORT, opts(2, 64, 16));
        assertArrayEquals(concat(new int[]{1}, ids("x\nAnswer:")), llama.promptIds(TASK, new Example("1", "x", "ab")));
    }

    @Test
    void rightTruncationCutsTheEndAndIsCounted() {
        BatchOptions o = opts(4, 12, 3).withTruncation(TruncationMode.RIGHT);
        Batcher b = new Batcher(ModelFamily.T5, CharTokenizer.t5(), SHORT, o);
        List<EncodedExample> enc = b.encode(TASK, List.of(new Example("1", "abcdefghij", "abcd"), new Example("2", "x", "c")));
        assertArrayEquals(concat(ids("abcdefghij\n"), 1), enc.get(0).inputIds()); // 11 tokens + EOS
        assertArrayEquals(concat(ids("ab"), 1), enc.get(0).labels());
        assertTrue(enc.get(0).sourceTruncated() && enc.get(0).targetTruncated());
        assertFalse(enc.get(1).sourceTruncated() || enc.get(1).targetTruncated());
        assertEquals(new TruncationStats(2, 1, 1), b.truncationStats());
    }

    @Test
    void inputTruncationKeepsTheCueAndFitsTheSourceLength() {
        Batcher b = new Batcher(ModelFamily.LLAMA, CharTokenizer.llama(), SHORT, opts(4, 16, 8));
        EncodedExample e = b.encode(TASK, new Example("1", "0123456789abcdefghij", "ab"));
        assertEquals(16, e.promptLength());
        int[] expectedPrompt = concat(new int[]{1}, ids("0123456\nAnswer:"));
        assertArrayEquals(expectedPrompt, Arrays.copyOf(e.inputIds(), e.promptLength()));
        assertArrayEquals(concat(ids("ab"), 2), Arrays.copyOfRange(e.inputIds(), 16, e.inputIds().length));
        assertTrue(e.sourceTruncated());
        assertEquals(1, b.truncationStats().sourceTruncated());
    }

    @Test
    void shufflingIsDeterministicPerSeedAndEpoch() {
        List<Example> examples = IntStream.range(0, 40).mapToObj(i -> new Example("e" + i, "x".repeat(1 + i % 7), "ab")).toList();
        BatchOptions o = opts(4, 64, 8).withShuffle(true).withSeed(3);
        Batcher b = new Batcher(ModelFamily.T5, CharTokenizer.t5(), SHORT, o);
        List<EncodedExample> enc = b.encode(TASK, examples);
        List<String> epoch0 = order(b.batches(enc, 0));
        assertEquals(epoch0, order(new Batcher(ModelFamily.T5, CharTokenizer.t5(), SHORT, o).batches(enc, 0)));
        assertNotEquals(epoch0, order(b.batches(enc, 1)));
        assertNotEquals(epoch0, order(new Batcher(ModelFamily.T5, CharTokenizer.t5(), SHORT, o.withSeed(4)).batches(enc, 0)));
        assertEquals(40, epoch0.stream().distinct().count());
        assertEquals(10, b.batches(enc, 0).size());
    }

    @Test
    void lengthBucketingReducesPadding() {
        List<Example> examples = IntStream.range(0, 64).mapToObj(i -> new Example("e" + i, "x".repeat(1 + (i * 37) % 50), "ab")).toList();
        BatchOptions o = opts(8, 128, 8).withShuffle(true);
        Batcher plain = new Batcher(ModelFamily.T5, CharTokenizer.t5(), SHORT, o);
        Batcher bucketed = new Batcher(ModelFamily.T5, CharTokenizer.t5(), SHORT, o.withLengthBucketing(true));
        List<EncodedExample> enc = plain.encode(TASK, examples);
        List<TokenizedBatch> bucketedBatches = bucketed.batches(enc, 0);
        assertTrue(padding(bucketedBatches) < padding(plain.batches(enc, 0)) / 2);
        assertEquals(64, order(bucketedBatches).stream().distinct().count());
        assertEquals(order(bucketedBatches), order(bucketed.batches(enc, 0)));
    }

    static List<String> order(List<TokenizedBatch> batches) {
        List<String> out = new ArrayList<>();
        batches.forEach(b -> out.addAll(b.ids()));
        return out;
    }

    static int padding(List<TokenizedBatch> batches) {
        int pads = 0;
        for (TokenizedBatch b : batches) {
            for (int[] row : b.attentionMask()) {
                for (int m : row) {
                    pads += 1 - m;
                }
            }
        }
        return pads;
    }

    static int[] concat(int[] a, int... b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static int[] mask(int ones, int len) {
        int[] m = new int[len];
        Arrays.fill(m, 0, ones, 1);
        return m;
    }
}
