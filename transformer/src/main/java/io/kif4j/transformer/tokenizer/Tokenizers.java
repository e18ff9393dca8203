package io.kif4j.transformer.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.weights.KifInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the tokenizer of a HuggingFace model directory, or a tokenizer file given directly.
 *
 * <p>In a directory, {@code tokenizer.model} or {@code spiece.model} (SentencePiece, the source the other files
 * are converted from) is preferred over {@code tokenizer.json}. Special ids come from the model file, overridden
 * by {@code tokenizer_config.json} / {@code special_tokens_map.json} beside it when present. Without a config, a
 * file named {@code spiece.model} gets T5's 100 sentinels, as HF's T5Tokenizer adds them by default.
 * The tokenizers returned are immutable and safe to share between threads.
 */
public final class Tokenizers {

    private static final Logger log = LoggerFactory.getLogger(Tokenizers.class);

    static final String[] SENTENCEPIECE_FILES = {"tokenizer.model", "spiece.model"};
    static final String JSON_FILE = "tokenizer.json";

    private Tokenizers() {
    }

    /**
     * @param path a model directory or a {@code .model} / {@code .json} tokenizer file
     * @throws KifInputException naming the file when it is missing, of the wrong kind or malformed
     */
    public static Tokenizer load(Path path) {
        if (Files.isDirectory(path)) {
            for (String name : SENTENCEPIECE_FILES) {
                if (Files.isRegularFile(path.resolve(name))) {
                    return load(path.resolve(name));
                }
            }
            if (Files.isRegularFile(path.resolve(JSON_FILE))) {
                return load(path.resolve(JSON_FILE));
            }
            throw KifInputException.of(path, "no tokenizer.model, spiece.model or tokenizer.json in this directory");
        }
        if (!Files.isRegularFile(path)) {
            throw KifInputException.of(path, "tokenizer file not found");
        }
        String name = path.getFileName().toString();
        Path dir = path.toAbsolutePath().getParent();
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (IOException e) {
            throw KifInputException.of(path, "cannot read: " + e.getMessage(), e);
        }
        TokenizerConfig config = TokenizerConfig.read(dir);
        Tokenizer t;
        if (name.endsWith(".model")) {
            int sentinels = !config.present() && name.equals("spiece.model") ? 100 : 0;
            t = new SentencePieceTokenizer(path, data, config, sentinels);
        } else if (name.endsWith(".json")) {
            if (data.length == 0) {
                throw KifInputException.of(path, "empty file, not a tokenizer.json");
            }
            JsonNode root = TokenizerConfig.readJson(path);
            if (!root.has("model")) {
                throw KifInputException.of(path, "not a tokenizer.json: it has no \"model\"");
            }
            t = new HfJsonTokenizer(path, root, config);
        } else {
            throw KifInputException.of(path, "unknown tokenizer file kind: expected a SentencePiece .model "
                    + "(tokenizer.model, spiece.model) or a HuggingFace tokenizer.json");
        }
        log.info("Loaded tokenizer {} ({} ids, bos {}, eos {}, pad {}, unk {})",
                path, t.vocabSize(), t.bosId(), t.eosId(), t.padId(), t.unkId());
        return t;
    }
}
