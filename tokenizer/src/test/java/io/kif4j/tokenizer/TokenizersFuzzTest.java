package io.kif4j.tokenizer;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.kif4j.common.testing.FuzzFiles;

import java.nio.file.Path;

/**
 * Fuzzes {@link Tokenizers#load} on a model folder: the input is split ({@link FuzzFiles#split}) into a kind byte,
 * {@code tokenizer_config.json}, {@code special_tokens_map.json} and the tokenizer file itself, saved as
 * {@code tokenizer.model}, {@code spiece.model} or {@code tokenizer.json} by the kind byte. A tokenizer that loads
 * must then encode and decode a fixed text without failing: its rules come from the file too.
 * Seeds: {@code src/test/resources/io/kif4j/tokenizer/TokenizersFuzzTestInputs/}.
 */
class TokenizersFuzzTest {

    static final String[] NAMES = {"tokenizer.model", "spiece.model", "tokenizer.json"};
    static final String TEXT = "Hello  wörld, <extra_id_0> </s>\t1+1=2 \u00e9\u0301 \ud83d\ude00 ";

    // The keys the parser looks up: JsonNode.get is a hash lookup the fuzzer cannot observe, so it needs them.
    @DictionaryEntries({
            "\"Metaspace\"", "\"Precompiled\"", "\"Sequence\"", "\"SpecialToken\"", "\"TemplateProcessing\"",
            "\"Unigram\"", "\"WhitespaceSplit\"", "\"add_bos_token\"", "\"add_eos_token\"", "\"add_prefix_space\"",
            "\"added_tokens\"", "\"additional_special_tokens\"", "\"always\"", "\"bos_token\"", "\"byte_fallback\"",
            "\"content\"", "\"decoder\"", "\"eos_token\"", "\"extra_ids\"", "\"first\"", "\"id\"", "\"ids\"",
            "\"lstrip\"", "\"model\"", "\"never\"", "\"normalized\"", "\"normalizer\"", "\"normalizers\"",
            "\"pad_token\"", "\"post_processor\"", "\"pre_tokenizer\"", "\"precompiled_charsmap\"",
            "\"prepend_scheme\"", "\"pretokenizers\"", "\"replacement\"", "\"rstrip\"", "\"single\"",
            "\"single_word\"", "\"special\"", "\"special_tokens\"", "\"split\"", "\"type\"", "\"unk_id\"",
            "\"unk_token\"", "\"vocab\""})
    @FuzzTest(maxDuration = "10m")
    void tokenizerFolder(byte[] data) {
        byte[][] parts = FuzzFiles.split(data, 4);
        Path dir = FuzzFiles.scratch("tokenizer");
        String name = NAMES[parts[0].length == 0 ? 0 : (parts[0][0] & 0xFF) % NAMES.length];
        if (parts[1].length > 0) {
            FuzzFiles.write(dir, "tokenizer_config.json", parts[1]);
        }
        if (parts[2].length > 0) {
            FuzzFiles.write(dir, "special_tokens_map.json", parts[2]);
        }
        FuzzFiles.write(dir, name, parts[3]);
        FuzzFiles.expectCleanOutcome(dir, () -> {
            try (Tokenizer t = Tokenizers.load(dir)) { // a DjlTokenizer holds native memory
                int[] ids = t.encodeForModel(TEXT);
                t.decode(ids);
                t.decode(ids, false);
                t.pieces(TEXT);
            }
        });
    }
}
