package io.kif4j.lora;

import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.Quiet;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoraUnitTest {

    @TempDir
    Path tmp;

    @Test
    void targetMatchingFollowsPeft() {
        LoraConfig c = LoraConfig.of(4, 8, 0, List.of("q", "v"), null);
        assertTrue(c.targets("encoder.block.0.layer.0.SelfAttention.q"));
        assertTrue(c.targets("decoder.block.3.layer.1.EncDecAttention.v"));
        assertTrue(!c.targets("decoder.block.3.layer.1.EncDecAttention.o"));
        assertTrue(!c.targets("model.layers.0.self_attn.q_proj"), "q is a whole-name suffix, not a substring");
        LoraConfig regex = new LoraConfig(4, 8, 0, List.of(), ".*layers\\.1\\..*_proj", "none", false, null, null);
        assertTrue(regex.targets("model.layers.1.mlp.up_proj"));
        assertTrue(!regex.targets("model.layers.0.mlp.up_proj"));
        assertEquals(2.0, c.scaling());
        assertEquals(4.0, new LoraConfig(4, 8, 0, List.of("q"), null, "none", true, null, null).scaling());
    }

    @Test
    void saveLoadSaveIsByteIdenticalAndKeysEqualTheFixtures() throws Exception {
        for (String type : new String[]{"llama", "t5"}) {
            for (Fixture f : Fixture.all(type)) {
                Path src = f.dir().resolve("lora");
                LoraAdapter a = LoraAdapter.load(src);
                a.save(tmp.resolve(f.name() + "-1"));
                LoraAdapter b = LoraAdapter.load(tmp.resolve(f.name() + "-1"));
                b.save(tmp.resolve(f.name() + "-2"));
                for (String file : new String[]{LoraAdapter.CONFIG_FILE, LoraAdapter.WEIGHTS_FILE}) {
                    assertArrayEquals(Files.readAllBytes(tmp.resolve(f.name() + "-1").resolve(file)),
                            Files.readAllBytes(tmp.resolve(f.name() + "-2").resolve(file)), f.name() + " " + file);
                }
                var ours = io.kif4j.weights.safetensors.SafetensorsFile.open(tmp.resolve(f.name() + "-1").resolve(LoraAdapter.WEIGHTS_FILE));
                var theirs = io.kif4j.weights.safetensors.SafetensorsFile.open(src.resolve(LoraAdapter.WEIGHTS_FILE));
                assertEquals(shapes(theirs), shapes(ours), f.name() + ": keys and shapes");
                for (String k : theirs.names()) {
                    assertEquals(theirs.load(k), ours.load(k), k);
                }
                LoraConfig c = LoraConfig.read(tmp.resolve(f.name() + "-1").resolve(LoraAdapter.CONFIG_FILE));
                assertEquals(a.config(), c);
            }
        }
    }

    private static Map<String, String> shapes(io.kif4j.weights.safetensors.SafetensorsFile f) {
        return f.names().stream().collect(Collectors.toMap(n -> n, n -> f.info(n).shapeString(), (x, y) -> x, TreeMap::new));
    }

    @Test
    void malformedAdapterFilesNameTheProblem() throws Exception {
        Path src = Fixture.all("llama").get(0).dir().resolve("lora");
        Path dir = Files.createDirectories(tmp.resolve("bad"));
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8}");
        Files.copy(src.resolve(LoraAdapter.WEIGHTS_FILE), dir.resolve(LoraAdapter.WEIGHTS_FILE));
        KifInputException e = assertThrows(KifInputException.class, () -> LoraAdapter.load(dir));
        assertTrue(e.getMessage().contains("target_modules"), e.getMessage());
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), "{\"peft_type\":\"LORA\",\"r\":3,\"lora_alpha\":8,\"target_modules\":[\"q_proj\"]}");
        e = assertThrows(KifInputException.class, () -> LoraAdapter.load(dir));
        assertTrue(e.getMessage().contains("rank r = 3"), e.getMessage());
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), "{\"peft_type\":\"LORA\",\"r\":4,\"lora_alpha\":8,\"target_modules\":[\"q_proj\"]}");
        e = assertThrows(KifInputException.class, () -> Lora.attach(io.kif4j.transformer.Models.load(src.getParent()), LoraAdapter.load(dir)));
        assertTrue(e.getMessage().contains("v_proj"), "v_proj weights are not targeted: " + e.getMessage());
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), "{\"peft_type\":\"PREFIX_TUNING\"}");
        e = assertThrows(KifInputException.class, () -> LoraAdapter.load(dir));
        assertTrue(e.getMessage().contains("peft_type"), e.getMessage());
    }

    @Test
    void newAdaptersInitialiseAsPeft() {
        var model = io.kif4j.transformer.Models.load(Fixture.all("llama").get(0).dir());
        LoraAdapter a = LoraAdapter.create(LoraConfig.of(4, 8, 0, List.of("q_proj"), null), 7);
        Lora.attach(model, a);
        LoraModule m = a.modules().get(0);
        double bound = 1 / Math.sqrt(m.in());
        assertTrue(m.a().amaxNumber().doubleValue() <= bound);
        assertTrue(m.a().amaxNumber().doubleValue() > 0.8 * bound, "spans the Kaiming-uniform range");
        assertEquals(0.0, m.b().amaxNumber().doubleValue());
        LoraAdapter again = LoraAdapter.create(LoraConfig.of(4, 8, 0, List.of("q_proj"), null), 7);
        Lora.attach(model, again);
        assertEquals(m.a(), again.modules().get(0).a(), "seeded");
    }

    @Test
    void dropoutZeroesWithProbabilityPAndRescales() {
        LoraAdapter a = LoraAdapter.create(LoraConfig.of(1, 1, 0.25, List.of("lin"), null), 1);
        SameDiff sd = SameDiff.create();
        Graph g = new Graph(sd, null, a);
        SDVariable x = sd.constant(Nd4j.ones(DataType.FLOAT, 4000, 16));
        a.setTraining(true);
        SDVariable d = a.delta(g, "lin", x, 16, 1);
        a.array("lin.lora_A.weight").assign(1);
        a.array("lin.lora_B.weight").assign(1);
        Nd4j.getRandom().setSeed(3);
        INDArray out = sd.outputSingle(Map.of(), d.name());
        double mean = out.meanNumber().doubleValue();
        assertEquals(16, mean, 0.1, "E[Σ mask/(1−p)] = 16");
        INDArray steps = out.mul(0.75);
        assertTrue(Transforms.abs(steps.sub(Transforms.round(steps))).maxNumber().doubleValue() < 1e-4,
                "each kept input is scaled by 1/(1−p)");
        double keptFraction = steps.sumNumber().doubleValue() / (4000.0 * 16);
        assertEquals(0.75, keptFraction, 0.01);
    }

    @Test
    void orthogonalityPenaltyValueAndGradientPassFiniteDifferencesInDouble() {
        Nd4j.getRandom().setSeed(11);
        INDArray a1 = Nd4j.rand(DataType.DOUBLE, 3, 5).subi(0.5);
        INDArray b1 = Nd4j.rand(DataType.DOUBLE, 6, 3).subi(0.5);
        INDArray a2 = Nd4j.rand(DataType.DOUBLE, 3, 4).subi(0.5);
        INDArray b2 = Nd4j.zeros(DataType.DOUBLE, 7, 3); // a fresh B: ‖BᵀB − I‖ = √r
        List<INDArray> arrays = List.of(a1, b1, a2, b2);
        SameDiff sd = SameDiff.create();
        List<SDVariable[]> pairs = new ArrayList<>();
        pairs.add(new SDVariable[]{sd.var("a1", a1), sd.var("b1", b1)});
        pairs.add(new SDVariable[]{sd.var("a2", a2), sd.var("b2", b2)});
        SDVariable p = Orthogonality.penalty(sd, pairs, 3, DataType.DOUBLE);
        sd.setLossVariables(p);
        double value = sd.outputSingle(Map.of(), p.name()).getDouble(0);
        assertEquals(direct(arrays), value, 1e-12);
        Map<String, INDArray> grads = Quiet.call(() -> sd.calculateGradients(Map.of(), "a1", "b1", "a2", "b2"));
        String[] names = {"a1", "b1", "a2", "b2"};
        double h = 1e-6;
        for (int k = 0; k < 4; k++) {
            INDArray arr = arrays.get(k);
            for (int i = 0; i < arr.length(); i++) {
                double orig = arr.getDouble(i);
                arr.putScalar(i, orig + h);
                double up = direct(arrays);
                arr.putScalar(i, orig - h);
                double down = direct(arrays);
                arr.putScalar(i, orig);
                double numeric = (up - down) / (2 * h);
                assertEquals(numeric, grads.get(names[k]).getDouble(i), 1e-6, names[k] + "[" + i + "]");
            }
        }
    }

    /** (1/4)(‖A1A1ᵀ−I‖ + ‖B1ᵀB1−I‖ + ‖A2A2ᵀ−I‖ + ‖B2ᵀB2−I‖), straight from the definition. */
    private static double direct(List<INDArray> m) {
        INDArray eye = Nd4j.eye(3).castTo(DataType.DOUBLE);
        double s = m.get(0).mmul(m.get(0).transpose()).sub(eye).norm2Number().doubleValue()
                + m.get(1).transpose().mmul(m.get(1)).sub(eye).norm2Number().doubleValue()
                + m.get(2).mmul(m.get(2).transpose()).sub(eye).norm2Number().doubleValue()
                + m.get(3).transpose().mmul(m.get(3)).sub(eye).norm2Number().doubleValue();
        return s / 4;
    }

    @Test
    void mergedExportReloadsToTheAdaptedLogits() {
        for (String type : new String[]{"llama", "t5"}) {
            Fixture f = Fixture.all(type).get(0);
            LoraAdapter a = LoraAdapter.load(f.dir().resolve("lora"));
            Path out = tmp.resolve("merged-" + type);
            MergedExport.export(f.dir(), a, out);
            var merged = io.kif4j.transformer.Models.load(out);
            double diff = Fixture.maxAbsDiffValid(merged.score(f.inputs().batch()).logits(), f.tensor("lora.logits"),
                    f.intMatrix("valid_positions"));
            assertTrue(diff <= 1e-4, type + ": merged export differs from the LoRA logits by " + diff);
            assertTrue(Files.isRegularFile(out.resolve("config.json")));
        }
    }

    /** An adapter folder with the given config and tensors (written by SafetensorsWriter). */
    Path adapter(String name, String config, Map<String, INDArray> tensors) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), config);
        io.kif4j.weights.safetensors.SafetensorsWriter.write(dir.resolve(LoraAdapter.WEIGHTS_FILE), tensors);
        return dir;
    }

    static KifInputException assertLoadRejected(Path dir, String file, String... fragments) {
        KifInputException e = assertThrows(KifInputException.class, () -> LoraAdapter.load(dir));
        assertTrue(e.getMessage().startsWith(dir.resolve(file).toString()), "names " + file + ": " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
        return e;
    }

    static final String QV = "{\"peft_type\":\"LORA\",\"r\":2,\"lora_alpha\":8,\"target_modules\":[\"q\",\"v\"]}";

    @Test
    void adapterKeyWithoutAModuleIsRefused() throws Exception {
        // Prefix and suffix share the dot: substring(17, 16) threw StringIndexOutOfBounds.
        Path dir = adapter("nomodule", QV, Map.of(LoraModule.PEFT_PREFIX + "lora_A.weight", Nd4j.ones(2, 3)));
        assertLoadRejected(dir, LoraAdapter.WEIGHTS_FILE, "'base_model.model.lora_A.weight'", "not a PEFT LoRA weight");
    }

    @Test
    void nonFiniteAdapterWeightsAreRefused() throws Exception {
        INDArray a = Nd4j.ones(2, 3);
        a.putScalar(1, 2, Float.NaN);
        Path dir = adapter("nan", QV, Map.of(LoraModule.PEFT_PREFIX + "x.q.lora_A.weight", a,
                LoraModule.PEFT_PREFIX + "x.q.lora_B.weight", Nd4j.zeros(3, 2)));
        assertLoadRejected(dir, LoraAdapter.WEIGHTS_FILE, "'base_model.model.x.q.lora_A.weight'", "NaN at element 5");
    }

    @Test
    void adapterConfigValuesOfTheWrongTypeOrRange() throws Exception {
        Map<String, INDArray> none = Map.of();
        assertLoadRejected(adapter("rstring", "{\"r\":\"8\",\"target_modules\":[\"q\"]}", none),
                LoraAdapter.CONFIG_FILE, "'r'", "expected an integer");
        assertLoadRejected(adapter("rneg", "{\"r\":-1,\"target_modules\":[\"q\"]}", none),
                LoraAdapter.CONFIG_FILE, "'r'", "positive");
        assertLoadRejected(adapter("targets", "{\"target_modules\":[1]}", none), LoraAdapter.CONFIG_FILE, "target_modules");
        assertLoadRejected(adapter("dropout", "{\"target_modules\":[\"q\"],\"lora_dropout\":1.5}", none),
                LoraAdapter.CONFIG_FILE, "lora_dropout 1.5");
        assertLoadRejected(adapter("alpha", "{\"target_modules\":[\"q\"],\"lora_alpha\":1e999}", none),
                LoraAdapter.CONFIG_FILE, "'lora_alpha'", "finite");
    }

    @Test
    void regexTargetModulesThatDoNotCompileOrBacktrackForeverAreRefused() throws Exception {
        Map<String, INDArray> none = Map.of();
        assertLoadRejected(adapter("syntax", "{\"target_modules\":\"(((\"}", none), LoraAdapter.CONFIG_FILE,
                "not a valid regex");
        assertLoadRejected(adapter("long", "{\"target_modules\":\"" + "a".repeat(5000) + "\"}", none),
                LoraAdapter.CONFIG_FILE, "5000 characters");
        // Exponential backtracking on every module path: without the step budget this would not return.
        long start = System.nanoTime();
        assertLoadRejected(adapter("redos", "{\"target_modules\":\"(([\\\\w.]+)[\\\\w.]*)+\\\\2x\"}", none), LoraAdapter.CONFIG_FILE,
                "catastrophic backtracking");
        assertTrue(System.nanoTime() - start < 10_000_000_000L, "bounded in time");
        // A plain PEFT regex is fine.
        LoraConfig ok = LoraConfig.read(adapter("ok", "{\"target_modules\":\".*\\\\.(q|v)$\"}", none)
                .resolve(LoraAdapter.CONFIG_FILE));
        assertTrue(ok.targets("encoder.block.0.layer.0.SelfAttention.q"));
    }

    @Test
    void zeroLengthOrPickledAdapterFiles() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("empty"));
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), "");
        assertThrows(KifInputException.class, () -> LoraAdapter.load(dir));
        Files.writeString(dir.resolve(LoraAdapter.CONFIG_FILE), QV);
        Files.write(dir.resolve(LoraAdapter.WEIGHTS_FILE), new byte[0]);
        assertLoadRejected(dir, LoraAdapter.WEIGHTS_FILE, "shorter than the 8-byte header length");
        Files.delete(dir.resolve(LoraAdapter.WEIGHTS_FILE));
        Files.write(dir.resolve("adapter_model.bin"), new byte[] {(byte) 0x80, 2});
        assertLoadRejected(dir, "adapter_model.bin", "arbitrary code");
    }
}
