package io.kif4j.datasets.prompt;

/**
 * A rendered prompt, kept in three parts so that a batcher can shorten the example's input while keeping the
 * template text around it (the "input" truncation of the short template).
 *
 * @param prefix template text before the input
 * @param input  the example's input
 * @param suffix template text after the input (e.g. "\nAnswer:")
 */
public record Prompt(String prefix, String input, String suffix) {

    public String text() {
        return prefix + input + suffix;
    }

    public Prompt withInput(String newInput) {
        return new Prompt(prefix, newInput, suffix);
    }
}
