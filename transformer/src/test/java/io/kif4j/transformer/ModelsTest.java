package io.kif4j.transformer;

import io.kif4j.transformer.llama.LlamaModel;
import io.kif4j.transformer.t5.T5Model;
import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelsTest {

    @Test
    void dispatchesOnModelType() {
        LanguageModel llama = Models.load(Fixture.all("llama").get(0).dir());
        assertInstanceOf(LlamaModel.class, llama);
        assertEquals("llama", llama.modelType());
        LanguageModel t5 = Models.load(Fixture.all("t5").get(0).dir());
        assertInstanceOf(T5Model.class, t5);
        assertEquals("t5", t5.modelType());
    }

    @Test
    void refusesOtherModelTypesNamingConfigAndField(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\"}");
        KifInputException e = assertThrows(KifInputException.class, () -> Models.load(dir));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("model_type")
                && e.getMessage().contains("bert"), e.getMessage());
    }

    @Test
    void refusesAConfigWithoutModelType(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\"d_model\": 8}");
        KifInputException e = assertThrows(KifInputException.class, () -> Models.load(dir));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("model_type"), e.getMessage());
    }
}
