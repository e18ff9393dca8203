package io.kif4j.transformer.io;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;

import java.nio.file.Path;

/**
 * A batch in the fixtures' {@code inputs.json} format: {@code input_ids}, {@code attention_mask}, optional
 * {@code labels}, {@code decoder_input_ids}, {@code position_ids}, and an optional {@code generation} prompt with
 * {@code max_new_tokens}.
 */
public record InputsJson(ModelInputs batch, ModelInputs generation, int maxNewTokens) {

    public static InputsJson read(Path file) {
        JsonNode root = Json.read(file);
        ModelInputs batch = batch(file, root, "");
        ModelInputs gen = null;
        int maxNew = 0;
        JsonNode g = root.get("generation");
        if (g != null && g.isObject()) {
            gen = batch(file, g, "generation.");
            if (g.has("position_ids_prompt")) {
                gen = new ModelInputs(gen.inputIds(), gen.attentionMask(), null, null,
                        matrix(file, g, "position_ids_prompt", "generation.", gen.batchSize(), gen.length()));
            }
            maxNew = Json.positiveInt(file, g, "max_new_tokens", 20);
        }
        return new InputsJson(batch, gen, maxNew);
    }

    private static ModelInputs batch(Path file, JsonNode root, String where) {
        int[][] ids = matrix(file, root, "input_ids", where, -1, -1);
        if (ids == null) {
            throw KifInputException.of(file, "missing field '" + where + "input_ids'");
        }
        int b = ids.length;
        int t = ids[0].length;
        int[][] mask = matrix(file, root, "attention_mask", where, b, t);
        if (mask == null) {
            mask = ModelInputs.of(ids).attentionMask();
        }
        return new ModelInputs(ids, mask,
                matrix(file, root, "labels", where, b, -1),
                matrix(file, root, "decoder_input_ids", where, b, -1),
                matrix(file, root, "position_ids", where, b, t));
    }

    /** An integer matrix field with equal-length rows, or null when absent; -1 sizes are not checked. */
    private static int[][] matrix(Path file, JsonNode root, String field, String where, int rows, int cols) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String name = "'" + where + field + "'";
        if (!v.isArray() || v.isEmpty()) {
            throw KifInputException.of(file, name + " must be a non-empty list of lists of integers");
        }
        if (rows >= 0 && v.size() != rows) {
            throw KifInputException.of(file, name + " has " + v.size() + " rows, expected " + rows);
        }
        int[][] m = new int[v.size()][];
        for (int i = 0; i < m.length; i++) {
            JsonNode row = v.get(i);
            int width = cols >= 0 ? cols : (i == 0 ? row.size() : m[0].length);
            if (!row.isArray() || row.size() != width || width == 0) {
                throw KifInputException.of(file, name + " row " + i + " must be a list of " + width + " integers");
            }
            m[i] = new int[width];
            for (int j = 0; j < width; j++) {
                JsonNode x = row.get(j);
                if (!x.isIntegralNumber() || !x.canConvertToInt()) {
                    throw KifInputException.of(file, name + "[" + i + "][" + j + "] is " + x + ", expected an integer");
                }
                m[i][j] = x.asInt();
            }
        }
        return m;
    }
}
