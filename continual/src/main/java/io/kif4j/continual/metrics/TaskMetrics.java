package io.kif4j.continual.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kif4j.datasets.TaskInfo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which metric scores which task: task.json's {@code metric} when it has one, else the table in
 * {@code task-metrics.json} (by task name, then by the task's id before the first '_', then by benchmark),
 * else accuracy. The table holds spec §1.4: accuracy for Long Sequence and for SuperNI task363, task875 and
 * task1687; ROUGE-L for the twelve other SuperNI tasks.
 */
public final class TaskMetrics {

    private static final String RESOURCE = "/io/kif4j/continual/metrics/task-metrics.json";
    private static volatile TaskMetrics builtIn;

    private final Map<String, String> byTask;
    private final Map<String, String> byBenchmark;
    private final String fallback;

    private TaskMetrics(Map<String, String> byTask, Map<String, String> byBenchmark, String fallback) {
        this.byTask = byTask;
        this.byBenchmark = byBenchmark;
        this.fallback = fallback;
    }

    public static TaskMetrics builtIn() {
        TaskMetrics t = builtIn;
        if (t == null) {
            try (InputStream in = TaskMetrics.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + RESOURCE + " missing from the jar");
                }
                JsonNode root = new ObjectMapper().readTree(in);
                t = new TaskMetrics(strings(root.path("tasks")), strings(root.path("benchmarks")),
                        root.path("default").asText(Accuracy.NAME));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + RESOURCE, e);
            }
            builtIn = t;
        }
        return t;
    }

    /** The metric name of a task read from a task folder. */
    public String metricFor(TaskInfo task) {
        if (task.metric() != null) {
            return task.metric();
        }
        return metricFor(task.benchmark(), task.name());
    }

    /** The metric name of a task known only by name (and possibly benchmark, which may be null). */
    public String metricFor(String benchmark, String taskName) {
        if (taskName != null) {
            String m = byTask.get(taskName);
            if (m == null && taskName.indexOf('_') > 0) {
                m = byTask.get(taskName.substring(0, taskName.indexOf('_')));
            }
            if (m != null) {
                return m;
            }
        }
        if (benchmark != null && byBenchmark.containsKey(benchmark)) {
            return byBenchmark.get(benchmark);
        }
        return fallback;
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return Map.copyOf(out);
    }
}
