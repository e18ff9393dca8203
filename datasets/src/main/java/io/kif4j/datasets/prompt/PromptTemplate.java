package io.kif4j.datasets.prompt;

import io.kif4j.datasets.Example;
import io.kif4j.datasets.TaskInfo;
import io.kif4j.common.KifInputException;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * One prompt template of {@code templates.json}: a pattern for classification tasks (those with a label set),
 * one for tasks with a SuperNI definition, and how to truncate. Rendering substitutes placeholders in one pass,
 * so braces inside an example's text are never taken for placeholders.
 */
public final class PromptTemplate {

    /** The placeholders a pattern may use. */
    public static final Set<String> PLACEHOLDERS =
            Set.of("instruction", "options", "input", "definition", "family", "dataset", "task", "task_prefix");

    private final String name;
    private final String description;
    private final String classification;
    private final String classificationNoInstruction;
    private final String definition;
    private final String taskPrefix;
    private final Map<String, String> familyAliases;
    private final Map<String, String> instructions;
    private final TruncationMode truncation;

    PromptTemplate(String name, String description, String classification, String classificationNoInstruction,
                   String definition, String taskPrefix, Map<String, String> familyAliases,
                   Map<String, String> instructions, TruncationMode truncation) {
        this.name = name;
        this.description = description;
        this.classification = classification;
        this.classificationNoInstruction = classificationNoInstruction;
        this.definition = definition;
        this.taskPrefix = taskPrefix;
        this.familyAliases = Map.copyOf(familyAliases);
        this.instructions = Map.copyOf(instructions);
        this.truncation = truncation;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** The truncation this template asks for; a batcher may override it. */
    public TruncationMode truncation() {
        return truncation;
    }

    /** The instruction a classification task gets: task.json's own, else its family's (after aliases), else null. */
    public String instructionFor(TaskInfo task) {
        if (task.instruction() != null) {
            return task.instruction();
        }
        if (task.family() == null) {
            return null;
        }
        return instructions.get(familyAliases.getOrDefault(task.family(), task.family()));
    }

    public Prompt render(TaskInfo task, Example example) {
        return render(task, example.input());
    }

    /**
     * The prompt of {@code input} for {@code task}.
     *
     * @throws KifInputException when the task has neither a label set nor a definition, or the template has no
     *                           pattern for its kind
     */
    public Prompt render(TaskInfo task, String input) {
        Map<String, String> vars = new HashMap<>();
        vars.put("family", task.family() == null ? "" : task.family());
        vars.put("dataset", task.dataset());
        vars.put("task", task.name());
        vars.put("options", String.join(", ", task.labels()));
        String pattern;
        if (task.definition() != null) {
            pattern = definition;
            vars.put("definition", task.definition());
        } else if (task.isClassification()) {
            String instruction = instructionFor(task);
            pattern = instruction == null && classificationNoInstruction != null ? classificationNoInstruction : classification;
            if (instruction == null && pattern != null && pattern.contains("{instruction}")) {
                throw KifInputException.of(task.folder().resolve(TaskInfo.FILE_NAME), "template \"" + name
                        + "\" needs an instruction: add field \"instruction\", or a \"family\" the template knows");
            }
            vars.put("instruction", instruction == null ? "" : instruction);
        } else {
            throw KifInputException.of(task.folder().resolve(TaskInfo.FILE_NAME),
                    "prompt templates need field \"labels\" (classification) or \"definition\" (instruction task)");
        }
        if (pattern == null) {
            throw KifInputException.of(task.folder().resolve(TaskInfo.FILE_NAME), "template \"" + name + "\" has no pattern for "
                    + (task.definition() != null ? "tasks with a definition" : "classification tasks"));
        }
        vars.put("task_prefix", taskPrefix == null ? "" : fill(taskPrefix, vars));
        int at = pattern.indexOf("{input}");
        return new Prompt(fill(pattern.substring(0, at), vars), input, fill(pattern.substring(at + "{input}".length()), vars));
    }

    /** Substitutes {@code {name}} placeholders in one left-to-right pass. */
    static String fill(String pattern, Map<String, String> vars) {
        StringBuilder out = new StringBuilder(pattern.length() + 64);
        int i = 0;
        while (i < pattern.length()) {
            char c = pattern.charAt(i);
            if (c == '{') {
                int close = pattern.indexOf('}', i);
                if (close > i) {
                    String key = pattern.substring(i + 1, close);
                    String value = vars.get(key);
                    if (value != null) {
                        out.append(value);
                        i = close + 1;
                        continue;
                    }
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** Checks a pattern of the templates file: known placeholders only, and exactly one {input}. */
    static void validatePattern(String where, String pattern, boolean needsInput) {
        int i = 0;
        int inputs = 0;
        while ((i = pattern.indexOf('{', i)) >= 0) {
            int close = pattern.indexOf('}', i);
            String key = close < 0 ? "" : pattern.substring(i + 1, close);
            if (!PLACEHOLDERS.contains(key)) {
                throw new IllegalArgumentException(where + ": unknown placeholder {" + key + "} (known: " + PLACEHOLDERS + ")");
            }
            if (key.equals("input")) {
                inputs++;
            }
            i = close + 1;
        }
        if (needsInput && inputs != 1) {
            throw new IllegalArgumentException(where + ": needs exactly one {input}, has " + inputs);
        }
    }

    @Override
    public String toString() {
        return "PromptTemplate[" + name + "]";
    }
}
