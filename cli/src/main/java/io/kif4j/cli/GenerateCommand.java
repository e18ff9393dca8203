package io.kif4j.cli;

import io.kif4j.transformer.GenerationResult;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.family.Batching;
import io.kif4j.transformer.family.Families;
import io.kif4j.transformer.io.InputsJson;
import io.kif4j.tokenizer.Tokenizer;
import io.kif4j.tokenizer.Tokenizers;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "generate", description = "Greedy decoding with a KV cache, in HuggingFace's semantics. With no "
        + "arguments: the built-in stories260K model continues from BOS.")
final class GenerateCommand implements Callable<Integer> {

    @Mixin
    ModelAndAdapter model;

    static final class Prompt {
        @Option(names = "--prompt", description = "Prompt text, tokenized with the model's tokenizer.") String text;

        @Option(names = "--prompt-ids", description = "Prompt token ids, e.g. 1,2,3; an empty list means BOS only.") String ids;

        @Option(names = "--inputs", description = "Decode the 'generation' batch of a fixture-format inputs.json "
                + "for its max_new_tokens; prints {\"sequences\": …} in HF's form.") Path inputs;
    }

    @ArgGroup(exclusive = true)
    Prompt prompt = new Prompt();

    @Option(names = "--max-new-tokens", description = "Tokens to generate (default: ${DEFAULT-VALUE}).", defaultValue = "200") int maxNewTokens;

    @Option(names = "--json", description = "Print one JSON object: ids (the new token ids) and text.") boolean json;

    @Override
    public Integer call() {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("--max-new-tokens must be at least 1");
        }
        Path dir = model.dir();
        LanguageModel m = model.load().model();
        if (prompt.inputs != null) {
            InputsJson in = InputsJson.read(prompt.inputs);
            ModelInputs batch = in.generation() != null ? in.generation() : in.batch();
            int steps = in.generation() != null ? in.maxNewTokens() : maxNewTokens;
            GenerationResult g = m.generate(batch, steps, true);
            System.out.println(JsonOut.write(Map.of("sequences", g.sequences())));
            return 0;
        }
        try (Tokenizer tok = Tokenizers.load(dir)) {
            int[] ids = promptIds(m, tok);
            GenerationResult g = m.generate(ModelInputs.of(new int[][]{ids}), maxNewTokens, true);
            int[] newIds = stripPadAfterEos(g.newTokens()[0], m.eosTokenId());
            String text = tok.decode(newIds);
            if (json) {
                System.out.println(JsonOut.object("ids", newIds, "text", text));
            } else {
                String promptText = causal(m) ? tok.decode(ids) : "";
                System.out.println(promptText + (promptText.isEmpty() || text.isEmpty() ? "" : " ") + text);
            }
        }
        return 0;
    }

    private int[] promptIds(LanguageModel m, Tokenizer tok) {
        if (prompt.text != null) {
            return tok.encodeForModel(prompt.text);
        }
        int[] ids = prompt.ids != null ? Defaults.ids("--prompt-ids", prompt.ids) : new int[0];
        if (ids.length == 0) {
            // decoder-only: BOS only. T5 has no BOS: an empty encoder input is just EOS.
            return new int[]{causal(m) ? tok.bosId() : m.eosTokenId()};
        }
        for (int id : ids) {
            if (id < 0 || id >= m.vocabSize()) {
                throw new IllegalArgumentException("--prompt-ids: " + id + " is outside the vocabulary of " + m.vocabSize());
            }
        }
        return ids;
    }

    /** Decoder-only (the prompt is part of the output sequence), as opposed to T5's encoder input. */
    private static boolean causal(LanguageModel m) {
        return Families.of(m).batching() == Batching.CAUSAL;
    }

    /** The new tokens up to and including EOS: what the model said, without HF's pad filling. */
    private static int[] stripPadAfterEos(int[] ids, int eos) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == eos) {
                return Arrays.copyOf(ids, i + 1);
            }
        }
        return ids;
    }
}
