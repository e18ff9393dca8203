package io.kif4j.transformer.memory;

import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.family.ModelSpec;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The memory estimate from config.json alone, and the early refusal of what cannot fit. */
class MemoryPlanTest {

    private static final long GB = 1L << 30;
    private static final Path FILE = Path.of("llama-7b/config.json");
    private static final MachineMemory MACHINE_24G = new MachineMemory(24 * GB, 20 * GB);

    private static ModelSpec<?> spec(String json) throws Exception {
        return Families.read(FILE, Json.MAPPER.readTree(json));
    }

    /** LLaMA-2-7B's config.json (the sizes that matter). */
    private static ModelSpec<?> llama7b() throws Exception {
        return spec("{\"model_type\": \"llama\", \"hidden_size\": 4096, \"intermediate_size\": 11008,"
                + " \"num_hidden_layers\": 32, \"num_attention_heads\": 32, \"num_key_value_heads\": 32,"
                + " \"vocab_size\": 32000, \"tie_word_embeddings\": false}");
    }

    /** The LLaMA-1B-sized config of the memory check: hidden 2048, 16 layers, 32 / 8 heads, vocab 32000, tied. */
    static ModelSpec<?> llama1b() throws Exception {
        return spec("{\"model_type\": \"llama\", \"hidden_size\": 2048, \"intermediate_size\": 8192,"
                + " \"num_hidden_layers\": 16, \"num_attention_heads\": 32, \"num_key_value_heads\": 8,"
                + " \"vocab_size\": 32000, \"tie_word_embeddings\": true}");
    }

    @Test
    void parameterCountIsHfs() throws Exception {
        assertEquals(6_738_415_616L, llama7b().parameterCount(), "Llama-2-7b-hf has 6,738,415,616 parameters");
        MemoryPlan p = MemoryPlan.training(llama7b(), 8, 128, 0, 8, path -> false);
        assertEquals(4 * 6_738_415_616L, p.weightBytes());
        assertEquals(0, p.loraBytes());
    }

    @Test
    void loraCountsEveryTargetedModuleWithGradientAndTwoMoments() throws Exception {
        // hidden 64, 4 heads of 16, 2 kv heads: q_proj 64 → 64, v_proj 64 → 32; 2 layers, r 8
        ModelSpec<?> s = spec("{\"model_type\": \"llama\", \"hidden_size\": 64, \"intermediate_size\": 172,"
                + " \"num_hidden_layers\": 2, \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"vocab_size\": 128}");
        List<String> targets = List.of("q_proj", "v_proj");
        MemoryPlan p = MemoryPlan.training(s, 2, 16, 0, 8, path -> targets.stream().anyMatch(t -> path.endsWith("." + t)));
        long params = 2 * (8 * (64 + 64) + 8 * (64 + 32));
        assertEquals(16 * params, p.loraBytes());
        assertTrue(p.activationBytes() > 0);
        assertEquals(p.weightBytes() + p.loraBytes() + p.activationBytes() + MemoryPlan.NATIVE_OVERHEAD, p.totalBytes());
    }

    @Test
    void a7bModelInFp32IsRefusedOn24GbWithOneLine() throws Exception {
        MemoryPlan p = MemoryPlan.training(llama7b(), 8, 128, 0, 8, path -> path.endsWith("q_proj"));
        KifInputException e = assertThrows(KifInputException.class, () -> p.admit(FILE, MACHINE_24G, 3 * GB));
        String m = e.getMessage();
        assertTrue(m.startsWith(FILE + ": LoRA training, batch 8 × 128, r 8 needs about "), m);
        assertTrue(m.contains("weights 25.1 GB in FP32") && m.contains("20.0 GB available (of 24.0 GB)"), m);
        assertFalse(m.contains("\n"), m);
        KifInputException inference = assertThrows(KifInputException.class,
                () -> MemoryPlan.inference(llama7b()).admit(FILE, MACHINE_24G, 3 * GB));
        assertTrue(inference.getMessage().contains("inference needs about"), inference.getMessage());
    }

    @Test
    void a1bModelFitsAndSetsItsLimits() throws Exception {
        MemoryPlan p = MemoryPlan.training(llama1b(), 8, 128, 0, 8, path -> path.endsWith("q_proj") || path.endsWith("v_proj"));
        assertTrue(p.totalBytes() < 20 * GB, p.describe());
        assertEquals(4L * llama1b().parameterCount(), p.weightBytes());
        assertTrue(p.weightBytes() > 3 * GB, p.describe());
        p.admit(FILE, MACHINE_24G, 3 * GB);
        long[] limits = p.limits(MACHINE_24G, 3 * GB);
        assertEquals(Math.min(Math.max(2 * p.totalBytes(), 8 * GB), 20 * GB), limits[0]);
        assertEquals(Math.min(limits[0] + 5 * GB, 24 * GB), limits[1]);
    }

    @Test
    void smallJobsKeepRoomAndLimitsNeverExceedTheMachine() throws Exception {
        MemoryPlan small = MemoryPlan.inference(llama1b());
        assertArrayEquals(new long[]{8 * GB, 13 * GB}, new MemoryPlan("tiny", GB, 0, 0).limits(MACHINE_24G, 3 * GB));
        long[] onSmallMachine = small.limits(new MachineMemory(8 * GB, 6 * GB), 3 * GB);
        assertEquals(4 * GB, onSmallMachine[0]);
        assertEquals(8 * GB, onSmallMachine[1]);
    }

    @Test
    void theMachineIsRead() {
        MachineMemory m = MachineMemory.read();
        assertTrue(m.totalBytes() > 0 && m.availableBytes() >= 0 && m.availableBytes() <= m.totalBytes(), m.toString());
    }
}
