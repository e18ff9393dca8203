package io.kif4j.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.common.AtomicFiles;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The episodic memory of KIF-M, Replay and Recurrent-KIF: after each task, a small seeded sample of its
 * training set (spec §5.3, §6.1, §7). The sample of a task depends only on the seed, the task name and its
 * training set, not on the tasks before it, and the memory saves to JSON, so a resumed run sees the same memory.
 */
public final class ReplayMemory {

    /** How a task's sample is drawn. */
    public enum Mode {
        /** The first {@code n} of a seeded shuffle (BIL/TaSL {@code load_memory_buffer_old}). */
        UNIFORM,
        /** Per label, then a uniform top-up (RKIF {@code load_memory_buffer}); generation tasks fall back to uniform. */
        CLASS_BALANCED
    }

    /**
     * @param ratio fraction of each task's training set kept (0.02 = the papers' 2 %); at least one example
     * @param mode  uniform or class-balanced
     * @param seed  the papers use 42
     */
    public record Config(double ratio, Mode mode, long seed) {
        public Config {
            if (!(ratio > 0 && ratio <= 1)) {
                throw new IllegalArgumentException("memory ratio must be in (0, 1]: " + ratio);
            }
            if (mode == null) {
                throw new IllegalArgumentException("memory mode is required");
            }
        }

        /** 2 % per task, uniform, seed 42. */
        public static Config defaults() {
            return new Config(0.02, Mode.UNIFORM, 42);
        }
    }

    /** One remembered example and the task it came from (needed to render its prompt). */
    public record Entry(String task, Example example) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final int FORMAT_VERSION = 1;

    private final Config config;
    private final Map<String, List<Example>> byTask = new LinkedHashMap<>();

    public ReplayMemory(Config config) {
        this.config = config;
    }

    public Config config() {
        return config;
    }

    /** How many examples a task of {@code trainSize} examples contributes: {@code max(1, floor(ratio·n))}. */
    public int sampleSize(int trainSize) {
        // The epsilon keeps 0.07·100 at 7 despite binary floating point.
        return Math.max(1, (int) Math.floor(config.ratio() * trainSize + 1e-9));
    }

    /**
     * Samples {@code task}'s training set into the memory and returns the sample. {@code labels} is the task's
     * label set (empty for generation tasks). Adding a task twice replaces its earlier sample.
     */
    public List<Example> add(String task, List<Example> trainSet, List<String> labels) {
        if (trainSet.isEmpty()) {
            throw new IllegalArgumentException("task " + task + ": empty training set");
        }
        int n = sampleSize(trainSet.size());
        Random random = new Random(Sampling.seedFor(config.seed(), task, "memory"));
        List<Example> sample = config.mode() == Mode.CLASS_BALANCED && !labels.isEmpty()
                ? Sampling.classBalanced(trainSet, n, labels, random)
                : Sampling.uniform(trainSet, n, random);
        byTask.put(task, sample);
        return sample;
    }

    /** Convenience for {@link #add(String, List, List)} from a protocol's output. */
    public List<Example> add(TaskData data) {
        return add(data.info().name(), data.train(), data.info().labels());
    }

    /** Tasks in the order they were added. */
    public List<String> tasks() {
        return List.copyOf(byTask.keySet());
    }

    public List<Example> examplesOf(String task) {
        return byTask.getOrDefault(task, List.of());
    }

    /** All entries, task by task in the order added. */
    public List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        byTask.forEach((task, examples) -> examples.forEach(e -> out.add(new Entry(task, e))));
        return Collections.unmodifiableList(out);
    }

    /** The entries of every task added before {@code task} (the memory M_{<t} of that task's training). */
    public List<Entry> entriesBefore(String task) {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, List<Example>> e : byTask.entrySet()) {
            if (e.getKey().equals(task)) {
                break;
            }
            e.getValue().forEach(x -> out.add(new Entry(e.getKey(), x)));
        }
        return Collections.unmodifiableList(out);
    }

    public int size() {
        return byTask.values().stream().mapToInt(List::size).sum();
    }

    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "kif4j-replay-memory");
        root.put("version", FORMAT_VERSION);
        root.put("ratio", config.ratio());
        root.put("mode", config.mode().name());
        root.put("seed", config.seed());
        ObjectNode tasks = root.putObject("tasks");
        byTask.forEach((task, examples) -> {
            ArrayNode arr = tasks.putArray(task);
            for (Example e : examples) {
                ObjectNode o = arr.addObject();
                o.put("id", e.id());
                o.put("input", e.input());
                o.put("output", e.output());
                if (e.references().size() > 1 || !e.references().get(0).equals(e.output())) {
                    ArrayNode refs = o.putArray("references");
                    e.references().forEach(refs::add);
                }
            }
        });
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes the memory atomically. */
    public void save(Path file) {
        AtomicFiles.writeString(file, toJson());
    }

    public static ReplayMemory load(Path file) {
        try {
            return fromJson(Files.readString(file), file);
        } catch (IOException e) {
            throw KifInputException.of(file, "cannot read replay memory: " + e.getMessage(), e);
        }
    }

    /** Parses {@link #toJson()}; {@code source} names the file in errors (may be null). */
    public static ReplayMemory fromJson(String json, Path source) {
        Path where = source == null ? Path.of("(replay memory)") : source;
        try {
            JsonNode root = JSON.readTree(json);
            if (root == null || !"kif4j-replay-memory".equals(root.path("format").asText())) {
                throw KifInputException.of(where, "not a kif4j replay memory (field \"format\")");
            }
            if (root.path("version").asInt() != FORMAT_VERSION) {
                throw KifInputException.of(where, "unsupported replay memory version " + root.path("version"));
            }
            Config config = new Config(root.path("ratio").asDouble(), Mode.valueOf(root.path("mode").asText()),
                    root.path("seed").asLong());
            ReplayMemory memory = new ReplayMemory(config);
            JsonNode tasks = root.path("tasks");
            for (var it = tasks.fields(); it.hasNext(); ) {
                var t = it.next();
                List<Example> examples = new ArrayList<>();
                for (JsonNode o : t.getValue()) {
                    List<String> refs = new ArrayList<>();
                    o.path("references").forEach(r -> refs.add(r.asText()));
                    if (!o.path("id").isTextual() || !o.path("input").isTextual() || !o.path("output").isTextual()) {
                        throw KifInputException.of(where, "task \"" + t.getKey() + "\": an entry lacks id, input or output");
                    }
                    examples.add(new Example(o.get("id").asText(), o.get("input").asText(), o.get("output").asText(), refs));
                }
                memory.byTask.put(t.getKey(), List.copyOf(examples));
            }
            return memory;
        } catch (IOException e) {
            throw KifInputException.of(where, "not valid JSON: " + TaskInfo.firstLine(e.getMessage()), e);
        } catch (IllegalArgumentException e) {
            throw KifInputException.of(where, "bad replay memory settings: " + e.getMessage(), e);
        }
    }
}
