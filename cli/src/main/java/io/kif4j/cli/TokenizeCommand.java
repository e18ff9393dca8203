package io.kif4j.cli;

import io.kif4j.datasets.JsonlReader;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;
import io.kif4j.common.KifInputException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

@Command(name = "tokenize", description = "Encode text to token ids (no special tokens; JSON also gives hf_ids with "
        + "the special tokens HF adds, the pieces and the decoded ids), or decode ids to text.")
final class TokenizeCommand implements Callable<Integer> {

    @Option(names = "--tokenizer", required = true,
            description = "tokenizer.model, spiece.model, tokenizer.json, or a model directory holding one.")
    Path tokenizer;

    static final class Mode {
        @Option(names = "--text", description = "Text to encode.")
        String text;

        @Option(names = "--inputs", paramLabel = "FILE.jsonl",
                description = "Encode the \"text\" of every line (one JSON object each); prints one line per input, in order.")
        Path inputs;

        @Option(names = "--decode", description = "Token ids to decode, e.g. 1,2,3. Special tokens are kept as "
                + "their text, as HF's tokenizer.decode does, unless --skip-special.")
        String decode;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Mode mode;

    @Option(names = "--json", description = "Print JSON objects: {ids, hf_ids, pieces, decoded} per text, {text} for --decode.")
    boolean json;

    @Option(names = "--skip-special", description = "With --decode: drop the special tokens (BOS, EOS, pad, ...).")
    boolean skipSpecial;

    @Override
    public Integer call() {
        // UTF-8 whatever the locale: a C locale would print pieces such as "Ġworld" as "?world".
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        List<String> texts = mode.decode != null ? List.of() : mode.text != null ? List.of(mode.text) : texts(mode.inputs);
        try (Tokenizer tok = Tokenizers.load(tokenizer)) {
            if (mode.decode != null) {
                int[] ids = Defaults.ids("--decode", mode.decode);
                for (int id : ids) {
                    if (id < 0 || id >= tok.vocabSize()) {
                        throw new IllegalArgumentException("--decode: " + id + " is outside the vocabulary of " + tok.vocabSize());
                    }
                }
                String text = tok.decode(ids, skipSpecial);
                out.println(json ? JsonOut.object("text", text) : text);
            }
            for (String text : texts) {
                out.println(json ? encoded(tok, text) : joined(tok.encode(text)));
            }
        } finally {
            out.flush();
        }
        return 0;
    }

    /** What --text --json prints for one text; --inputs prints the same per line. */
    static String encoded(Tokenizer tok, String text) {
        int[] ids = tok.encode(text);
        return JsonOut.object("ids", ids, "hf_ids", tok.encodeForModel(text), "pieces", tok.pieces(text),
                "decoded", tok.decode(ids, false));
    }

    private static String joined(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(" "));
    }

    /** Every line's "text", checked before anything is printed. */
    static List<String> texts(Path file) {
        List<String> texts = new ArrayList<>();
        new JsonlReader().read(file, (line, node) -> {
            if (!node.path("text").isTextual()) {
                throw KifInputException.of(file, "line " + line + ": text: expected a string field \"text\"");
            }
            String text = node.get("text").textValue();
            int bad = unpairedSurrogate(text);
            if (bad >= 0) {
                throw KifInputException.of(file, "line " + line + ": text: unpaired surrogate \\u"
                        + Integer.toHexString(text.charAt(bad)) + " at character " + bad + ", not Unicode text");
            }
            texts.add(text);
        });
        return texts;
    }

    /** Index of the first lone UTF-16 surrogate (JSON's "\ud800" escape allows one), or -1. */
    private static int unpairedSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }
}
