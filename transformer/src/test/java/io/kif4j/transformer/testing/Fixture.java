package io.kif4j.transformer.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.io.InputsJson;
import io.kif4j.weights.Json;
import io.kif4j.weights.safetensors.SafetensorsFile;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * One reference fixture folder (see ../shared/fixtures/README.md), discovered by listing the fixtures root:
 * the system property {@code kif.fixtures}, else the environment variable {@code KIF_FIXTURES}, else
 * {@code <shared>/fixtures}. Nothing here knows a fixture's name or size.
 */
public record Fixture(Path dir, String modelType, JsonNode expected, SafetensorsFile tensors, InputsJson inputs) {

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

    public static Path root() {
        String prop = System.getProperty("kif.fixtures");
        if (prop == null || prop.isBlank()) {
            prop = System.getenv("KIF_FIXTURES");
        }
        Path p = prop != null && !prop.isBlank() ? Path.of(prop) : shared().resolve("fixtures");
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("fixtures root not found: " + p);
        }
        return p;
    }

    /** Every fixture folder of {@code modelType} ("llama" or "t5"); fails if there is none. */
    public static List<Fixture> all(String modelType) {
        try (Stream<Path> s = Files.list(root())) {
            List<Fixture> list = s.filter(d -> Files.isRegularFile(d.resolve("config.json"))).sorted()
                    .map(Fixture::open).filter(f -> f.modelType.equals(modelType)).toList();
            if (list.isEmpty()) {
                throw new IllegalStateException("no " + modelType + " fixture under " + root());
            }
            return list;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Fixture open(Path dir) {
        JsonNode config = Json.read(dir.resolve("config.json"));
        return new Fixture(dir, config.get("model_type").asText(), Json.read(dir.resolve("expected.json")),
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
