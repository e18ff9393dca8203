package io.kif4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * What HF's {@code tokenizer_config.json} and {@code special_tokens_map.json} beside a tokenizer file say about
 * special tokens. Missing files say nothing; {@code special_tokens_map.json} wins where both name a token, as in HF.
 */
final class TokenizerConfig {

    static final String[] TOKEN_KEYS = {"bos_token", "eos_token", "pad_token", "unk_token"};

    /** The most sentinel tokens a config may declare (T5 has 100). */
    static final int MAX_EXTRA_IDS = 10_000;

    /** A token named by a config file: empty when the file says null. */
    private record Entry(Optional<String> token, Path source) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, Entry> tokens = new HashMap<>();
    private Boolean addBos;
    private Boolean addEos;
    private Integer extraIds;
    private boolean present;

    static TokenizerConfig none() {
        return new TokenizerConfig();
    }

    static TokenizerConfig read(Path dir) {
        TokenizerConfig c = new TokenizerConfig();
        if (dir == null) {
            return c;
        }
        Path config = dir.resolve("tokenizer_config.json");
        if (Files.isRegularFile(config)) {
            JsonNode root = readJson(config);
            c.present = true;
            c.readTokens(root, config);
            if (root.path("add_bos_token").isBoolean()) {
                c.addBos = root.get("add_bos_token").booleanValue();
            }
            if (root.path("add_eos_token").isBoolean()) {
                c.addEos = root.get("add_eos_token").booleanValue();
            }
            if (root.path("extra_ids").canConvertToInt()) {
                c.extraIds = root.get("extra_ids").intValue();
                // Sizes the id table: T5 has 100; a negative or huge count must not reach the allocation.
                if (c.extraIds < 0 || c.extraIds > MAX_EXTRA_IDS) {
                    throw KifInputException.of(config, "extra_ids " + c.extraIds + " is outside [0, " + MAX_EXTRA_IDS + "]");
                }
            } else if (root.path("additional_special_tokens").isArray()) {
                c.extraIds = countSentinels(root.get("additional_special_tokens"));
            }
        }
        Path map = dir.resolve("special_tokens_map.json");
        if (Files.isRegularFile(map)) {
            JsonNode root = readJson(map);
            c.present = true;
            c.readTokens(root, map);
            if (c.extraIds == null && root.path("additional_special_tokens").isArray()) {
                c.extraIds = countSentinels(root.get("additional_special_tokens"));
            }
        }
        return c;
    }

    boolean present() {
        return present;
    }

    /** {@code add_bos_token} as tokenizer_config.json sets it; null when it does not. */
    Boolean addBosToken() {
        return addBos;
    }

    /** {@code add_eos_token} as tokenizer_config.json sets it; null when it does not. */
    Boolean addEosToken() {
        return addEos;
    }

    /** Sentinel count ({@code <extra_id_N>}) the config declares, or {@code fallback}. */
    int extraIds(int fallback) {
        return extraIds == null ? fallback : extraIds;
    }

    /**
     * Resolves the special ids: a token the config names is looked up with {@code lookup} (must exist), a token it
     * sets to null is absent (-1), and one it does not mention keeps the model's own default.
     */
    SpecialTokens resolve(SpecialTokens defaults, ToIntFunction<String> lookup, Path tokenizerFile) {
        int[] ids = {defaults.bos(), defaults.eos(), defaults.pad(), defaults.unk()};
        for (int k = 0; k < TOKEN_KEYS.length; k++) {
            Entry e = tokens.get(TOKEN_KEYS[k]);
            if (e == null) {
                continue;
            }
            if (e.token().isEmpty()) {
                ids[k] = -1;
                continue;
            }
            int id = lookup.applyAsInt(e.token().get());
            if (id < 0) {
                throw KifInputException.of(e.source(), TOKEN_KEYS[k] + " '" + e.token().get()
                        + "' is not in the vocabulary of " + tokenizerFile.getFileName());
            }
            ids[k] = id;
        }
        // HF's LLaMA convention is BOS first; T5's (a model without BOS) is EOS last. Config flags override.
        boolean modelHasBos = defaults.bos() >= 0;
        boolean bos = addBos != null ? addBos : modelHasBos;
        boolean eos = addEos != null ? addEos : !modelHasBos;
        return new SpecialTokens(ids[0], ids[1], ids[2], ids[3], bos, eos);
    }

    private void readTokens(JsonNode root, Path source) {
        for (String key : TOKEN_KEYS) {
            if (!root.has(key)) {
                continue;
            }
            JsonNode v = root.get(key);
            // Either a plain string or a serialized AddedToken {"content": ...}.
            JsonNode content = v.isObject() ? v.get("content") : v;
            if (content == null || content.isNull()) {
                tokens.put(key, new Entry(Optional.empty(), source));
            } else if (content.isTextual()) {
                tokens.put(key, new Entry(Optional.of(content.textValue()), source));
            } else {
                throw KifInputException.of(source, key + " is neither a string, an object with \"content\", nor null");
            }
        }
    }

    private static int countSentinels(JsonNode list) {
        int n = 0;
        for (JsonNode t : list) {
            JsonNode content = t.isObject() ? t.get("content") : t;
            if (content != null && content.isTextual() && content.textValue().matches("<extra_id_\\d+>")) {
                n++;
            }
        }
        return n;
    }

    static JsonNode readJson(Path file) {
        try {
            JsonNode root = JSON.readTree(file.toFile());
            if (root == null || !root.isObject()) {
                throw KifInputException.of(file, "not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw KifInputException.of(file, "not valid JSON: " + firstLine(e.getMessage()), e);
        }
    }

    static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
