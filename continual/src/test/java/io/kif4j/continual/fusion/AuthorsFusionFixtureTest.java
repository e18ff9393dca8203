package io.kif4j.continual.fusion;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.continual.importance.Aggregation;
import io.kif4j.continual.importance.ImportanceMetric;
import io.kif4j.continual.importance.ImportanceTracker;
import io.kif4j.continual.importance.ScoreFile;
import io.kif4j.continual.importance.UnitScores;
import io.kif4j.continual.tensors.HostArrays;
import io.kif4j.lora.SkillUnit;
import io.kif4j.common.Json;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * ../shared/fixtures-fusion: fusion steps computed by the KIF and Recurrent-KIF authors' own code, reproduced
 * through {@link FusionStep} (the classes the methods use). Every case folder found (directly under the root or
 * under {@code public/}) is run with the hyperparameters of its case.json; the tolerance is the README's, per
 * tensor max |got − want| ≤ 1e-6 · max |want|, and the discrete decisions (static cases, Recurrent-KIF ω) must
 * match exactly. The optional checks recompute the element EMAs from the trajectories with
 * {@link ImportanceTracker} and the unit scores with {@link UnitScores#aggregate}.
 */
class AuthorsFusionFixtureTest {

    private static final Logger LOG = LoggerFactory.getLogger(AuthorsFusionFixtureTest.class);
    static final double TOLERANCE = 1e-6;

    @TempDir
    static Path tmp;

    /** The fixture root: -Dkif.fusionFixtures, KIF_FUSION_FIXTURES, or ../shared/fixtures-fusion. */
    static Path root() {
        String p = System.getProperty("kif.fusionFixtures", System.getenv("KIF_FUSION_FIXTURES"));
        if (p != null) {
            return Path.of(p);
        }
        return Path.of(System.getProperty("kif.shared", "../shared")).resolve("fixtures-fusion");
    }

    /** Every folder holding a case.json, directly under the root or one level deeper (public/, hidden/, …). */
    static List<Path> cases() {
        Path root = root();
        assertTrue(Files.isDirectory(root), "fusion fixtures not found at " + root.toAbsolutePath());
        try (Stream<Path> s = Files.walk(root, 2)) {
            List<Path> found = s.filter(d -> Files.isRegularFile(d.resolve("case.json"))).sorted().toList();
            assertFalse(found.isEmpty(), "no case folder (with case.json) under " + root);
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TestFactory
    Stream<DynamicContainer> everyCase() {
        return cases().stream().map(dir -> DynamicContainer.dynamicContainer(dir.getFileName().toString(),
                checks(dir)));
    }

    private static List<DynamicTest> checks(Path dir) {
        JsonNode c = Json.read(dir.resolve("case.json"));
        String rule = c.get("rule").asText();
        List<DynamicTest> t = new ArrayList<>();
        if (rule.startsWith("recurrent")) {
            Path anchor = null;
            for (Path round : rounds(dir)) {
                // A later round without its own prev_adapter starts from the previous round's expected result.
                Path a = Files.isDirectory(round.resolve("prev_adapter")) ? round.resolve("prev_adapter") : anchor;
                String name = dir.relativize(round).toString();
                t.add(DynamicTest.dynamicTest("fused adapter, omega, thresholds " + name, () -> recurrent(round, a, c)));
                t.add(DynamicTest.dynamicTest("element EMAs from the trajectories " + name, () -> recurrentEmas(round)));
                anchor = round.resolve("expected_adapter");
            }
        } else {
            t.add(DynamicTest.dynamicTest("fused adapter, cumulative scores, decisions", () -> scored(dir, c)));
            for (String task : List.of("prev", "cur")) {
                t.add(DynamicTest.dynamicTest(task + " element EMAs and unit scores from the trajectory",
                        () -> scoredEmas(dir, c, task)));
            }
        }
        return t;
    }

    /** The step's settings from case.json's hyperparameters (the code's defaults where absent). */
    static FusionStep.Options options(JsonNode c) {
        JsonNode h = c.get("hyperparameters");
        FusionStep.Rule rule = c.get("rule").asText().equals("static") ? FusionStep.Rule.STATIC
                : FusionStep.Rule.ADAPTIVE;
        FusionStep.Options d = FusionStep.Options.codeDefaults(rule);
        return new FusionStep.Options(rule, h.path("tau").asDouble(d.tau()),
                h.path("gamma_shared_weight_on_prev").asDouble(d.gamma()), h.path("quantile").asDouble(d.quantile()),
                h.path("cumulative_beta_on_history").asDouble(d.beta()), d.space(), d.constant(), d.missing());
    }

    static void scored(Path dir, JsonNode c) {
        Path out = tmp.resolve(dir.getFileName().toString());
        FusionStep.Scored s = FusionStep.fuse(dir.resolve("prev_adapter"), dir.resolve("cur_adapter"),
                dir.resolve("importance/prev_scores.csv"), dir.resolve("importance/cur_scores.csv"), options(c), out);
        double adapter = compareAdapters(out, dir.resolve("expected_adapter"), dir.getFileName().toString());
        ScoreFile want = ScoreFile.read(dir.resolve("expected_cumulative.csv"), ScoreFile.Column.CUMULATIVE);
        ScoreFile got = ScoreFile.read(out.resolve(FusionStep.CUMULATIVE_FILE), ScoreFile.Column.CUMULATIVE);
        assertEquals(want.names(), got.names(), "the cumulative CSV keeps the names and their order");
        double cumulative = maxRelative(values(want.scores()), values(got.scores()));
        assertTrue(cumulative <= TOLERANCE, dir + ": cumulative scores off by " + cumulative + " of their max");
        Path importance = dir.resolve("importance.json");
        double pc = 0;
        if (Files.isRegularFile(importance)) {
            JsonNode imp = Json.read(importance);
            Map<String, Double> wantP = new LinkedHashMap<>();
            Map<String, Double> wantC = new LinkedHashMap<>();
            for (JsonNode u : imp.get("units")) {
                String id = u.get("unit").asText();
                wantP.put(id, u.get("p").asDouble());
                wantC.put(id, u.get("c").asDouble());
                if (u.has("case")) {
                    assertEquals(u.get("case").asText(), s.decisions().get(id).kase(), dir + ": case of " + id);
                    assertEquals(u.get("weight_on_prev").asDouble(), s.decisions().get(id).weightOnPrevious(), 0,
                            dir + ": weight of " + id);
                }
                if (u.has("alpha_prev")) {
                    assertEquals(u.get("alpha_prev").asDouble(), s.decisions().get(id).weightOnPrevious(), 1e-12,
                            dir + ": alpha_prev of " + id);
                }
            }
            assertEquals(wantP.keySet(), s.p().keySet());
            pc = Math.max(maxRelative(values(wantP), values(s.p())), maxRelative(values(wantC), values(s.c())));
            assertTrue(pc <= 1e-12, dir + ": Norm off by " + pc);
            if (s.thresholds() != null) {
                JsonNode th = imp.get("thresholds");
                assertEquals(th.get("p").asDouble(), s.thresholds()[0], 1e-12 * Math.abs(th.get("p").asDouble()));
                assertEquals(th.get("c").asDouble(), s.thresholds()[1], 1e-12 * Math.abs(th.get("c").asDouble()));
                Map<String, Integer> counts = new TreeMap<>();
                imp.get("case_counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
                assertEquals(counts, new TreeMap<>(s.fusion().caseCounts()));
            }
        }
        LOG.info("{}: adapter max error {} of max, cumulative {}, Norm {} (tolerance {})", dir.getFileName(),
                adapter, cumulative, pc, TOLERANCE);
    }

    /** The case folder itself, or its round folders (any sub-folder holding an inner_adapter/), in name order. */
    static List<Path> rounds(Path dir) {
        if (Files.isDirectory(dir.resolve("inner_adapter"))) {
            return List.of(dir);
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> r = s.filter(d -> Files.isDirectory(d.resolve("inner_adapter"))).sorted().toList();
            assertFalse(r.isEmpty(), dir + ": no inner_adapter/ in the case or its sub-folders");
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void recurrent(Path dir, Path anchor, JsonNode c) {
        Path out = tmp.resolve(dir.toString().replace('/', '_'));
        double q = c.get("hyperparameters").path("quantile").asDouble(0.8);
        RecurrentFusion.Result r = FusionStep.fuseRecurrent(anchor, dir.resolve("inner_adapter"),
                dir.resolve("cur_adapter"), dir.resolve("importance/element_scores.safetensors"), q, out);
        double adapter = compareAdapters(out, dir.resolve("expected_adapter"), dir.getFileName().toString());
        SafetensorsFile want = SafetensorsFile.open(dir.resolve("expected_weights.safetensors"));
        SafetensorsFile got = SafetensorsFile.open(out.resolve(FusionStep.OMEGA_FILE));
        assertEquals(want.names(), got.names());
        for (String k : want.names()) {
            assertArrayEquals(HostArrays.read(want.load(k), null), HostArrays.read(got.load(k), null), 0f,
                    dir + ": " + k + " must match exactly");
        }
        Path round = dir.resolve("round.json");
        if (Files.isRegularFile(round)) {
            JsonNode rj = Json.read(round);
            assertEquals((float) rj.get("thresholds").get("inner_float32").asDouble(), r.thresholds()[0], 0f);
            assertEquals((float) rj.get("thresholds").get("outer_float32").asDouble(), r.thresholds()[1], 0f);
            Map<String, Integer> counts = new TreeMap<>();
            rj.get("mask_counts").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asInt()));
            assertEquals(counts, new TreeMap<>(r.counts()));
        }
        LOG.info("{}: adapter max error {} of max (tolerance {}), omega exact, counts {}", dir.getFileName(), adapter,
                TOLERANCE, r.counts());
    }

    /** Recomputes cur/prev element EMAs (first step skipped) and the unit scores from the trajectory. */
    static void scoredEmas(Path dir, JsonNode c, String task) {
        Path traj = dir.resolve("importance/" + task + "_trajectory.safetensors");
        Path elems = dir.resolve("importance/" + task + "_element_scores.safetensors");
        if (!Files.isRegularFile(traj) || !Files.isRegularFile(elems)) {
            LOG.info("{}: no {} trajectory, optional check skipped", dir.getFileName(), task);
            return;
        }
        ImportanceMetric metric = c.get("importance_source").asText().contains("0.5") ? ImportanceMetric.FISHER
                : ImportanceMetric.FIRST_ORDER;
        ImportanceTracker tracker = new ImportanceTracker(metric, 0.85, 0.85,
                ImportanceTracker.LoopOrder.PEFT_LOOP_ORDER, true);
        replay(tracker, SafetensorsFile.open(traj));
        double worst = compareEmas(tracker, SafetensorsFile.open(elems), "", dir);
        if (task.equals("prev") && !c.path("previous_scores_are").asText("raw").contains("raw")) {
            LOG.info("{}: prev_scores.csv is a cumulative score; EMAs checked, unit scores not", dir.getFileName());
            return;
        }
        // Unit scores: the score file's units, aggregated as the spec says (mean; product of means for rank one).
        ScoreFile scores = ScoreFile.read(dir.resolve("importance/" + task + "_scores.csv"), ScoreFile.Column.RAW);
        List<SkillUnit> units = scores.units();
        Map<String, Double> got = UnitScores.aggregate(units, tracker.scores(),
                units.get(0).kind() == SkillUnit.Kind.RANK_ONE ? Aggregation.PRODUCT_OF_MEANS : Aggregation.MEAN);
        double unit = maxRelative(values(scores.scores()), values(got));
        assertTrue(unit <= TOLERANCE, dir + ": " + task + " unit scores off by " + unit);
        LOG.info("{}: {} element EMAs max error {}, unit scores {}", dir.getFileName(), task, worst, unit);
    }

    /** The inner and outer EMAs of a first round (every step counted, both starting empty). */
    static void recurrentEmas(Path dir) {
        Path round = dir.resolve("round.json");
        JsonNode rj = Files.isRegularFile(round) ? Json.read(round) : null;
        SafetensorsFile elems = SafetensorsFile.open(dir.resolve("importance/element_scores.safetensors"));
        for (String kind : List.of("inner", "outer")) {
            SafetensorsFile traj = SafetensorsFile.open(dir.resolve("importance/" + kind + "_trajectory.safetensors"));
            ImportanceTracker tracker = new ImportanceTracker(ImportanceMetric.FIRST_ORDER, 0.85, 0.85,
                    ImportanceTracker.LoopOrder.PEFT_LOOP_ORDER, false);
            int steps = replay(tracker, traj);
            if (rj != null && rj.path(kind + "_steps_in_" + kind + "_ema").asInt(steps) != steps) {
                LOG.info("{}: the {} EMA spans earlier rounds; optional check skipped", dir.getFileName(), kind);
                continue;
            }
            double worst = compareEmas(tracker, elems, kind + ".", dir);
            LOG.info("{}: {} element EMAs max error {}", dir.getFileName(), kind, worst);
        }
    }

    /** Feeds {@code <s>:w:<var>} / {@code <s>:g:<var>} for s = 1, 2, … to the tracker; returns the step count. */
    private static int replay(ImportanceTracker tracker, SafetensorsFile traj) {
        Map<Integer, Map<String, INDArray>> w = new TreeMap<>();
        Map<Integer, Map<String, INDArray>> g = new TreeMap<>();
        for (String k : traj.names()) {
            String[] p = k.split(":", 3);
            (p[1].equals("w") ? w : g).computeIfAbsent(Integer.parseInt(p[0]), s -> new LinkedHashMap<>())
                    .put(p[2], traj.load(k));
        }
        w.forEach((s, params) -> tracker.update(s, params, g.get(s)));
        return w.size();
    }

    private static double compareEmas(ImportanceTracker t, SafetensorsFile want, String prefix, Path dir) {
        double worst = 0;
        for (var pair : List.of(Map.entry("Ibar:", t.sensitivity()), Map.entry("Ubar:", t.uncertainty()),
                Map.entry("score:", t.scores()))) {
            for (var e : pair.getValue().entrySet()) {
                String key = prefix + pair.getKey() + e.getKey();
                double err = maxRelative(toDouble(HostArrays.read(want.load(key), null)),
                        toDouble(HostArrays.read(e.getValue(), null)));
                assertTrue(err <= TOLERANCE, dir + ": " + key + " off by " + err + " of its max");
                worst = Math.max(worst, err);
            }
        }
        return worst;
    }

    /** Per tensor max |got − want| / max |want| over the adapters' tensors; each must be within the tolerance. */
    static double compareAdapters(Path got, Path want, String name) {
        SafetensorsFile g = SafetensorsFile.open(got.resolve("adapter_model.safetensors"));
        SafetensorsFile w = SafetensorsFile.open(want.resolve("adapter_model.safetensors"));
        assertEquals(w.names(), g.names(), name + ": the fused adapter has the expected keys");
        double worst = 0;
        for (String k : w.names()) {
            assertArrayEquals(w.load(k).shape(), g.load(k).shape(), k);
            double err = maxRelative(toDouble(HostArrays.read(w.load(k), null)), toDouble(HostArrays.read(g.load(k), null)));
            assertTrue(err <= TOLERANCE, name + ": " + k + " off by " + err + " of its max");
            worst = Math.max(worst, err);
        }
        assertTrue(Files.isRegularFile(got.resolve("adapter_config.json")));
        return worst;
    }

    static double maxRelative(double[] want, double[] got) {
        assertEquals(want.length, got.length);
        double max = 0;
        double diff = 0;
        for (int i = 0; i < want.length; i++) {
            max = Math.max(max, Math.abs(want[i]));
            diff = Math.max(diff, Math.abs(got[i] - want[i]));
        }
        return max == 0 ? diff : diff / max;
    }

    private static double[] values(Map<String, Double> m) {
        return m.values().stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }
}
