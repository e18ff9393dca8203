package io.kif4j.transformer.t5;

import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.weights.T5Config;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * HF's stopping semantics, which the fixtures' greedy runs never reach (no row emits EOS). A token that row 0
 * generates is declared EOS; the expected HF output then follows from the no-stop ids (checked against HF in
 * {@link T5FixtureTest}): each row keeps its tokens up to and including the first EOS, then pad; decoding ends
 * as soon as every row has stopped.
 */
class T5GenerationStopTest {

    @TestFactory
    Stream<DynamicTest> stopAtAnEosThatOccurs() {
        return Fixture.all("t5").stream().map(f -> DynamicTest.dynamicTest(f.name(), () -> {
            var prompt = f.inputs().generation();
            int maxNew = f.inputs().maxNewTokens();
            T5Model base = T5Model.load(f.dir());
            int[][] noStop = base.generate(prompt, maxNew, false).newTokens();
            int eos = noStop[0][Math.min(2, maxNew - 1)];
            T5Model model = new T5Model(withEos(base.config(), eos), SafetensorsFile.open(f.dir().resolve("model.safetensors")));

            int pad = base.config().padTokenId();
            int b = noStop.length;
            boolean[] finished = new boolean[b];
            List<int[]> steps = new ArrayList<>();
            for (int s = 0; s < maxNew; s++) {
                int[] tok = new int[b];
                boolean all = true;
                for (int r = 0; r < b; r++) {
                    tok[r] = finished[r] ? pad : noStop[r][s];
                    finished[r] |= tok[r] == eos;
                    all &= finished[r];
                }
                steps.add(tok);
                if (all) {
                    break;
                }
            }
            int[][] expected = new int[b][steps.size() + 1];
            for (int r = 0; r < b; r++) {
                expected[r][0] = base.config().decoderStartTokenId();
                for (int s = 0; s < steps.size(); s++) {
                    expected[r][s + 1] = steps.get(s)[r];
                }
            }
            GenerationResult g = model.generate(prompt, maxNew, true);
            assertArrayEquals(expected, g.sequences(), f.name() + " with eos " + eos);
            assertEquals(steps.size(), g.stepLogits().size(), f.name() + ": one logits row per step");
        }));
    }

    static T5Config withEos(T5Config c, int eos) {
        return new T5Config(c.dModel(), c.dKv(), c.dFf(), c.numLayers(), c.numDecoderLayers(), c.numHeads(),
                c.relativeAttentionNumBuckets(), c.relativeAttentionMaxDistance(), c.layerNormEpsilon(), c.denseActFn(),
                c.isGatedAct(), c.tieWordEmbeddings(), c.vocabSize(), c.padTokenId(), eos, c.decoderStartTokenId());
    }
}
