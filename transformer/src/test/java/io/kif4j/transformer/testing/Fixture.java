package io.kif4j.transformer.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.ScoreResult;
import io.kif4j.transformer.io.InputsJson;
import io.kif4j.common.Json;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One reference fixture folder (see ../shared/fixtures/README.md and ../shared/fixtures-families/README.md),
 * discovered by listing the fixture roots: the system property {@code kif.fixtures}, else the environment
 * variable {@code KIF_FIXTURES}, else {@code <shared>/fixtures}; and the second root {@code kif.fixtures.families},
 * else {@code KIF_FIXTURES_FAMILIES}, else {@code <shared>/fixtures-families} when it exists. Nothing here knows a
 * fixture's name or size.
 *
 * @param modelType   config.json's model_type (the architecture: t5, llama, qwen2, mistral, gemma, …)
 * @param conventions inputs.json's family: the input conventions, "t5" (encoder-decoder) or "llama"
 *                    (decoder-only, whatever the architecture)
 */
public record Fixture(Path dir, String modelType, String conventions, JsonNode expected, SafetensorsFile tensors,
                      InputsJson inputs) {

    public static Path shared() {
        String prop = System.getProperty("kif.shared");
        Path p = prop != null ? Path.of(prop) : Path.of(System.getProperty("user.dir")).resolve("../../shared");
        if (!Files.isDirectory(p)) {
            p = Path.of(System.getProperty("user.dir")).resolve("../shared");
        }
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("the shared reference folder is missing: expected ../shared next to the "
                    + "project root (or -Dkif.shared=DIR); looked at " + p.toAbsolutePath().normalize());
        }
        return p.toAbsolutePath().normalize();
    }

    /** The first fixtures root (T5 and LLaMA). */
    public static Path root() {
        Path p = setting("kif.fixtures", "KIF_FIXTURES");
        p = p != null ? p : shared().resolve("fixtures");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("fixtures root not found: " + p);
        }
        return p;
    }

    /** Every fixtures root: {@link #root()}, then the families root when one is set or exists. */
    public static List<Path> roots() {
        Path families = setting("kif.fixtures.families", "KIF_FIXTURES_FAMILIES");
        if (families != null && !Files.isDirectory(families)) {
            throw new IllegalStateException("families fixtures root not found: " + families);
        }
        if (families == null && Files.isDirectory(shared().resolve("fixtures-families"))) {
            families = shared().resolve("fixtures-families");
        }
        return families == null || families.equals(root()) ? List.of(root()) : List.of(root(), families);
    }

    private static Path setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v != null && !v.isBlank() ? Path.of(v) : null;
    }

    /**
     * Every fixture folder of every root whose inputs follow {@code conventions} ("llama": decoder-only, of any
     * architecture; "t5"), first root first; fails if there is none.
     */
    public static List<Fixture> all(String conventions) {
        List<Fixture> list = new java.util.ArrayList<>();
        for (Path root : roots()) {
            try (Stream<Path> s = Files.list(root)) {
                s.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted()
                        .map(Fixture::open).filter(f -> f.conventions.equals(conventions)).forEach(list::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (list.isEmpty()) {
            throw new IllegalStateException("no " + conventions + " fixture under " + roots());
        }
        return list;
    }

    public static Fixture open(Path dir) {
        JsonNode config = Json.read(dir.resolve("config.json"));
        String modelType = config.get("model_type").asText();
        JsonNode family = Json.read(dir.resolve("inputs.json")).get("family");
        return new Fixture(dir, modelType, family != null ? family.asText() : modelType, Json.read(dir.resolve("expected.json")),
                SafetensorsFile.open(dir.resolve("expected.safetensors")), InputsJson.read(dir.resolve("inputs.json")));
    }

    public String name() {
        return dir.getFileName().toString();
    }

    public INDArray tensor(String name) {
        return tensors.load(name);
    }

    public JsonNode at(String dottedPath) {
        JsonNode n = expected;
        for (String part : dottedPath.split("\\.")) {
            n = n.get(part);
            if (n == null) {
                throw new IllegalStateException(name() + ": expected.json has no " + dottedPath);
            }
        }
        return n;
    }

    public int[][] intMatrix(String dottedPath) {
        JsonNode n = at(dottedPath);
        int[][] m = new int[n.size()][];
        for (int i = 0; i < m.length; i++) {
            m[i] = new int[n.get(i).size()];
            for (int j = 0; j < m[i].length; j++) {
                m[i][j] = n.get(i).get(j).asInt();
            }
        }
        return m;
    }

    /** Largest |a − e| over positions whose valid flag is 1; a and e are [B, T, V]. */
    /**
     * A forward pass against HF's: logits to 1e-4 at the valid positions and the loss to 1e-5; prints both
     * differences under {@code label}.
     */
    public void assertScoreMatchesHf(ScoreResult r, String label) {
        double diff = maxAbsDiffValid(r.logits(), tensor("logits"), intMatrix("valid_positions"));
        System.out.printf("%s: max |logits - HF| at valid positions = %.3g, |loss - HF| = %.3g%n", label, diff,
                Math.abs(r.loss() - at("loss").asDouble()));
        assertTrue(diff <= 1e-4, name() + ": logits differ by " + diff);
        assertEquals(at("loss").asDouble(), r.loss(), 1e-5, name() + ": loss");
    }

    public static double maxAbsDiffValid(INDArray actual, INDArray expected, int[][] valid) {
        if (!java.util.Arrays.equals(actual.shape(), expected.shape())) {
            throw new AssertionError("shape " + java.util.Arrays.toString(actual.shape()) + " != expected "
                    + java.util.Arrays.toString(expected.shape()));
        }
        double max = 0;
        for (int b = 0; b < valid.length; b++) {
            for (int t = 0; t < valid[b].length; t++) {
                if (valid[b][t] == 1) {
                    INDArray a = actual.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all());
                    INDArray e = expected.get(org.nd4j.linalg.indexing.NDArrayIndex.point(b),
                            org.nd4j.linalg.indexing.NDArrayIndex.point(t), org.nd4j.linalg.indexing.NDArrayIndex.all());
                    max = Math.max(max, a.sub(e).amaxNumber().doubleValue());
                }
            }
        }
        return max;
    }

    public static double maxAbsDiff(INDArray a, INDArray e) {
        if (!java.util.Arrays.equals(a.shape(), e.shape())) {
            throw new AssertionError("shape " + java.util.Arrays.toString(a.shape()) + " != expected "
                    + java.util.Arrays.toString(e.shape()));
        }
        return a.castTo(e.dataType()).sub(e).amaxNumber().doubleValue();
    }
}
