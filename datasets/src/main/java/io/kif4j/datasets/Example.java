package io.kif4j.datasets;

import java.util.List;
import java.util.Objects;

/**
 * One record of a task split: a line {@code {"id": …, "input": …, "output": …}} of a JSONL file.
 *
 * @param id         unique within its split
 * @param input      the raw input text, before any prompt template
 * @param output     the target text (for classification tasks, the label)
 * @param references every acceptable reference when the source gives several (SuperNI); otherwise
 *                   just {@code output}
 */
public record Example(String id, String input, String output, List<String> references) {

    /** GLUE's marker for "no gold label" (MNLI test/dev); such records are not scorable. */
    public static final String NO_GOLD_LABEL = "-";

    public Example {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(output, "output");
        references = references == null || references.isEmpty() ? List.of(output) : List.copyOf(references);
    }

    public Example(String id, String input, String output) {
        this(id, input, output, List.of());
    }

    /** True when the record carries GLUE's {@code -} "no gold label" marker. */
    public boolean hasNoGoldLabel() {
        return NO_GOLD_LABEL.equals(output);
    }
}
