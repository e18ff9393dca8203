package io.kif4j.cli;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.LoraConfig;
import io.kif4j.lora.LoraModule;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shape of the adapter {@code kif bench} fuses for fusion_ms (no timing asserted). */
class BenchFusionTest {

    @Test
    void theBenchAdapterIsT5LargeSized() {
        LoraAdapter a = BenchFusion.randomAdapter(LoraConfig.of(8, 16, 0.05, List.of("q", "v"), "SEQ_2_SEQ_LM"), 1);
        assertEquals(144, a.modules().size());
        for (LoraModule m : a.modules()) {
            assertEquals(8, m.rank());
            assertEquals(1024, m.in());
            assertEquals(1024, m.out());
        }
    }

    @Test
    void theFusionRuns() {
        double ms = BenchFusion.medianMs(2, 1);
        assertTrue(Double.isFinite(ms) && ms >= 0, "median " + ms);
    }
}
