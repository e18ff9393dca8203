package io.kif4j.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Writes synthetic run folders in the runner's layout, for the report tests. */
final class SyntheticRun {

    /** Which unit_scores.csv to write into each task folder. */
    enum Units { NONE, T5_RANK_ONE, LLAMA_MATRIX }

    private SyntheticRun() {
    }

    /** A run folder; {@code matrix} cells may be null (unmeasured). Task folders are made for the first {@code trained} tasks. */
    static Path write(Path dir, String method, int seed, List<String> tasks, Double[][] matrix, int trained, Units units) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), """
                    {"method": "%s", "seed": %d, "model": "t5-small-test", "lora": {"rank": 4, "alpha": 32, "targets": ["q", "v"]},
                     "lr": 0.0003, "tasks": [%s]}
                    """.formatted(method, seed, tasks.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", "))));
            if (matrix != null) {
                Files.writeString(dir.resolve("metrics.json"), metricsJson(method, seed, tasks, matrix));
            }
            for (int t = 0; t < trained; t++) {
                Path td = dir.resolve("tasks").resolve(String.format(Locale.ROOT, "%02d-%s", t + 1, tasks.get(t)));
                Files.createDirectories(td.resolve("adapter"));
                StringBuilder loss = new StringBuilder("step,loss\n");
                for (int s = 0; s <= 60; s++) {
                    loss.append(s * 10).append(',').append(String.format(Locale.ROOT, "%.4f", 3.0 * Math.exp(-s / (12.0 + 4 * t)) + 0.2 + 0.05 * Math.sin(s))).append('\n');
                }
                Files.writeString(td.resolve("train_loss.csv"), loss);
                if (units != Units.NONE) {
                    Files.writeString(td.resolve("unit_scores.csv"), units == Units.T5_RANK_ONE ? t5Scores(t) : llamaScores(t));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String metricsJson(String method, int seed, List<String> tasks, Double[][] matrix) {
        StringBuilder rows = new StringBuilder();
        for (int t = 0; t < matrix.length; t++) {
            rows.append(t == 0 ? "" : ", ").append('[');
            for (int i = 0; i < matrix[t].length; i++) {
                rows.append(i == 0 ? "" : ", ").append(matrix[t][i] == null ? "null" : matrix[t][i].toString());
            }
            rows.append(']');
        }
        StringBuilder perTask = new StringBuilder();
        int last = matrix.length - 1;
        for (int i = 0; i < tasks.size(); i++) {
            perTask.append(i == 0 ? "" : ", ").append('"').append(tasks.get(i)).append("\": {\"metric\": \"accuracy\", \"final\": ")
                    .append(matrix[last][i]).append(", \"after_own_task\": ").append(matrix[i][i]).append('}');
        }
        return """
                {"method": "%s", "seed": %d, "tasks": [%s], "matrix": [%s],
                 "ap": null, "fwt": null, "bwt": null, "forgetting": null, "per_task": {%s},
                 "timings": {"total_s": 4000.5, "per_task_s": [1200.0, 1400.0]}, "config": {"method": "%s"}}
                """.formatted(method, seed, tasks.stream().map(t -> "\"" + t + "\"").collect(Collectors.joining(", ")),
                rows, perTask, method);
    }

    /** T5 with rank-one units: encoder blocks 0–1 (SelfAttention q, v), decoder blocks 0–2 (SelfAttention and EncDecAttention q, v), rank 4. */
    static String t5Scores(int task) {
        List<String> lines = new ArrayList<>(List.of("unit,module,raw,normalized,cumulative"));
        for (String stack : List.of("encoder", "decoder")) {
            int blocks = stack.equals("encoder") ? 2 : 3;
            for (int b = 0; b < blocks; b++) {
                List<String> kinds = stack.equals("encoder")
                        ? List.of("layer.0.SelfAttention.q", "layer.0.SelfAttention.v")
                        : List.of("layer.0.SelfAttention.q", "layer.0.SelfAttention.v", "layer.1.EncDecAttention.q", "layer.1.EncDecAttention.v");
                for (String kind : kinds) {
                    String module = stack + ".block." + b + "." + kind;
                    for (int i = 0; i < 4; i++) {
                        double raw = 0.01 * (1 + b) * (1 + i) * (1 + task) + (kind.endsWith("v") ? 0.02 : 0);
                        lines.add(module + "|||" + i + "," + module + "," + raw + "," + Math.min(1, raw * 5) + "," + raw * (task + 1));
                    }
                }
            }
        }
        // Units come sorted by score in real files: order must not matter.
        List<String> body = new ArrayList<>(lines.subList(1, lines.size()));
        java.util.Collections.reverse(body);
        return lines.get(0) + "\n" + String.join("\n", body) + "\n";
    }

    /** LLaMA matrix-level units: layers 0–3, q_proj and v_proj, lora_A and lora_B. */
    static String llamaScores(int task) {
        StringBuilder b = new StringBuilder("unit,module,raw,normalized,cumulative\n");
        for (int l = 0; l < 4; l++) {
            for (String p : List.of("q_proj", "v_proj")) {
                String module = "model.layers." + l + ".self_attn." + p;
                for (String m : List.of("A", "B")) {
                    double v = 0.1 * (l + 1) + (m.equals("B") ? 0.05 : 0) + task;
                    b.append(module).append(".lora_").append(m).append(".weight,").append(module).append(',')
                            .append(v).append(',').append(v / 4).append(',').append(v * 2).append('\n');
                }
            }
        }
        return b.toString();
    }

    static List<Path> tempFiles(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
        }
    }
}
