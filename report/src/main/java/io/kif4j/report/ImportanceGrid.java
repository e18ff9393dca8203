package io.kif4j.report;

import io.kif4j.lora.LoraKeys;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The skill-unit importance of one task laid out as in the KIF paper's Figures 6–7: rows are layers, columns are
 * module kind × unit index, one panel per layer stack (a T5 encoder and decoder stay apart; a LLaMA has one stack).
 * Reads a task's {@code unit_scores.csv} (header {@code unit,module,raw,normalized,cumulative}).
 */
final class ImportanceGrid {

    /** Which score column colours the heatmap. */
    enum Measure {
        CUMULATIVE("cumulative"), NORMALIZED("normalized"), RAW("raw");

        final String column;

        Measure(String column) {
            this.column = column;
        }
    }

    /** One line of unit_scores.csv. */
    record UnitScore(String unit, String module, double raw, double normalized, double cumulative) {

        double value(Measure m) {
            return switch (m) {
                case CUMULATIVE -> cumulative;
                case NORMALIZED -> normalized;
                case RAW -> raw;
            };
        }
    }

    /**
     * Where a module sits: {@code stack} is the path before the layer index ({@code encoder.block},
     * {@code model.layers}), {@code layer} that index (−1 if none), {@code kind} the rest without T5's sub-layer
     * step ({@code SelfAttention.q}, {@code self_attn.q_proj}), {@code sublayer} T5's {@code layer.N} (0 if none).
     */
    record Location(String stack, int layer, int sublayer, String kind) {
    }

    /** A column: a module kind and a unit within it ({@code 0..r−1} for rank-one units, {@code A}/{@code B} for matrices). */
    record Column(String kind, int sublayer, String unit) {
    }

    /** One stack: {@code values[row][column]} (NaN where a layer has no such unit). */
    record Panel(String stack, List<Integer> layers, List<Column> columns, double[][] values) {
    }

    private static final Pattern DIGITS = Pattern.compile("\\d+");

    /** Projection order inside a kind group, so that q, k, v, o read left to right as in the model. */
    private static final List<String> PROJECTIONS = List.of(
            "q", "q_proj", "k", "k_proj", "v", "v_proj", "o", "o_proj",
            "gate_proj", "wi", "wi_0", "up_proj", "wi_1", "down_proj", "wo");

    private ImportanceGrid() {
    }

    static List<UnitScore> read(Path file) {
        Csv.Table t = Csv.read(file);
        Map<String, Integer> c = t.require(file, "unit", "raw", "normalized", "cumulative");
        int moduleCol = t.column("module");
        List<UnitScore> out = new ArrayList<>();
        for (List<String> row : t.rows()) {
            String unit = row.get(c.get("unit")).strip();
            if (unit.isEmpty()) {
                continue;
            }
            String module = moduleCol < 0 ? "" : row.get(moduleCol).strip();
            out.add(new UnitScore(unit, module.isEmpty() ? moduleOf(unit) : module,
                    Csv.number(row.get(c.get("raw"))), Csv.number(row.get(c.get("normalized"))),
                    Csv.number(row.get(c.get("cumulative")))));
        }
        return out;
    }

    /** The module path of a unit id ({@code path|||i}, {@code path.lora_A.weight}, {@code path.lora_B.weight}). */
    static String moduleOf(String unit) {
        return LoraKeys.moduleOf(unit);
    }

    /** The unit within its module: the rank index, {@code A} or {@code B}, or empty for an unknown form. */
    static String unitOf(String unit) {
        int bar = unit.indexOf(LoraKeys.RANK_ONE);
        if (bar >= 0) {
            return unit.substring(bar + LoraKeys.RANK_ONE.length());
        }
        if (LoraKeys.isA(unit)) {
            return "A";
        }
        if (LoraKeys.isB(unit)) {
            return "B";
        }
        return "";
    }

