package io.kif4j.continual;

import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The papers' protocols as presets, and the model-dependent defaults. */
class PresetsTest {

    @TempDir
    Path tmp;

    @Test
    void everyPresetLoadsAndCitesTheSpecForEverySetting() {
        for (String name : Presets.NAMES) {
            var settings = Presets.settings(name);
            assertFalse(settings.isEmpty(), name);
            settings.forEach((k, s) -> assertTrue(s.source().contains("§"), name + "." + k + ": " + s.source()));
            RunConfig c = Presets.load(name);
            assertEquals(name, c.preset);
            RunConfigs.validate(tmp.resolve(name), c);
        }
    }

    @Test
    void thePresetsHoldTheSpecsNumbers() {
        RunConfig t5 = Presets.load("paper-t5");
        assertEquals(50, t5.warmupSteps, "§5.1 warm-up");
        assertEquals(40, t5.evalEvery, "§5.1 validation cadence");
        assertEquals("kif", t5.protocol, "§5.1 keep-best on a 100-example validation split");
        assertEquals(3e-4, t5.lr);
        assertEquals(10, t5.epochs);
        assertEquals(8, t5.batch * t5.gradAccumulation, "§5.1 effective batch 8");
        RunConfig rkif = Presets.load("rkif-t5");
        assertEquals(32.0, rkif.loraAlpha, "§2.1 Recurrent-KIF α 32");
        assertTrue(rkif.memoryClassBalanced, "§6.1 class-stratified memory");
        assertEquals("recurrent-kif", rkif.method);
        RunConfig olora = Presets.load("olora-t5");
        assertEquals("constant", olora.lrSchedule);
        assertEquals(1e-3, olora.lr);
        assertEquals(0.0, olora.oloraLambda2);
        assertEquals(List.of("q_proj", "v_proj"), Presets.load("paper-llama").target);
    }

    @Test
    void recurrentKifBringsItsOwnAlphaAndStratifiedMemoryUnlessTheRunSetsThem() throws IOException {
        for (String method : Methods.names()) {
            RunConfig c = new RunConfig();
            c.method = method;
            c.resolve(RunDefaults.BUILT_IN);
            boolean rkif = method.equals("recurrent-kif");
            assertEquals(rkif ? 32.0 : 16.0, c.loraAlpha, method + ": α (spec §2.1)");
            assertEquals(rkif, c.memoryClassBalanced, method + ": class-stratified memory (spec §6.1 vs §5.3)");
        }
        RunConfig set = RunConfigs.read(Files.writeString(tmp.resolve("r.yaml"),
                "method: recurrent-kif\nlora_alpha: 16\nmemory_class_balanced: false\n"));
        set.resolve(RunDefaults.BUILT_IN);
        assertEquals(16.0, set.loraAlpha, "a value the run sets wins over the method's");
        assertFalse(set.memoryClassBalanced);
        RunConfig preset = RunConfigs.read(Files.writeString(tmp.resolve("p.yaml"), "method: recurrent-kif\n"), "paper-t5");
        preset.resolve(RunDefaults.T5);
        assertEquals(16.0, preset.loraAlpha, "paper-t5 fixes α 16 for every method it compares");
        assertFalse(preset.memoryClassBalanced);
        RunConfig plain = RunConfigs.read(Files.writeString(tmp.resolve("q.yaml"), "method: recurrent-kif\n"));
        assertNull(plain.loraAlpha, "unset until resolved: the method decides");
    }

    @Test
    void anUnknownPresetIsRefusedWithTheAvailableOnes() {
        var e = assertThrows(KifInputException.class, () -> Presets.load("paper-t6"));
        assertEquals("--preset: unknown preset 'paper-t6'; available: paper-t5, paper-llama, rkif-t5, olora-t5",
                e.getMessage());
    }

    @Test
    void aConfigFileOverridesItsPreset() throws IOException {
        Path f = Files.writeString(tmp.resolve("c.yaml"), "preset: paper-t5\nlr: 0.001\n");
        RunConfig c = RunConfigs.read(f);
        assertEquals(1e-3, c.lr, "the file's lr wins");
        assertEquals(50, c.warmupSteps, "the rest comes from the preset");
        RunConfig other = RunConfigs.read(Files.writeString(tmp.resolve("d.yaml"), "lr: 0.002\n"), "olora-t5");
        assertEquals(2e-3, other.lr);
        assertEquals("constant", other.lrSchedule);
    }

    @Test
    void aUsersModelGetsThePapersRecipeNotTheToyDefaults() {
        RunConfig builtIn = new RunConfig().resolve(false);
        assertEquals(5e-3, builtIn.lr);
        assertEquals(500, builtIn.trainPerTask); // the built-in default of issue 15 (docs/RESULTS.md §0)
        assertEquals(0, builtIn.warmupSteps);
        RunConfig own = new RunConfig();
        own.model = "/models/my-llama";
        own.resolve(false);
        assertEquals(RunDefaults.LLAMA.lr(), own.lr);
        assertEquals(50, own.warmupSteps);
        assertEquals(List.of("q_proj", "v_proj"), own.target);
        RunConfig t5 = new RunConfig();
        t5.model = "/models/t5";
        t5.epochs = 2; // a set value is kept
        t5.resolve(true);
        assertEquals(2, t5.epochs);
        assertEquals(List.of("q", "v"), t5.target);
        assertNull(new RunConfig().lr, "unset until resolved");
    }
}
