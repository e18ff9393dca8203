package io.kif4j.continual;

import java.nio.file.Path;
import java.util.List;

/**
 * The run settings that depend on the model, and the few a method brings ({@link #forMethod}), in one place:
 * {@link RunConfig#resolve} fills every setting left null from the defaults chosen here. The built-in stories260K
 * gets the toy settings that finish in minutes on a laptop; any other model gets the papers' training recipe
 * (spec §5.1) at a size a CPU can still run. A model-family registry can supply its own instance per family.
 *
 * @param lr              peak learning rate
 * @param epochs          passes per task
 * @param trainPerTask    training examples per task (protocol "small")
 * @param testPerTask     test examples per task (protocol "small")
 * @param warmupSteps     linear warm-up in optimizer steps
 * @param target          LoRA target modules
 * @param template        prompt template
 * @param maxSourceLength source tokens kept
 * @param maxTargetLength target tokens kept
 * @param eval            generate or rank-labels
 * @param maxNewTokens    greedy decoding budget
 */
public record RunDefaults(double lr, int epochs, int trainPerTask, int testPerTask, int warmupSteps,
                          List<String> target, String template, int maxSourceLength, int maxTargetLength, String eval,
                          int maxNewTokens) {

    /** The built-in model's folder, stories260K, under the reference folder (../shared). */
    public static Path builtInModel(Path shared) {
        return shared.resolve("weights/stories260K-hf");
    }

    /** The built-in stories260K: every linear layer, short prompts, label ranking (it never emits EOS), lr 5e-3. */
    public static final RunDefaults BUILT_IN = new RunDefaults(5e-3, 3, 500, 200, 0,
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"), "short", 128, 16,
            "rank-labels", 16);

    /**
     * A user's T5: the papers' lr 3e-4 with 50 warm-up steps (spec §5.1), LoRA on q, v (§2.1), the KIF template,
     * 512/128 tokens (§5.1), greedy generation; 3 epochs of 1000 examples (the size of KIF's training subsets,
     * §5.1) and 500 test examples.
     */
    public static final RunDefaults T5 = new RunDefaults(3e-4, 3, 1000, 500, 50, List.of("q", "v"), "kif", 512, 128,
            "generate", 128);

    /** A user's LLaMA-family model: as {@link #T5} with q_proj, v_proj (spec §2.1) and the Alpaca template (§8.1). */
    public static final RunDefaults LLAMA = new RunDefaults(3e-4, 3, 1000, 500, 50, List.of("q_proj", "v_proj"),
            "alpaca", 512, 128, "generate", 128);

    /** The papers' recipe (as {@link #T5}) with the LoRA targets, template, lengths and evaluation of a model family. */
    public static RunDefaults forFamily(io.kif4j.transformer.family.RunDefaults family) {
        return new RunDefaults(T5.lr, T5.epochs, T5.trainPerTask, T5.testPerTask, T5.warmupSteps, family.target(),
                family.template(), family.maxSourceLength(), family.maxTargetLength(), family.eval(),
                family.maxNewTokens());
    }

    /**
     * The settings a method brings of its own, used where the run leaves them unset (a preset, config file or flag
     * overrides them). Where the papers and the authors' code differ, both stay available behind the same option.
     *
     * @param loraAlpha           LoRA α
     * @param memoryClassBalanced class-stratified replay memory (per label, then a uniform top-up) instead of uniform
     */
    public record MethodDefaults(double loraAlpha, boolean memoryClassBalanced) {

        /** KIF's and every other method's: α 16 (spec §2.1), a uniform 2 % memory (§5.3, following LAMOL; §7). */
        public static final MethodDefaults KIF = new MethodDefaults(16, false);

        /**
         * Recurrent-KIF's own code: α 32 (spec §2.1, §6.3) and the class-stratified memory of its
         * {@code load_memory_buffer} (§6.1).
         */
        public static final MethodDefaults RECURRENT_KIF = new MethodDefaults(32, true);
    }

    /** The defaults method {@code method} brings (by registry name). */
    public static MethodDefaults forMethod(String method) {
        return "recurrent-kif".equalsIgnoreCase(method) ? MethodDefaults.RECURRENT_KIF : MethodDefaults.KIF;
    }

    /** The defaults for a run on the built-in model or on a user's T5 / decoder-only model. */
    public static RunDefaults of(boolean builtInModel, boolean t5) {
        return builtInModel ? BUILT_IN : t5 ? T5 : LLAMA;
    }
}
