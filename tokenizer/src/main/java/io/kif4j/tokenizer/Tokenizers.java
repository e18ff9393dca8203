package io.kif4j.tokenizer;

import io.kif4j.common.KifInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads the tokenizer of a HuggingFace model directory, or a tokenizer file given directly.
 *
 * <p>In a directory, {@code tokenizer.model} or {@code spiece.model} (SentencePiece, the source the other files
 * are converted from) is preferred over {@code tokenizer.json}, unless it is not a SentencePiece model (Llama 3
 * ships tiktoken files under that name). A {@code tokenizer.json} is read in plain Java when its model is a Unigram
 * that {@link HfJsonTokenizer} covers, and by the HF tokenizers library ({@link DjlTokenizer}) otherwise.
 * Special ids come from the model file, overridden by {@code tokenizer_config.json} / {@code special_tokens_map.json}
 * beside it when present. Without a config, a file named {@code spiece.model} gets T5's 100 sentinels, as HF's
 * T5Tokenizer adds them by default. The tokenizers returned are immutable and safe to share between threads until
 * closed.
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
            boolean hasJson = Files.isRegularFile(path.resolve(JSON_FILE));
            for (String name : SENTENCEPIECE_FILES) {
                if (Files.isRegularFile(path.resolve(name))) {
                    try {
                        return load(path.resolve(name));
                    } catch (KifInputException e) {
                        if (!hasJson) {
                            throw e;
                        }
                        log.warn("{}; using {} beside it", e.getMessage(), JSON_FILE);
                    }
                }
            }
            if (hasJson) {
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
            t = loadJson(path, data, config);
        } else {
            throw KifInputException.of(path, "unknown tokenizer file kind: expected a SentencePiece .model "
                    + "(tokenizer.model, spiece.model) or a HuggingFace tokenizer.json");
        }
        log.info("Loaded tokenizer {} as {} ({} ids, bos {}, eos {}, pad {}, unk {})", path,
                t.getClass().getSimpleName(), t.vocabSize(), t.bosId(), t.eosId(), t.padId(), t.unkId());
        return t;
    }

    /**
     * A Unigram model goes to the pure-Java {@link HfJsonTokenizer} when it covers every component; anything else
     * (byte-level BPE, WordPiece, ...) to the HF library itself ({@link DjlTokenizer}).
     */
    private static Tokenizer loadJson(Path path, byte[] data, TokenizerConfig config) {
        TokenizerJsonSummary summary = TokenizerJsonSummary.read(path, data);
        if (summary.modelType().equals("Unigram")) {
            try {
                return new HfJsonTokenizer(path, TokenizerConfig.readJson(path), config);
            } catch (HfJsonTokenizer.Unsupported e) {
                log.info("{}; reading it with the HF tokenizers library instead", e.getMessage());
            }
        }
        return new DjlTokenizer(path, data, summary, config);
    }
}
