package io.kif4j.transformer.llama;

import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.KifInputException;
import io.kif4j.weights.safetensors.SafetensorsFile;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A checkpoint that does not fit its config fails with the tensor named, never a stack trace from SameDiff. */
class LlamaLoadingErrorsTest {

    @TempDir
    Path tmp;

    private Path copyWith(Consumer<Map<String, INDArray>> edit) throws Exception {
        Path src = Fixture.all("llama").get(0).dir();
        Files.copy(src.resolve("config.json"), tmp.resolve("config.json"));
        SafetensorsFile f = SafetensorsFile.open(src.resolve("model.safetensors"));
        Map<String, INDArray> t = new LinkedHashMap<>();
        for (String n : f.names()) {
            t.put(n, f.load(n));
        }
        edit.accept(t);
        SafetensorsWriter.write(tmp.resolve("model.safetensors"), t);
        return tmp;
    }

    private void assertFails(Path dir, String... fragments) {
        KifInputException e = assertThrows(KifInputException.class, () -> LlamaModel.load(dir));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void missingTensor() throws Exception {
        assertFails(copyWith(t -> t.remove("model.layers.0.mlp.up_proj.weight")),
                "missing tensor 'model.layers.0.mlp.up_proj.weight'");
    }

    @Test
    void unusedTensor() throws Exception {
        assertFails(copyWith(t -> t.put("model.layers.99.extra.weight", Nd4j.ones(2))),
                "not used", "model.layers.99.extra.weight");
    }

    @Test
    void wrongShapeNamesBothShapes() throws Exception {
        assertFails(copyWith(t -> t.put("model.norm.weight", Nd4j.ones(3))),
                "'model.norm.weight' has shape [3]", "the config implies [");
    }
}
