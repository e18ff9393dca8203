package io.kif4j.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What kif4j needs of a {@code tokenizer.json} besides the tokenizer itself, in one streamed pass: the
 * {@code "model"} object without its vocabulary and merges (type, unk_token, ...), and the id of every token
 * (model.vocab, an object token → id or Unigram's list of [piece, score], and added_tokens). A Llama 3 file is
 * 280,000 merges that need not become a tree.
 *
 * @param ids first id of each token string
 */
record TokenizerJsonSummary(ObjectNode model, Map<String, Integer> ids) {

    private static final ObjectMapper JSON = new ObjectMapper();

    static TokenizerJsonSummary read(Path file, byte[] data) {
        ObjectNode model = null;
        Map<String, Integer> ids = new HashMap<>();
        try (JsonParser p = JSON.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw KifInputException.of(file, "not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("model") && value == JsonToken.START_OBJECT) {
                    model = JSON.createObjectNode();
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken v = p.nextToken();
                        if (field.equals("vocab")) {
                            readVocab(p, v, ids, file);
                        } else if (field.equals("merges")) {
                            p.skipChildren();
                        } else {
                            model.set(field, p.readValueAsTree());
                        }
                    }
                } else if (name.equals("added_tokens") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode t = p.readValueAsTree();
                        if (!t.path("content").isTextual() || !t.path("id").canConvertToInt()) {
                            throw KifInputException.of(file, "an added token lacks an id or content: " + t);
                        }
                        put(ids, "added token", t.get("content").textValue(), t.get("id").intValue(), file);
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw KifInputException.of(file, "not valid JSON: " + TokenizerConfig.firstLine(e.getMessage()), e);
        }
        if (model == null) {
            throw KifInputException.of(file, "not a tokenizer.json: it has no \"model\"");
        }
        return new TokenizerJsonSummary(model, ids);
    }

    /** model.type; "" for the legacy files (GPT-2's) that have none. */
    String modelType() {
        return model.path("type").asText("");
    }

    /** The model's unknown token: model.unk_token (BPE, WordPiece, WordLevel) or model.unk_id (Unigram); -1 without. */
    int unkId() {
        JsonNode token = model.path("unk_token");
        if (token.isTextual()) {
            return ids.getOrDefault(token.textValue(), -1);
        }
        int id = model.path("unk_id").asInt(-1);
        return ids.containsValue(id) ? id : -1;
    }

    /** One past the largest id. */
    int size() {
        return ids.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    }

    private static void readVocab(JsonParser p, JsonToken start, Map<String, Integer> ids, Path file) throws IOException {
        if (start == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String token = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() != JsonParser.NumberType.INT) {
                    throw KifInputException.of(file, "model.vocab: the id of '" + token + "' is not an integer");
                }
                put(ids, "token", token, p.getIntValue(), file);
            }
        } else if (start == JsonToken.START_ARRAY) {
            int id = 0;
            while (p.nextToken() == JsonToken.START_ARRAY) {
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw KifInputException.of(file, "model.vocab[" + id + "] is not a [piece, score] pair");
                }
                put(ids, "piece", p.getText(), id++, file);
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    p.skipChildren();
                }
            }
        } else {
            throw KifInputException.of(file, "model.vocab is neither an object nor a list");
        }
    }

    private static void put(Map<String, Integer> ids, String kind, String token, int id, Path file) {
        // Integer.MAX_VALUE is refused too: the vocabulary size is the largest id + 1.
        if (id < 0 || id == Integer.MAX_VALUE) {
            throw KifInputException.of(file, kind + " '" + token + "' has id " + id);
        }
        ids.putIfAbsent(token, id);
    }
}
