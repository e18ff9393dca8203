package io.kif4j.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.Utils;
import io.kif4j.common.KifInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A HuggingFace {@code tokenizer.json} run by the HF {@code tokenizers} library itself (Rust, 0.21.0), through DJL's
 * JNI binding {@code ai.djl.huggingface:tokenizers}: byte-level BPE (GPT-2, Llama 3, Qwen2, SmolLM), WordPiece,
 * WordLevel, and every normalizer, pre-tokenizer, post-processor and decoder the library reads. The native library
 * is inside the jar (linux-x86_64 and -aarch64, macOS arm64, Windows); DJL copies it to {@code ~/.djl.ai/tokenizers}
 * on first use.
 *
 * <p>Why the library rather than a port: a byte-level BPE has to match the library on every string (split regexes
 * with look-ahead, {@code ignore_merges}, NFC, added tokens matched before normalization), and DJL 0.38.0 bundles
 * the very version the references were made with. Measured: every line of {@code shared/tokenizers/bpe} (ids with
 * and without special tokens, token strings, decoded text) is reproduced, NULs and emoji included.
 *
 * <p>As transformers' fast tokenizers do: {@link #encode} is {@code add_special_tokens=False};
 * {@link #encodeForModel} is the file's post-processor, unless tokenizer_config.json sets {@code add_bos_token} or
 * {@code add_eos_token}, which then decide the BOS and EOS around the text (LlamaTokenizerFast's
 * {@code update_post_processor}); special ids come from tokenizer_config.json / special_tokens_map.json. No
 * truncation, no padding, no clean-up of spaces when decoding. DJL is handed the file's bytes, not its folder, so
 * its own reading of tokenizer_config.json (which would switch on clean-up of spaces and special tokens) never
 * happens; kif4j reads the config itself ({@link TokenizerConfig}).
 *
 * <p>Holds a native handle: {@link #close} frees it (DJL also frees it on finalization as a last resort).
 */
public final class DjlTokenizer extends AbstractTokenizer {

    private static final Logger log = LoggerFactory.getLogger(DjlTokenizer.class);

    /** DJL's own defaults would add special tokens, truncate to 512 and pad. */
    private static final Map<String, String> OPTIONS = Map.of(
            "addSpecialTokens", "false", "truncation", "false", "padding", "false");

    private final Path file;
    private final HuggingFaceTokenizer hf;
    private final int vocabSize;
    private final SpecialTokens special;
    private final boolean configDecidesSpecials; // tokenizer_config.json sets add_bos_token / add_eos_token

    DjlTokenizer(Path file, byte[] data, TokenizerJsonSummary summary, TokenizerConfig config) {
        this.file = file;
        Map<String, Integer> ids = summary.ids();
        vocabSize = summary.size();
        hf = open(file, data);
        try {
            // What the post-processor puts around a text: "a" encodes to prefix + ids + suffix.
            int[] plain = ids(encoding("a", false));
            int[] wrapped = ids(encoding("a", true));
            int prefix = indexOf(wrapped, plain);
            int suffix = prefix < 0 ? 0 : wrapped.length - prefix - plain.length;
            int bos = prefix > 0 ? wrapped[0] : -1;
            int eos = suffix > 0 ? wrapped[wrapped.length - 1] : -1;
            SpecialTokens named = config.resolve(new SpecialTokens(bos, eos, -1, summary.unkId(), false, false),
                    t -> ids.getOrDefault(t, -1), file);
            Boolean addBos = config.addBosToken();
            Boolean addEos = config.addEosToken();
            configDecidesSpecials = addBos != null || addEos != null;
            // A flag the config leaves out keeps what the post-processor does.
            boolean bosOn = addBos != null ? addBos : prefix > 0;
            boolean eosOn = addEos != null ? addEos : suffix > 0;
            if (configDecidesSpecials && bosOn && named.bos() < 0) {
                throw KifInputException.of(file, "tokenizer_config.json asks for add_bos_token but names no bos_token");
            }
            if (configDecidesSpecials && eosOn && named.eos() < 0) {
                throw KifInputException.of(file, "tokenizer_config.json asks for add_eos_token but names no eos_token");
            }
            special = new SpecialTokens(named.bos(), named.eos(), named.pad(), named.unk(), bosOn, eosOn);
        } catch (RuntimeException e) {
            hf.close();
            throw e;
        }
        log.debug("{}: HF tokenizers library, {} ids, {}", file, vocabSize, special);
    }

    /** Creates the native tokenizer with DJL kept offline; the library's own complaint names the file. */
    private static HuggingFaceTokenizer open(Path file, byte[] data) {
        DjlOffline.require();
        try {
            return HuggingFaceTokenizer.newInstance(new ByteArrayInputStream(data), OPTIONS);
        } catch (IOException e) {
            throw KifInputException.of(file, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (e.getClass() != RuntimeException.class) {
                throw e; // DJL's EngineException: the native library did not load, not a problem of this file
            }
            throw KifInputException.of(file, "the HF tokenizers library cannot read it: " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- encoding and decoding

    /**
     * The library's encoding of {@code text}. It can fail on a text (a WordLevel file whose unk_token is not in its
     * vocabulary meets an unknown word): that is the file's limit, reported against it.
     */
    private Encoding encoding(String text, boolean addSpecialTokens) {
        try {
            return hf.encode(text, addSpecialTokens, false);
        } catch (RuntimeException e) {
            throw libraryError(e, "cannot encode the text: ");
        }
    }

    private RuntimeException libraryError(RuntimeException e, String what) {
        // The library's own errors arrive as plain RuntimeExceptions; anything else (a closed handle) is ours.
        return e.getClass() == RuntimeException.class
                ? KifInputException.of(file, "the HF tokenizers library " + what + e.getMessage(), e) : e;
    }

    @Override
    List<Token> tokenize(String text) {
        Encoding e = encoding(text, false);
        long[] ids = e.getIds();
        String[] tokens = e.getTokens();
        List<Token> out = new ArrayList<>(ids.length);
        for (int i = 0; i < ids.length; i++) {
            out.add(new Token(tokens[i], Math.toIntExact(ids[i])));
        }
        return out;
    }

    @Override
    public int[] encodeForModel(String text) {
        return configDecidesSpecials ? special.wrap(encode(text)) : ids(encoding(text, true));
    }

    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            checkDecodeId(ids[i], vocabSize, file);
            longs[i] = ids[i];
        }
        try {
            return hf.decode(longs, skipSpecialTokens);
        } catch (RuntimeException e) {
            throw libraryError(e, "cannot decode the ids: ");
        }
    }

    private static int[] ids(Encoding e) {
        return Arrays.stream(e.getIds()).mapToInt(Math::toIntExact).toArray();
    }

    private static int indexOf(int[] haystack, int[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    SpecialTokens special() {
        return special;
    }

    @Override
    public void close() {
        hf.close();
    }

    @Override
    public String toString() {
        return "DjlTokenizer[" + file + "]";
    }

    /**
     * Keeps DJL off the network. Left alone, DJL calls home on every tokenizer it creates (EC2 metadata at
     * 169.254.169.254, then a telemetry URL), and with a GPU it detects it downloads a CUDA build of the native
     * library from publish.djl.ai. Offline mode ({@code ai.djl.offline}) stops both: the telemetry returns early,
     * the native flavour is the CPU one inside the jar, and DJL's URL opener refuses http(s). The environment
     * variable {@code DJL_OFFLINE} outranks the property, so a value of it other than true is refused.
     * Checked with strace: loading and using the four shared BPE tokenizers opens no network socket, where DJL
     * left alone connects to 169.254.169.254:80 on the first tokenizer.
     */
    static final class DjlOffline {

        private DjlOffline() {
        }

        static synchronized void require() {
            System.setProperty("ai.djl.offline", "true");
            System.setProperty("OPT_OUT_TRACKING", "true");
            if (!Utils.isOfflineMode()) {
                throw new KifInputException("environment: DJL_OFFLINE=" + System.getenv("DJL_OFFLINE")
                        + " would let DJL (the HF tokenizers binding) reach the network; unset it or set it to true");
            }
        }
    }
}
