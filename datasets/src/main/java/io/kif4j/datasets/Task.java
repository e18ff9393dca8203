package io.kif4j.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.common.KifInputException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A task folder: {@code task.json} plus {@code train.jsonl}, {@code dev.jsonl}, {@code test.jsonl}. Splits are read
 * on demand and validated as they are read (fields, label set, unique ids, non-empty, declared count).
 */
public final class Task {

    private final TaskInfo info;
    private final JsonlReader reader;

    public Task(TaskInfo info, JsonlReader reader) {
        this.info = info;
        this.reader = reader;
    }

    /** Reads {@code folder/task.json}; splits are read later by {@link #load}. */
    public static Task open(Path folder) {
        return new Task(TaskInfo.read(folder), new JsonlReader());
    }

    public TaskInfo info() {
        return info;
    }

    public String name() {
        return info.name();
    }

    public Path file(Split split) {
        return info.folder().resolve(split.fileName());
    }

    public boolean hasSplit(Split split) {
        return Files.isRegularFile(file(split));
    }

    /**
     * Every record of {@code split}, in file order, including GLUE's "no gold label" records (see
     * {@link Protocol#excludeNoGoldLabel()}).
     *
     * @throws KifInputException naming the file, the line and the field of the first problem
     */
    public List<Example> load(Split split) {
        Path file = file(split);
        if (!Files.isRegularFile(file)) {
            throw KifInputException.of(file, "missing: task \"" + info.name() + "\" has no " + split.key() + " split");
        }
        Set<String> labels = new HashSet<>(info.labels());
        Map<String, Integer> lineOfId = new HashMap<>();
        List<Example> out = new ArrayList<>();
        reader.read(file, (lineNo, node) -> {
            String id = requiredString(file, lineNo, node, "id");
            String input = requiredString(file, lineNo, node, "input");
            String output = requiredString(file, lineNo, node, "output");
            Integer previous = lineOfId.putIfAbsent(id, lineNo);
            if (previous != null) {
                throw KifInputException.of(file, "line " + lineNo + ": field \"id\": \"" + id
                        + "\" already used on line " + previous);
            }
            if (!labels.isEmpty() && !labels.contains(output) && !Example.NO_GOLD_LABEL.equals(output)) {
                throw KifInputException.of(file, "line " + lineNo + ": field \"output\": label \"" + abbreviate(output)
                        + "\" is not in the label set " + info.labels() + " of " + info.folder().resolve(TaskInfo.FILE_NAME));
            }
            out.add(new Example(id, input, output, references(file, lineNo, node)));
        });
        if (out.isEmpty()) {
            throw KifInputException.of(file, "empty split: no records");
        }
        Integer declared = info.counts().get(split);
        if (declared != null && declared != out.size()) {
            throw KifInputException.of(file, "holds " + out.size() + " records but "
                    + info.folder().resolve(TaskInfo.FILE_NAME) + " declares splits." + split.key() + ".count = " + declared);
        }
        return out;
    }

    private static String requiredString(Path file, int lineNo, JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw KifInputException.of(file, "line " + lineNo + ": missing field \"" + field + "\"");
        }
        if (!v.isTextual()) {
            throw KifInputException.of(file, "line " + lineNo + ": field \"" + field + "\" must be a string");
        }
        return v.asText();
    }

    private static List<String> references(Path file, int lineNo, JsonNode node) {
        JsonNode v = node.get("references");
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw KifInputException.of(file, "line " + lineNo + ": field \"references\" must be an array of strings");
        }
        List<String> refs = new ArrayList<>(v.size());
        for (JsonNode r : v) {
            if (!r.isTextual()) {
                throw KifInputException.of(file, "line " + lineNo + ": field \"references\" must be an array of strings");
            }
            refs.add(r.asText());
        }
        return refs;
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    @Override
    public String toString() {
        return "Task[" + info.name() + " @ " + info.folder() + "]";
    }
}
