package io.kif4j.datasets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kif4j.common.KifInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** A {@link Benchmark} read from a folder of task folders and an orders file. */
public final class FolderBenchmark implements Benchmark {

    private static final Logger LOG = LoggerFactory.getLogger(FolderBenchmark.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final Path folder;
    private final Path ordersFile;
    private final Map<String, Task> tasks;
    private final Map<String, List<String>> orders;

    private FolderBenchmark(String name, Path folder, Path ordersFile, Map<String, Task> tasks,
                            Map<String, List<String>> orders) {
        this.name = name;
        this.folder = folder;
        this.ordersFile = ordersFile;
        this.tasks = tasks;
        this.orders = orders;
    }

    /**
     * Opens {@code folder}: every sub-folder holding a task.json is a task. The orders come from
     * {@code ordersFile} (null: no named orders), either {@code {"orders": {id: [task, …]}}} or, as in
     * {@code data/orders.json}, the same object under the benchmark's name.
     */
    public static FolderBenchmark open(Path folder, Path ordersFile) {
        if (!Files.isDirectory(folder)) {
            throw KifInputException.of(folder, "benchmark folder not found");
        }
        String name = folder.getFileName() == null ? folder.toString() : folder.getFileName().toString();
        Map<String, Task> tasks = new TreeMap<>();
        try (Stream<Path> children = Files.list(folder)) {
            for (Path child : children.sorted().toList()) {
                if (Files.isRegularFile(child.resolve(TaskInfo.FILE_NAME))) {
                    Task task = Task.open(child);
                    Task clash = tasks.put(task.name(), task);
                    if (clash != null) {
                        throw KifInputException.of(child.resolve(TaskInfo.FILE_NAME), "field \"task\": name \""
                                + task.name() + "\" is also used by " + clash.info().folder());
                    }
                }
            }
        } catch (IOException e) {
            throw KifInputException.of(folder, "cannot list: " + e.getMessage(), e);
        }
        if (tasks.isEmpty()) {
            throw KifInputException.of(folder, "no task folders (sub-folders with a task.json)");
        }
        Map<String, List<String>> orders = ordersFile == null ? Map.of() : readOrders(ordersFile, name, tasks);
        if (ordersFile == null) {
            LOG.info("benchmark {}: no orders file; orders must be given as explicit task lists", name);
        }
        return new FolderBenchmark(name, folder, ordersFile, Collections.unmodifiableMap(tasks), orders);
    }

    private static Map<String, List<String>> readOrders(Path file, String benchmarkName, Map<String, Task> tasks) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw KifInputException.of(file, "cannot read orders: " + TaskInfo.firstLine(e.getMessage()), e);
        }
        if (root == null || !root.isObject()) {
            throw KifInputException.of(file, "must hold one JSON object");
        }
        String path = "orders";
        JsonNode ordersNode = root.get("orders");
        if (ordersNode == null && root.has(benchmarkName)) {
            ordersNode = root.get(benchmarkName).get("orders");
            path = benchmarkName + ".orders";
        }
        if (ordersNode == null && !root.has(benchmarkName)) {
            LOG.warn("{}: no \"orders\" and no \"{}\" entry; orders must be given as explicit task lists", file, benchmarkName);
            return Map.of();
        }
        if (ordersNode == null || !ordersNode.isObject()) {
            throw KifInputException.of(file, "field \"" + path + "\" missing or not an object of task lists (benchmark \""
                    + benchmarkName + "\")");
        }
        Map<String, List<String>> orders = new LinkedHashMap<>();
        for (Iterator<String> it = ordersNode.fieldNames(); it.hasNext(); ) {
            String id = it.next();
            JsonNode list = ordersNode.get(id);
            if (!list.isArray() || list.isEmpty()) {
                throw KifInputException.of(file, "field \"" + path + "." + id + "\" must be a non-empty array of task names");
            }
            List<String> names = new ArrayList<>();
            for (JsonNode n : list) {
                if (!n.isTextual()) {
                    throw KifInputException.of(file, "field \"" + path + "." + id + "\" must be an array of task names");
                }
                String taskName = n.asText();
                if (!tasks.containsKey(taskName)) {
                    throw KifInputException.of(file, "field \"" + path + "." + id + "\": no task \"" + taskName
                            + "\" in the benchmark (tasks: " + tasks.keySet() + ")");
                }
                if (names.contains(taskName)) {
                    throw KifInputException.of(file, "field \"" + path + "." + id + "\" lists \"" + taskName + "\" twice");
                }
                names.add(taskName);
            }
            orders.put(id, List.copyOf(names));
        }
        return Collections.unmodifiableMap(orders);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Path folder() {
        return folder;
    }

    /** The orders file read, or null. */
    public Path ordersFile() {
        return ordersFile;
    }

    @Override
    public List<String> taskNames() {
        return List.copyOf(tasks.keySet());
    }

    @Override
    public Task task(String taskName) {
        Task task = tasks.get(taskName);
        if (task == null) {
            throw KifInputException.of(folder, "no task \"" + taskName + "\" (tasks: " + tasks.keySet() + ")");
        }
        return task;
    }

    @Override
    public Map<String, List<String>> orders() {
        return orders;
    }

    @Override
    public List<Task> order(String idOrList) {
        List<String> names = orders.get(idOrList.strip());
        if (names == null && !idOrList.contains(",") && tasks.containsKey(idOrList.strip())) {
            names = List.of(idOrList.strip()); // a single task
        }
        if (names == null) {
            if (!idOrList.contains(",")) {
                throw KifInputException.of(ordersFile == null ? folder : ordersFile, "no order \"" + idOrList
                        + "\" (orders: " + orders.keySet() + "); give an order id or a comma-separated task list");
            }
            names = new ArrayList<>();
            for (String part : idOrList.split(",")) {
                if (!part.isBlank()) {
                    names.add(part.strip());
                }
            }
        }
        List<Task> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(task(n));
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return "Benchmark[" + name + ": " + tasks.size() + " tasks, orders " + orders.keySet() + "]";
    }
}
