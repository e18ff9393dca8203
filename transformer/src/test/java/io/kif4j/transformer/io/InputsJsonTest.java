package io.kif4j.transformer.io;

import io.kif4j.common.KifInputException;
import io.kif4j.common.testing.InputErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The CLI's inputs.json: well-formed batches read, malformed ones fail naming the file and the field. */
class InputsJsonTest {

    @TempDir
    Path tmp;

    Path file(String json) throws IOException {
        return Files.writeString(tmp.resolve("inputs.json"), json);
    }

    void assertRejected(String json, String... fragments) throws IOException {
        Path f = file(json);
        KifInputException e = InputErrors.assertRejected(() -> InputsJson.read(f), f, fragments);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void aBatchWithAGenerationPromptReads() throws IOException {
        InputsJson in = InputsJson.read(file("{\"input_ids\": [[1, 5], [1, 7]], \"attention_mask\": [[1, 1], [1, 0]],"
                + "\"generation\": {\"input_ids\": [[1]], \"max_new_tokens\": 3}}"));
        assertEquals(2, in.batch().batchSize());
        assertEquals(3, in.maxNewTokens());
    }

    @Test
    void raggedOrEmptyRows() throws IOException {
        assertRejected("{\"input_ids\": [[1, 2], [3]]}", "'input_ids' row 1");
        assertRejected("{\"input_ids\": [[]]}", "'input_ids' row 0");
        assertRejected("{\"input_ids\": []}", "'input_ids' must be a non-empty list");
    }

    @Test
    void maskOfAnotherShape() throws IOException {
        assertRejected("{\"input_ids\": [[1, 2]], \"attention_mask\": [[1]]}", "'attention_mask' row 0");
        assertRejected("{\"input_ids\": [[1, 2]], \"attention_mask\": [[1, 1], [1, 1]]}", "'attention_mask' has 2 rows");
    }

    @Test
    void idsOfTheWrongTypeOrRange() throws IOException {
        assertRejected("{\"input_ids\": [[1, \"2\"]]}", "'input_ids'[0][1]");
        assertRejected("{\"input_ids\": [[1, 99999999999]]}", "'input_ids'[0][1]");
        assertRejected("{\"input_ids\": [[1, 2.5]]}", "expected an integer");
    }

    @Test
    void generationFieldsAreNamedWithTheirPrefix() throws IOException {
        assertRejected("{\"input_ids\": [[1]], \"generation\": {\"max_new_tokens\": 2}}", "'generation.input_ids'");
        assertRejected("{\"input_ids\": [[1]], \"generation\": {\"input_ids\": [[1]], \"max_new_tokens\": -1}}",
                "'max_new_tokens'", "positive");
    }

    @Test
    void zeroLengthOrNotAnObject() throws IOException {
        assertRejected("", "expected a JSON object");
        assertRejected("[[1, 2]]", "expected a JSON object");
        assertRejected("{\"input_ids\": [[1, 2]", "not well-formed JSON");
    }
}