    /** Parses an HF module path: the first all-digit segment is the layer index. */
    static Location locate(String module) {
        String[] seg = module.split("\\.");
        for (int i = 0; i < seg.length; i++) {
            if (DIGITS.matcher(seg[i]).matches()) {
                String stack = String.join(".", java.util.Arrays.copyOfRange(seg, 0, i));
                int layer = parseInt(seg[i]);
                int from = i + 1;
                int sublayer = 0;
                // T5: block.N.layer.M.<SelfAttention|EncDecAttention|DenseReluDense>; M only orders the kinds.
                if (from + 1 < seg.length && seg[from].equals("layer") && DIGITS.matcher(seg[from + 1]).matches()) {
                    sublayer = parseInt(seg[from + 1]);
                    from += 2;
                }
                String kind = from < seg.length ? String.join(".", java.util.Arrays.copyOfRange(seg, from, seg.length)) : "(layer)";
                return new Location(stack.isEmpty() ? "(root)" : stack, layer, sublayer, kind);
            }
        }
        return new Location("(other)", -1, 0, module);
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE; // an absurdly long index still sorts, last
        }
    }

    /** The panels, encoder before decoder, layers ascending, kinds in model order, units ascending. */
    static List<Panel> panels(List<UnitScore> scores, Measure measure) {
        Map<String, Map<Integer, Map<Column, Double>>> byStack = new LinkedHashMap<>();
        for (UnitScore s : scores) {
            Location loc = locate(s.module());
            Column col = new Column(loc.kind(), loc.sublayer(), unitOf(s.unit()));
            byStack.computeIfAbsent(loc.stack(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(loc.layer(), k -> new LinkedHashMap<>())
                    .put(col, s.value(measure));
        }
        List<String> stacks = new ArrayList<>(byStack.keySet());
        stacks.sort(Comparator.comparingInt(ImportanceGrid::stackRank).thenComparing(Comparator.naturalOrder()));
        List<Panel> out = new ArrayList<>();
        for (String stack : stacks) {
            Map<Integer, Map<Column, Double>> layers = byStack.get(stack);
            List<Integer> layerIds = new ArrayList<>(new TreeSet<>(layers.keySet()));
            TreeSet<Column> columns = new TreeSet<>(COLUMN_ORDER);
            layers.values().forEach(m -> columns.addAll(m.keySet()));
            List<Column> cols = new ArrayList<>(columns);
            double[][] values = new double[layerIds.size()][cols.size()];
            for (int r = 0; r < layerIds.size(); r++) {
                Map<Column, Double> row = layers.get(layerIds.get(r));
                for (int c = 0; c < cols.size(); c++) {
                    Double v = row.get(cols.get(c));
                    values[r][c] = v == null || !Double.isFinite(v) ? Double.NaN : v;
                }
            }
            out.add(new Panel(stack, layerIds, cols, values));
        }
        return out;
    }

    private static int stackRank(String stack) {
        return stack.startsWith("encoder") ? 0 : stack.startsWith("decoder") ? 1 : 2;
    }

    private static final Comparator<Column> COLUMN_ORDER = Comparator
            .comparingInt(Column::sublayer)
            .thenComparingInt(c -> projectionRank(c.kind()))
            .thenComparing(Column::kind)
            .thenComparing(Column::unit, ImportanceGrid::compareUnits);

    private static int projectionRank(String kind) {
        String last = kind.substring(kind.lastIndexOf('.') + 1);
        int i = PROJECTIONS.indexOf(last);
        return i < 0 ? PROJECTIONS.size() : i;
    }

    /** Numeric unit ids by value, before A/B and any other names. */
    private static int compareUnits(String a, String b) {
        boolean na = DIGITS.matcher(a).matches();
        boolean nb = DIGITS.matcher(b).matches();
        if (na && nb) {
            return Integer.compare(parseInt(a), parseInt(b));
        }
        if (na != nb) {
            return na ? -1 : 1;
        }
        return a.compareTo(b);
    }

    /** A short name for a kind, for narrow column groups: {@code SelfAttention.q} → {@code self.q}, {@code self_attn.q_proj} → {@code q_proj}. */
    static String shortKind(String kind) {
        String s = kind.replace("SelfAttention", "self").replace("EncDecAttention", "cross").replace("DenseReluDense", "ffn");
        for (String prefix : List.of("self_attn.", "mlp.", "attention.", "feed_forward.")) {
            if (s.startsWith(prefix)) {
                s = s.substring(prefix.length());
            }
        }
        return s;
    }

    /** The panel as a heatmap block: rows labelled by layer, columns by unit, grouped by kind. */
    static Charts.Panel toHeatmap(Panel p) {
        List<String> rows = p.layers().stream().map(l -> l < 0 ? "–" : String.valueOf(l)).toList();
        List<String> cols = p.columns().stream().map(Column::unit).toList();
        List<Charts.Group> groups = new ArrayList<>();
        int from = 0;
        for (int c = 1; c <= p.columns().size(); c++) {
            if (c == p.columns().size() || !sameKind(p.columns().get(c), p.columns().get(from))) {
                String kind = p.columns().get(from).kind();
                groups.add(new Charts.Group(List.of(kind, shortKind(kind)), from, c));
                from = c;
            }
        }
        String title = p.stack() + " (" + p.layers().size() + (p.layers().size() == 1 ? " layer)" : " layers)");
        return new Charts.Panel(title, rows, cols, groups, p.values());
    }

    private static boolean sameKind(Column a, Column b) {
        return a.kind().equals(b.kind()) && a.sublayer() == b.sublayer();
    }
}
