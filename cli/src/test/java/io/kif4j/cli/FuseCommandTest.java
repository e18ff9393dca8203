package io.kif4j.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.common.Json;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./kif fuse} exactly as issue #16 writes it, on every case of ../shared/fixtures-fusion (found by listing
 * folders): the fused adapter and the cumulative CSV within the README's tolerance (per tensor
 * max |got − want| ≤ 1e-6 · max |want|), and bad input as one {@code kif: error:} line with exit code 2.
 */
class FuseCommandTest {

    @TempDir
    Path tmp;

    static Path root() {
        String p = System.getProperty("kif.fusionFixtures", System.getenv("KIF_FUSION_FIXTURES"));
        return p != null ? Path.of(p) : Path.of(System.getProperty("kif.shared", "../shared")).resolve("fixtures-fusion");
    }

    static List<Path> cases() {
        try (Stream<Path> s = Files.walk(root(), 2)) {
            List<Path> found = s.filter(d -> Files.isRegularFile(d.resolve("case.json"))).sorted().toList();
            assertTrue(!found.isEmpty(), "no fusion fixture case under " + root().toAbsolutePath());
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The command line for a case, every hyperparameter from its case.json. */
    static List<String> args(Path dir, Path out) {
        JsonNode c = Json.read(dir.resolve("case.json"));
        JsonNode h = c.get("hyperparameters");
        String rule = c.get("rule").asText();
        List<String> a = new ArrayList<>(List.of("fuse", "--rule"));
        if (rule.startsWith("recurrent")) {
            a.addAll(List.of("recurrent", "--anchor", dir.resolve("prev_adapter").toString(),
                    "--inner", dir.resolve("inner_adapter").toString(), "--current", dir.resolve("cur_adapter").toString(),
                    "--element-scores", dir.resolve("importance/element_scores.safetensors").toString()));
            flag(a, h, "quantile", "--quantile");
        } else {
            a.addAll(List.of(rule, "--previous", dir.resolve("prev_adapter").toString(),
                    "--current", dir.resolve("cur_adapter").toString(),
                    "--previous-scores", dir.resolve("importance/prev_scores.csv").toString(),
                    "--current-scores", dir.resolve("importance/cur_scores.csv").toString()));
            flag(a, h, "cumulative_beta_on_history", "--beta");
            flag(a, h, "tau", "--tau");
            flag(a, h, "gamma_shared_weight_on_prev", "--gamma");
            if (rule.equals("static")) {
                flag(a, h, "quantile", "--quantile");
            }
        }
        a.addAll(List.of("--out", out.toString()));
        return a;
    }

    private static void flag(List<String> args, JsonNode h, String field, String flag) {
        if (h.has(field)) {
            args.addAll(List.of(flag, h.get(field).asText()));
        }
    }

    @TestFactory
    Stream<DynamicTest> everyCaseThroughTheCli() {
        return cases().stream().filter(d -> Files.isDirectory(d.resolve("prev_adapter"))).map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
            Path out = tmp.resolve(dir.getFileName().toString());
            CliTest.Run r = CliTest.run(args(dir, out).toArray(String[]::new));
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.out().contains("wrote "), r.out());
            double err = maxAdapterError(out, dir.resolve("expected_adapter"));
            assertTrue(err <= 1e-6, dir + ": adapter off by " + err);
            JsonNode decisions = Json.read(out.resolve("fusion.json"));
            if (Files.isRegularFile(dir.resolve("importance.json"))) {
                JsonNode units = Json.read(dir.resolve("importance.json")).get("units");
                for (int i = 0; i < units.size(); i++) {
                    assertEquals(units.get(i).get("unit").asText(), decisions.get("units").get(i).get("unit").asText());
                    if (units.get(i).has("case")) {
                        assertEquals(units.get(i).get("case").asText(), decisions.get("units").get(i).get("case").asText());
                    }
                }
            }
            if (Files.isRegularFile(dir.resolve("round.json"))) {
                assertEquals(Json.read(dir.resolve("round.json")).get("mask_counts"), decisions.get("mask_counts"));
            }
            if (Files.isRegularFile(dir.resolve("expected_cumulative.csv"))) {
                List<String> want = Files.readAllLines(dir.resolve("expected_cumulative.csv"));
                List<String> got = Files.readAllLines(out.resolve("cumulative_scores.csv"));
                assertEquals(want.size(), got.size());
                assertEquals(want.get(0), got.get(0), "same header");
                double[] w = column(want);
                double[] g = column(got);
                double max = 0;
                double diff = 0;
                for (int i = 0; i < w.length; i++) {
                    assertEquals(want.get(i + 1).split(",")[0], got.get(i + 1).split(",")[0], "same unit names in order");
                    max = Math.max(max, Math.abs(w[i]));
                    diff = Math.max(diff, Math.abs(w[i] - g[i]));
                }
                assertTrue(diff <= 1e-6 * max, dir + ": cumulative off by " + diff);
            }
        }));
    }

    /** A task-3 step reads the step-2 output as its previous side; a second round starts from the first's output. */
    @Test
    void stepsChain() throws IOException {
        for (String rule : List.of("static", "adaptive")) {
            Path dir = caseOf(rule);
            Path two = tmp.resolve(rule + "-2");
            assertEquals(0, CliTest.run(args(dir, two).toArray(String[]::new)).exit());
            CliTest.Run r = CliTest.run("fuse", "--rule", rule, "--previous", two.toString(),
                    "--current", dir.resolve("cur_adapter").toString(),
                    "--previous-scores", two.resolve("cumulative_scores.csv").toString(),
                    "--current-scores", dir.resolve("importance/prev_scores.csv").toString(),
                    "--out", tmp.resolve(rule + "-3").toString());
            assertEquals(0, r.exit(), r.err());
            assertEquals(Files.readAllLines(dir.resolve("expected_cumulative.csv")).size(),
                    Files.readAllLines(tmp.resolve(rule + "-3/cumulative_scores.csv")).size());
        }
        Path dir = caseOf("recurrent");
        Path one = tmp.resolve("round-1");
        assertEquals(0, CliTest.run(args(dir, one).toArray(String[]::new)).exit());
        CliTest.Run r = CliTest.run("fuse", "--rule", "recurrent", "--anchor", one.toString(),
                "--inner", dir.resolve("inner_adapter").toString(), "--current", dir.resolve("cur_adapter").toString(),
                "--element-scores", dir.resolve("importance/element_scores.safetensors").toString(),
                "--out", tmp.resolve("round-2").toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("\"mask_counts\""), r.out());
    }

    @Test
    void jsonSummaryAndKif4jScoreFiles() throws IOException {
        Path dir = caseOf("static");
        // The same scores as kif4j's unit_scores.csv: previous in its cumulative column, current in its raw column.
        Path prev = toUnitScores(dir.resolve("importance/prev_scores.csv"), tmp.resolve("prev_unit_scores.csv"), true);
        Path cur = toUnitScores(dir.resolve("importance/cur_scores.csv"), tmp.resolve("cur_unit_scores.csv"), false);
        Path out = tmp.resolve("kif4j");
        CliTest.Run r = CliTest.run("fuse", "--rule", "static", "--previous", dir.resolve("prev_adapter").toString(),
                "--current", dir.resolve("cur_adapter").toString(), "--previous-scores", prev.toString(),
                "--current-scores", cur.toString(), "--out", out.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out().lines().reduce((a, b) -> b).orElseThrow());
        assertEquals(Json.read(dir.resolve("importance.json")).get("units").size(), j.get("units").asInt());
        assertTrue(maxAdapterError(out, dir.resolve("expected_adapter")) <= 1e-6);
        List<String> lines = Files.readAllLines(out.resolve("cumulative_scores.csv"));
        assertEquals("unit,module,raw,normalized,cumulative", lines.get(0));
        List<String> want = Files.readAllLines(dir.resolve("expected_cumulative.csv"));
        for (int i = 1; i < want.size(); i++) {
            double w = Double.parseDouble(want.get(i).split(",")[1]);
            assertEquals(w, Double.parseDouble(lines.get(i).split(",")[4]), 1e-12);
        }
    }

    @Test
    void missingUnitIsOneLineNamingTheFileOrCopiedFromCurrent() throws IOException {
        Path dir = caseOf("static");
        List<String> lines = new ArrayList<>(Files.readAllLines(dir.resolve("importance/cur_scores.csv")));
        String dropped = lines.remove(3).split(",")[0];
        Path cur = tmp.resolve("cur_scores.csv");
        Files.write(cur, lines);
        List<String> base = List.of("fuse", "--rule", "static", "--previous", dir.resolve("prev_adapter").toString(),
                "--current", dir.resolve("cur_adapter").toString(), "--previous-scores",
                dir.resolve("importance/prev_scores.csv").toString(), "--current-scores", cur.toString(),
                "--out", tmp.resolve("o").toString());
        CliTest.Run r = CliTest.run(base.toArray(String[]::new));
        assertEquals(2, r.exit());
        assertTrue(r.err().startsWith("kif: error: " + cur), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        List<String> keep = new ArrayList<>(base);
        keep.addAll(List.of("--missing-units", "keep-current"));
        r = CliTest.run(keep.toArray(String[]::new));
        assertEquals(0, r.exit(), r.err());
        // The unscored matrix is the current adapter's, untouched.
        String key = dropped.replace(".default", "");
        float[] got = SafetensorsFile.open(tmp.resolve("o/adapter_model.safetensors")).load(key).castTo(DataType.FLOAT).reshape(-1).toFloatVector();
        float[] cur0 = SafetensorsFile.open(dir.resolve("cur_adapter/adapter_model.safetensors")).load(key).castTo(DataType.FLOAT).reshape(-1).toFloatVector();
        org.junit.jupiter.api.Assertions.assertArrayEquals(cur0, got, 0f);
        assertTrue(Files.readString(tmp.resolve("o/cumulative_scores.csv")).lines().noneMatch(l -> l.startsWith(dropped + ",")));
    }

    @Test
    void constantScoresGiveZeroOrTheCodesNan() throws IOException {
        Path dir = caseOf("adaptive");
        List<String> lines = Files.readAllLines(dir.resolve("importance/cur_scores.csv"));
        List<String> constant = new ArrayList<>(List.of(lines.get(0)));
        lines.stream().skip(1).forEach(l -> constant.add(l.split(",")[0] + ",0.5"));
        Path cur = tmp.resolve("constant.csv");
        Files.write(cur, constant);
        for (String mode : List.of("zero", "nan")) {
            Path out = tmp.resolve(mode);
            CliTest.Run r = CliTest.run("fuse", "--rule", "adaptive", "--previous", dir.resolve("prev_adapter").toString(),
                    "--current", dir.resolve("cur_adapter").toString(), "--previous-scores",
                    dir.resolve("importance/prev_scores.csv").toString(), "--current-scores", cur.toString(),
                    "--constant-scores", mode, "--out", out.toString());
            assertEquals(0, r.exit(), r.err());
            double[] cum = column(Files.readAllLines(out.resolve("cumulative_scores.csv")));
            SafetensorsFile f = SafetensorsFile.open(out.resolve("adapter_model.safetensors"));
            // Raw bytes: kif4j's own loader refuses a checkpoint holding NaN.
            float first = f.bytes(f.names().iterator().next()).order(java.nio.ByteOrder.LITTLE_ENDIAN).getFloat(0);
            if (mode.equals("nan")) {
                assertTrue(Double.isNaN(cum[0]) && Float.isNaN(first), "the code's 0/0 flows through");
            } else {
                assertTrue(Double.isFinite(cum[0]) && Float.isFinite(first));
            }
        }
    }

    @Test
    void badInputIsOneLine() throws IOException {
        Path dir = caseOf("static");
        Path bad = tmp.resolve("bad.csv");
        Files.writeString(bad, "name,score\nx,1\n");
        for (String[] args : List.of(
                new String[]{"fuse", "--rule", "sideways", "--out", tmp.toString()},
                new String[]{"fuse", "--rule", "static", "--out", tmp.toString()},
                new String[]{"fuse", "--rule", "static", "--previous", dir.resolve("prev_adapter").toString(),
                        "--current", dir.resolve("cur_adapter").toString(), "--previous-scores", bad.toString(),
                        "--current-scores", bad.toString(), "--out", tmp.resolve("x").toString()},
                new String[]{"fuse", "--rule", "adaptive", "--tau", "-1", "--previous", "a", "--current", "b",
                        "--previous-scores", "c", "--current-scores", "d", "--out", tmp.toString()})) {
            CliTest.Run r = CliTest.run(args);
            assertEquals(2, r.exit(), String.join(" ", args) + ": " + r.err());
            assertTrue(r.err().startsWith("kif: error: "), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    private static Path caseOf(String rule) {
        return cases().stream().filter(d -> Json.read(d.resolve("case.json")).get("rule").asText().startsWith(rule))
                .findFirst().orElseThrow();
    }

    private static Path toUnitScores(Path authors, Path out, boolean asCumulative) throws IOException {
        StringBuilder b = new StringBuilder("unit,module,raw,normalized,cumulative\n");
        for (String l : Files.readAllLines(authors).subList(1, Files.readAllLines(authors).size())) {
            String[] f = l.split(",");
            String id = f[0].substring("base_model.model.".length()).replace(".default", "");
            String module = id.replaceAll("\\.lora_[AB]\\.weight$", "");
            b.append(id).append(',').append(module).append(',').append(asCumulative ? "0" : f[1]).append(",0,")
                    .append(asCumulative ? f[1] : "0").append('\n');
        }
        Files.writeString(out, b.toString());
        return out;
    }

    private static double[] column(List<String> csv) {
        return csv.stream().skip(1).map(l -> l.substring(l.lastIndexOf(',') + 1))
                .mapToDouble(v -> v.equals("nan") ? Double.NaN : Double.parseDouble(v)).toArray(); // Python's repr
    }

    static double maxAdapterError(Path got, Path want) {
        SafetensorsFile g = SafetensorsFile.open(got.resolve("adapter_model.safetensors"));
        SafetensorsFile w = SafetensorsFile.open(want.resolve("adapter_model.safetensors"));
        assertEquals(w.names(), g.names());
        Map<String, Double> errors = new LinkedHashMap<>();
        for (String k : w.names()) {
            float[] a = w.load(k).castTo(DataType.FLOAT).reshape(-1).toFloatVector();
            float[] b = g.load(k).castTo(DataType.FLOAT).reshape(-1).toFloatVector();
            double max = 0;
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                max = Math.max(max, Math.abs(a[i]));
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            errors.put(k, max == 0 ? diff : diff / max);
        }
        return errors.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
