package io.kif4j.cli;

import io.kif4j.transformer.tokenizer.Tokenizer;
import io.kif4j.transformer.tokenizer.Tokenizers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "tokenize", description = "Encode text to token ids (SentencePiece's ids, no special tokens; JSON also "
        + "gives hf_ids with BOS/EOS as HF adds them, and the pieces), or decode ids to text.")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--tokenizer", required = true,
            description = "tokenizer.model, spiece.model, tokenizer.json, or a model directory holding one.")
    Path tokenizer;

    static final class Mode {
        @Option(names = "--text", description = "Text to encode.")
        String text;

        @Option(names = "--decode", description = "Token ids to decode, e.g. 1,2,3.")
        String decode;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() {
        try (Tokenizer tok = Tokenizers.load(tokenizer)) {
            if (mode.text != null) {
                int[] ids = tok.encode(mode.text);
                if (json) {
                    System.out.println(JsonOut.object("ids", ids, "hf_ids", tok.encodeForModel(mode.text),
                            "pieces", tok.pieces(mode.text)));
                } else {
                    System.out.println(Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" ")));
                }
            } else {
                int[] ids = Defaults.ids("--decode", mode.decode);
                for (int id : ids) {
                    if (id < 0 || id >= tok.vocabSize()) {
                        throw new IllegalArgumentException("--decode: " + id + " is outside the vocabulary of " + tok.vocabSize());
                    }
                }
                String text = tok.decode(ids);
                System.out.println(json ? JsonOut.object("text", text) : text);
            }
        }
        return 0;
    }
}
