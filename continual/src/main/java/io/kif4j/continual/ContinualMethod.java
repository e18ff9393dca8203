package io.kif4j.continual;

import io.kif4j.lora.LoraAdapter;

import java.nio.file.Path;

/**
 * A continual-learning method: how one task is learned given what came before. KIF, KIFLoRA and every baseline
 * are implementations; {@link Methods} maps names to them. The runner handles data, evaluation and persistence.
 */
public interface ContinualMethod {

    /** The registry name, e.g. "kiflora". */
    String name();

    /** Whether it replays a memory of earlier tasks (the ✓/✗ column of the comparison). */
    boolean usesReplay();

    /**
     * Learns task {@code ctx.index()} and returns θ̃_t: the adapter the model is evaluated with and the next task
     * starts from.
     */
    TaskOutcome learn(TaskContext ctx);

    /** Writes what the method carries to the next task besides the adapter (e.g. cumulative scores). */
    default void saveState(Path dir) {
    }

    /** Restores {@link #saveState} output when a run resumes after task {@code index}. */
    default void loadState(Path dir, int index) {
    }

    /** As {@link #loadState(Path, int)}, for methods whose state lives in the model (e.g. trained base weights). */
    default void loadState(Path dir, int index, io.kif4j.transformer.LanguageModel model) {
        loadState(dir, index);
    }

    /** How the run walks the tasks and what its table row means. */
    enum Kind {
        /** Task after task, evaluated on every seen task: AP, FWT and BWT. */
        SEQUENTIAL,
        /**
         * One training on the union of every task's training data, evaluated once on every task: the multi-task
         * upper bound. AP only; FWT and BWT are not defined (there is no sequence).
         */
        JOINT,
        /** A fresh start per task, evaluated on that task only: what each task reaches alone. AP = mean of those. */
        SINGLE
    }

    default Kind kind() {
        return Kind.SEQUENTIAL;
    }
}
