package io.kif4j.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a task folder's {@code task.json} declares. Every field is optional except that, when present, it must
 * have the right type; docs/DATASETS.md lists them.
 *
 * @param folder      the task folder
 * @param name        {@code task}, or the folder name
 * @param benchmark   {@code benchmark}, or null
 * @param family      the instruction family ({@code family}, else O-LoRA's {@code olora_family}: SC, TC, NLI, …), or null
 * @param dataset     a short display name (O-LoRA's dataset folder, e.g. "SST-2"), else {@code name}
 * @param labels      the closed label set of a classification task, in prompt option order; empty for generation
 * @param counts      the expected record count of each split, where declared
 * @param subsets     named id lists ({@code kif_train_1000}, …)
 * @param definition  SuperNI's task definition, or null
 * @param instruction an explicit instruction for the classification templates, overriding the family's, or null
 * @param metric      an explicit metric name ({@code accuracy}, {@code rougeL}), or null
 * @param notes       free-text notes
 */
public record TaskInfo(Path folder, String name, String benchmark, String family, String dataset,
                       List<String> labels, Map<Split, Integer> counts, Map<String, IdSubset> subsets,
                       String definition, String instruction, String metric, List<String> notes) {

    public static final String FILE_NAME = "task.json";

    private static final ObjectMapper JSON = new ObjectMapper();

    public TaskInfo {
        labels = List.copyOf(labels);
        EnumMap<Split, Integer> countsCopy = new EnumMap<>(Split.class);
        countsCopy.putAll(counts);
        counts = Collections.unmodifiableMap(countsCopy);
        subsets = Collections.unmodifiableMap(new LinkedHashMap<>(subsets));
        notes = List.copyOf(notes);
    }

    /** A classification task: one with a declared label set. */
    public boolean isClassification() {
        return !labels.isEmpty();
    }

    public Optional<IdSubset> subset(String subsetName) {
        return Optional.ofNullable(subsets.get(subsetName));
    }

    /** Reads {@code folder/task.json}; a bad file is a {@link KifInputException} naming it and the field. */
    public static TaskInfo read(Path folder) {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw KifInputException.of(file, "missing: every task folder needs a task.json");
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw KifInputException.of(file, "not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw KifInputException.of(file, "must hold one JSON object");
        }
        Fields f = new Fields(file, root);
        String folderName = folder.getFileName() == null ? folder.toString() : folder.getFileName().toString();
        String name = f.string("task", folderName);
        String family = f.string("family", f.string("olora_family", null));
        String oloraPath = f.string("olora_path", null);
        String dataset = f.string("dataset",
                oloraPath == null ? name : oloraPath.substring(oloraPath.lastIndexOf('/') + 1));
        List<String> labels = f.stringList("labels");
        if (labels.stream().distinct().count() != labels.size()) {
            throw KifInputException.of(file, "field \"labels\" lists a label twice: " + labels);
        }

        Map<Split, Integer> counts = new EnumMap<>(Split.class);
        JsonNode splits = root.get("splits");
        if (splits != null && !splits.isNull()) {
            if (!splits.isObject()) {
                throw KifInputException.of(file, "field \"splits\" must be an object");
            }
            for (Iterator<String> it = splits.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                Split split = Split.fromKey(key);
                if (split == null) {
                    throw KifInputException.of(file, "field \"splits\" has unknown split \"" + key
                            + "\" (expected train, dev, test)");
                }
                JsonNode count = splits.get(key).get("count");
                if (count != null && !count.isNull()) {
                    if (!count.canConvertToInt() || !count.isIntegralNumber() || count.asInt() < 0) {
                        throw KifInputException.of(file, "field \"splits." + key + ".count\" must be a non-negative integer");
                    }
                    counts.put(split, count.asInt());
                }
            }
        }

        Map<String, IdSubset> subsets = new LinkedHashMap<>();
        JsonNode subsetsNode = root.get("subsets");
        if (subsetsNode != null && !subsetsNode.isNull()) {
            if (!subsetsNode.isObject()) {
                throw KifInputException.of(file, "field \"subsets\" must be an object");
            }
            for (Iterator<String> it = subsetsNode.fieldNames(); it.hasNext(); ) {
                String key = it.next();
                Fields sf = new Fields(file, subsetsNode.get(key), "subsets." + key + ".");
                Split split = Split.fromKey(sf.string("split", null));
                if (split == null) {
                    throw KifInputException.of(file, "field \"subsets." + key + ".split\" must be train, dev or test");
                }
                subsets.put(key, new IdSubset(key, split, sf.stringList("ids")));
            }
        }

        return new TaskInfo(folder, name, f.string("benchmark", null), family, dataset, labels, counts, subsets,
                f.string("definition", null), f.string("instruction", null), f.string("metric", null),
                f.stringList("notes"));
    }

    static String firstLine(String message) {
        if (message == null) {
            return "(no detail)";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Typed access to the fields of one JSON object, with errors naming the file and the field. */
    private record Fields(Path file, JsonNode node, String prefix) {

        Fields(Path file, JsonNode node) {
            this(file, node, "");
        }

        Fields {
            if (node == null || !node.isObject()) {
                throw KifInputException.of(file, "field \"" + (prefix.isEmpty() ? "(root)" : prefix.substring(0, prefix.length() - 1))
                        + "\" must be an object");
            }
        }

        String string(String field, String fallback) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return fallback;
            }
            if (!v.isTextual()) {
                throw KifInputException.of(file, "field \"" + prefix + field + "\" must be a string");
            }
            return v.asText();
        }

        List<String> stringList(String field) {
            JsonNode v = node.get(field);
            if (v == null || v.isNull()) {
                return List.of();
            }
            if (!v.isArray()) {
                throw KifInputException.of(file, "field \"" + prefix + field + "\" must be an array of strings");
            }
            List<String> out = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    throw KifInputException.of(file, "field \"" + prefix + field + "[" + i + "]\" must be a string");
                }
                out.add(v.get(i).asText());
            }
            return out;
        }
    }
}
