package io.kif4j.continual;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.common.Json;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** Mean and sample standard deviation of AP/FWT/BWT/forgetting over the seeds of one configuration. */
public final class SeedSummary {

    private static final String[] KEYS = {"ap", "fwt", "bwt", "forgetting"};

    private SeedSummary() {
    }

    /** Writes {@code dir/seeds.json} and returns a printable table. */
    public static String write(Path dir, List<Path> runs) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-12s %10s %10s   per seed%n", "metric", "mean", "std"));
        for (String k : KEYS) {
            double[] v = new double[runs.size()];
            for (int i = 0; i < runs.size(); i++) {
                JsonNode m = Json.read(runs.get(i).resolve("metrics.json"));
                v[i] = m.get(k) == null || m.get(k).isNull() ? Double.NaN : m.get(k).asDouble();
            }
            double mean = mean(v);
            double std = std(v, mean);
            ObjectNode e = out.putObject(k);
            e.put("mean", mean);
            e.put("std", std);
            var arr = e.putArray("per_seed");
            for (double x : v) {
                arr.add(x);
            }
            String perSeed = java.util.Arrays.stream(v).mapToObj(x -> String.format(Locale.ROOT, "%.2f", x))
                    .collect(java.util.stream.Collectors.joining(", ", "[", "]"));
            table.append(String.format(Locale.ROOT, "%-12s %10.2f %10.2f   %s%n", k, mean, std, perSeed));
        }
        var r = out.putArray("runs");
        runs.forEach(p -> r.add(p.toString()));
        ContinualRunner.writeJson(dir.resolve("seeds.json"), out);
        return table.toString();
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    /** Sample standard deviation (n − 1); 0 for one value. */
    static double std(double[] v, double mean) {
        if (v.length < 2) {
            return 0;
        }
        double s = 0;
        for (double x : v) {
            s += (x - mean) * (x - mean);
        }
        return Math.sqrt(s / (v.length - 1));
    }
}
