package io.kif4j.report;

import io.kif4j.common.AtomicFiles;

import java.awt.AWTError;
import java.awt.image.BufferedImage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

import static io.kif4j.report.Html.esc;

/**
 * Compares methods over seeds and task orders, laid out like the KIF paper's Table I: one row per method with
 * replay ✓/✗ and AP, FWT, BWT as mean ± sample std. Writes {@code compare.md}, {@code compare.csv} and
 * {@code compare.html} (with a grouped bar chart and links to each run's report.html) into a folder.
 *
 * <p>Aggregation: for each method and order, mean and sample standard deviation over the seeds' complete runs.
 * The main table weighs each order equally (mean of the per-order means, as the paper averages its two orders)
 * and gives the sample std over all complete runs of the method. With one run only the mean is shown. Every
 * metric is recomputed from the run's accuracy matrix. A run is complete when AP, FWT and BWT all exist; a
 * missing or unfinished run shows "–" in the per-run table, is listed as incomplete, and counts in no mean.
 */
public final class CompareReport {

    /**
     * One method on one task order.
     *
     * @param method     the name shown in the table (entries with the same method are one row, one per order)
     * @param usesReplay whether the method replays a memory of earlier tasks (the paper's replay column)
     * @param order      the task order's name, e.g. "1"
     * @param runDirs    one run folder per seed
     */
    public record Entry(String method, boolean usesReplay, String order, List<Path> runDirs) {
        public Entry {
            Objects.requireNonNull(method, "method");
            order = order == null ? "" : order;
            runDirs = List.copyOf(runDirs);
        }
    }

    /** File names written into the output folder. */
    public static final String MARKDOWN = "compare.md", CSV = "compare.csv", HTML = "compare.html";

    static final List<String> METRICS = List.of("AP", "FWT", "BWT");

    private CompareReport() {
    }

    /** Writes compare.md, compare.csv and compare.html into {@code outDir} (atomically) and returns compare.html's path. */
    public static Path write(Path outDir, List<Entry> entries) {
        Table table = Table.of(entries);
        AtomicFiles.writeString(outDir.resolve(CSV), table.csv());
        AtomicFiles.writeString(outDir.resolve(MARKDOWN), table.markdown(outDir));
        Path html = outDir.resolve(HTML);
        AtomicFiles.writeString(html, table.html(outDir));
        return html;
    }

    // ---- model ---------------------------------------------------------------------------------------------------

    /** One run's numbers; {@code problem} is null when the run is complete. */
    record Run(String method, boolean replay, String order, String seed, Path dir, double[] values, double forgetting,
               String problem, String reference, double firstTask) {

        boolean complete() {
            return problem == null;
        }

        static Run read(Entry e, int index, Path dir) {
            double[] none = {Double.NaN, Double.NaN, Double.NaN};
            if (!Files.isDirectory(dir)) {
                return new Run(e.method(), e.usesReplay(), e.order(), "#" + (index + 1), dir, none, Double.NaN, "run folder missing", null, Double.NaN);
            }
            RunFolder f;
            try {
                f = RunFolder.read(dir);
            } catch (RuntimeException ex) {
                return new Run(e.method(), e.usesReplay(), e.order(), "#" + (index + 1), dir, none, Double.NaN, "unreadable: " + ex.getMessage(), null, Double.NaN);
            }
            String seed = f.seed != null ? f.seed : dir.getFileName().toString();
            double[] v = {value(f.ap()), value(f.fwt()), value(f.bwt())};
            String problem = null;
            String reference = f.reference();
            int defined = reference == null ? 3 : 1; // reference rows have AP only
            if (f.metrics == null) {
                problem = "no metrics.json";
            } else if (java.util.stream.IntStream.range(0, defined).anyMatch(m -> Double.isNaN(v[m]))) {
                List<String> missing = new ArrayList<>();
                for (int m = 0; m < defined; m++) {
                    if (Double.isNaN(v[m])) {
                        missing.add(METRICS.get(m));
                    }
                }
                problem = "unfinished: " + f.tasksDone() + " of " + f.tasks.size() + " tasks scored, no " + String.join("/", missing);
            }
            return new Run(e.method(), e.usesReplay(), e.order(), seed, dir, v, value(f.forgetting()), problem, reference,
                    value(f.firstTaskFinal()));
        }

        private static double value(OptionalDouble v) {
            return v.isPresent() ? v.getAsDouble() : Double.NaN;
        }
    }

    /** Mean and sample std of n values (std NaN for n &lt; 2; both NaN for n = 0). */
    record Stat(double mean, double std, int n) {

        static Stat of(List<Double> xs) {
            int n = xs.size();
            if (n == 0) {
                return new Stat(Double.NaN, Double.NaN, 0);
            }
            double mean = xs.stream().mapToDouble(Double::doubleValue).sum() / n;
            if (n == 1) {
                return new Stat(mean, Double.NaN, 1);
            }
            double ss = 0;
            for (double x : xs) {
                ss += (x - mean) * (x - mean);
            }
            return new Stat(mean, Math.sqrt(ss / (n - 1)), n);
        }

        /** "mean ± std", just the mean for one value, "–" for none. */
        String text() {
            if (n == 0) {
                return Html.NONE;
            }
            return Double.isNaN(std) ? Html.fmt(mean) : Html.fmt(mean) + " ± " + Html.fmt(std);
        }
    }

    /** A method's row: per order and overall statistics of each metric. */
    record Method(String name, boolean replay, Map<String, List<Run>> byOrder) {

        List<Run> runs() {
            return byOrder.values().stream().flatMap(List::stream).toList();
        }

        long complete() {
            return runs().stream().filter(Run::complete).count();
        }

        Stat order(String order, int metric) {
            return Stat.of(values(byOrder.get(order), metric));
        }

        /** Mean of the per-order means (orders weigh equally); std over all complete runs. */
        Stat overall(int metric) {
            List<Double> orderMeans = new ArrayList<>();
            for (String o : byOrder.keySet()) {
                Stat s = order(o, metric);
                if (s.n() > 0) {
                    orderMeans.add(s.mean());
                }
            }
            List<Double> all = values(runs(), metric);
            if (all.isEmpty()) {
                return Stat.of(all);
            }
            Stat pooled = Stat.of(all);
            return new Stat(Stat.of(orderMeans).mean(), pooled.std(), pooled.n());
        }

        private static List<Double> values(List<Run> runs, int metric) {
            return runs.stream().filter(Run::complete).map(r -> value(r, metric)).filter(Double::isFinite).toList();
        }

        /** "joint" or "single" when the method's runs are reference rows (AP only), else null. */
        String reference() {
            return runs().stream().map(Run::reference).filter(Objects::nonNull).findFirst().orElse(null);
        }

        /**
         * The paired comparison with {@code baseline} on one of {@link #PAIRED}: differences over the complete runs of
         * both with the same order and seed (all orders together when {@code order} is null).
         */
        Paired against(Method baseline, int paired, String order) {
            List<Double> d = new ArrayList<>();
            for (Run r : runs()) {
                if (!r.complete() || (order != null && !order.equals(r.order()))) {
                    continue;
                }
                for (Run b : baseline.runs()) {
                    if (b.complete() && b.order().equals(r.order()) && b.seed().equals(r.seed())) {
                        double x = value(r, PAIRED_INDEX[paired]) - value(b, PAIRED_INDEX[paired]);
                        if (Double.isFinite(x)) {
                            d.add(x);
                        }
                    }
                }
            }
            return Paired.of(d);
        }
    }

    /** Metric index 0..2 AP/FWT/BWT, 3 forgetting, 4 the first task's final score. */
    static double value(Run r, int metric) {
        return metric < 3 ? r.values()[metric] : metric == 3 ? r.forgetting() : r.firstTask();
    }

    /** The paired comparisons: their CSV prefixes, labels and metric indices. */
    static final List<String> PAIRED = List.of("ap", "bwt", "first_task");
    static final List<String> PAIRED_LABEL = List.of("ΔAP", "ΔBWT", "Δ first task (final)");
    static final int[] PAIRED_INDEX = {0, 2, 4};
    /** The baseline every method is paired with. */
    static final String BASELINE = "seqlora";

    /** All methods, no-replay ones first as in the paper, otherwise in the order given. */
    record Table(List<Method> methods, List<String> orders) {

        static Table of(List<Entry> entries) {
            Map<String, Method> byName = new LinkedHashMap<>();
            List<String> orders = new ArrayList<>();
            for (Entry e : entries) {
                Method m = byName.computeIfAbsent(e.method(), k -> new Method(k, e.usesReplay(), new LinkedHashMap<>()));
                List<Run> runs = m.byOrder().computeIfAbsent(e.order(), k -> new ArrayList<>());
                for (Path dir : e.runDirs()) {
                    runs.add(Run.read(e, runs.size(), dir));
                }
                if (!orders.contains(e.order())) {
                    orders.add(e.order());
                }
            }
            List<Method> methods = new ArrayList<>(byName.values());
            methods.sort(Comparator.comparing(Method::replay)); // stable: keeps the given order within each block
            return new Table(methods, orders);
        }

        boolean severalOrders() {
            return orders.size() > 1;
        }

        Method baseline() {
            return methods.stream().filter(m -> m.name().equals(BASELINE)).findFirst().orElse(null);
        }

        /** The comparison of {@code m} with the baseline, or no pairs when there is none or it is the baseline. */
        Paired paired(Method m, int paired, String order) {
            Method base = baseline();
            return base == null || base == m ? Paired.NONE : m.against(base, paired, order);
        }

        List<Run> incomplete() {
            return methods.stream().flatMap(m -> m.runs().stream()).filter(r -> !r.complete()).toList();
        }

        // ---- CSV ---------------------------------------------------------------------------------------------

        /** One row per method × order × seed, then per method × order a "mean" row, then per method order "all". */
        String csv() {
            StringBuilder b = new StringBuilder("method,replay,order,seed,run,status,n,ap,ap_std,fwt,fwt_std,bwt,bwt_std,"
                    + "forgetting,forgetting_std,first_task,first_task_std,pairs");
            for (String p : PAIRED) {
                b.append(',').append(p).append("_diff,").append(p).append("_ci95_low,").append(p).append("_ci95_high,")
                        .append(p).append("_p_value");
            }
            b.append('\n');
            for (Method m : methods) {
                for (Map.Entry<String, List<Run>> o : m.byOrder().entrySet()) {
                    for (Run r : o.getValue()) {
                        b.append(Csv.field(m.name())).append(',').append(m.replay() ? "yes" : "no").append(',')
                                .append(Csv.field(o.getKey())).append(',').append(Csv.field(r.seed())).append(',')
                                .append(Csv.field(r.dir().toString())).append(',')
                                .append(Csv.field(r.complete() ? "complete" : "incomplete: " + r.problem())).append(',')
                                .append(r.complete() ? "1" : "0");
                        for (int k = 0; k < 5; k++) {
                            b.append(',').append(num(value(r, k))).append(',');
                        }
                        b.append(",".repeat(1 + PAIRED.size() * 4)).append('\n'); // pairs and the comparison: mean rows only
                    }
                    meanRow(b, m, o.getKey(), k -> m.order(o.getKey(), k), o.getValue(), k -> paired(m, k, o.getKey()));
                }
                meanRow(b, m, "all", m::overall, m.runs(), k -> paired(m, k, null));
            }
            return b.toString();
        }

        private void meanRow(StringBuilder b, Method m, String order, java.util.function.IntFunction<Stat> stat, List<Run> runs,
                             java.util.function.IntFunction<Paired> paired) {
            long complete = runs.stream().filter(Run::complete).count();
            b.append(Csv.field(m.name())).append(',').append(m.replay() ? "yes" : "no").append(',').append(Csv.field(order))
                    .append(",mean,,").append(complete).append(" of ").append(runs.size()).append(" complete,").append(complete);
            for (int k = 0; k < 5; k++) {
                Stat s = stat.apply(k);
                b.append(',').append(num(s.mean())).append(',').append(num(s.std()));
            }
            b.append(',').append(paired.apply(0).n() == 0 ? "" : String.valueOf(paired.apply(0).n()));
            for (int k = 0; k < PAIRED.size(); k++) {
                Paired p = paired.apply(k);
                b.append(',').append(num(p.diff())).append(',').append(num(p.ciLow())).append(',').append(num(p.ciHigh()))
                        .append(',').append(num(p.pValue()));
            }
            b.append('\n');
        }

        /** Up to 6 decimals, no float noise; empty for NaN. */
        private static String num(double v) {
            if (!Double.isFinite(v)) {
                return "";
            }
            return BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
        }

        // ---- Markdown ------------------------------------------------------------------------------------------

        String markdown(Path outDir) {
            StringBuilder b = new StringBuilder("# Method comparison\n\n");
            b.append(severalOrders()
                    ? "AP, FWT and BWT (percent), mean over the task orders " + String.join(", ", orders) + " ± sample std over all runs.\n\n"
                    : "AP, FWT and BWT (percent), mean ± sample std over seeds.\n\n");
            b.append("| method | replay | AP | FWT | BWT | first task (final) | runs |\n|---|:---:|---:|---:|---:|---:|---:|\n");
            for (Method m : methods) {
                b.append("| ").append(md(m.name() + referenceMark(m))).append(" | ").append(m.replay() ? "✓" : "✗");
                for (int k : new int[]{0, 1, 2, 4}) {
                    b.append(" | ").append(cellText(m, k, m.overall(k)));
                }
                b.append(" | ").append(m.complete()).append('/').append(m.runs().size()).append(" |\n");
            }
            if (methods.stream().anyMatch(m -> m.reference() != null)) {
                b.append("\n").append(REFERENCE_NOTE).append('\n');
            }
            appendPairedMarkdown(b);
            if (severalOrders()) {
                b.append("\n## Per order\n\n| method | order | AP | FWT | BWT | runs |\n|---|---|---:|---:|---:|---:|\n");
                for (Method m : methods) {
                    for (Map.Entry<String, List<Run>> o : m.byOrder().entrySet()) {
                        b.append("| ").append(md(m.name())).append(" | ").append(md(o.getKey()));
                        for (int k = 0; k < 3; k++) {
                            b.append(" | ").append(m.order(o.getKey(), k).text());
                        }
                        b.append(" | ").append(o.getValue().stream().filter(Run::complete).count()).append('/')
                                .append(o.getValue().size()).append(" |\n");
                    }
                }
            }
            b.append("\n## Per run\n\n| method | order | seed | AP | FWT | BWT | forgetting | status | report |\n"
                    + "|---|---|---|---:|---:|---:|---:|---|---|\n");
            for (Method m : methods) {
                for (Run r : m.runs()) {
                    b.append("| ").append(md(m.name())).append(" | ").append(md(r.order())).append(" | ").append(md(r.seed()));
                    for (int k = 0; k < 3; k++) {
                        b.append(" | ").append(Html.fmt(r.values()[k]));
                    }
                    b.append(" | ").append(Html.fmt(r.forgetting())).append(" | ")
                            .append(r.complete() ? "complete" : md("incomplete: " + r.problem())).append(" | ")
                            .append(hasReport(r) ? "[report](" + Html.relativeUrl(outDir, r.dir().resolve(RunReport.FILE)) + ")" : Html.NONE)
                            .append(" |\n");
                }
            }
            appendIncompleteMarkdown(b);
            b.append("\n").append(NOTE).append('\n');
            return b.toString();
        }

        private void appendPairedMarkdown(StringBuilder b) {
            if (baseline() == null || methods.size() < 2) {
                return;
            }
            b.append("\n## Paired comparison with ").append(BASELINE).append("\n\n").append(PAIRED_NOTE).append("\n\n| method | pairs");
            PAIRED_LABEL.forEach(l -> b.append(" | ").append(l).append(" [95 % CI] p"));
            b.append(" |\n|---|---:|---:|---:|---:|\n");
            for (Method m : methods) {
                if (m == baseline()) {
                    continue;
                }
                b.append("| ").append(md(m.name() + referenceMark(m))).append(" | ").append(paired(m, 0, null).n());
                for (int k = 0; k < PAIRED.size(); k++) {
                    b.append(" | ").append(k == 1 && m.reference() != null ? NOT_DEFINED : paired(m, k, null).text());
                }
                b.append(" |\n");
            }
        }

        private static String referenceMark(Method m) {
            return m.reference() == null ? "" : " (reference: " + m.reference() + ")";
        }

        /** A statistic's text, or "n/d" for FWT/BWT of a reference row. */
        private static String cellText(Method m, int metric, Stat s) {
            return m.reference() != null && (metric == 1 || metric == 2) ? NOT_DEFINED : s.text();
        }

        private void appendIncompleteMarkdown(StringBuilder b) {
            List<Run> bad = incomplete();
            if (bad.isEmpty()) {
                return;
            }
            b.append("\n## Incomplete runs (not in the means)\n\n");
            for (Run r : bad) {
                b.append("* ").append(md(r.method())).append(", order ").append(md(r.order())).append(", seed ").append(md(r.seed()))
                        .append(": ").append(md(r.problem())).append(" (`").append(r.dir()).append("`)\n");
            }
        }

        private static String md(String s) {
            return s.isEmpty() ? Html.NONE : s.replace("|", "\\|").replace("\n", " ");
        }

        // ---- HTML ------------------------------------------------------------------------------------------------

        String html(Path outDir) {
            StringBuilder b = new StringBuilder("<h1>Method comparison</h1>\n");
            b.append("<p>").append(severalOrders()
                    ? "AP, FWT and BWT (percent), mean over the task orders " + esc(String.join(", ", orders)) + " ± sample std over all runs."
                    : "AP, FWT and BWT (percent), mean ± sample std over seeds.").append("</p>\n");
            b.append("<table>\n<tr><th>method</th><th>replay</th><th>AP</th><th>FWT</th><th>BWT</th><th>first task (final)</th><th>runs</th></tr>\n");
            for (Method m : methods) {
                b.append("<tr><td>").append(esc(m.name() + referenceMark(m))).append("</td><td style=\"text-align:center\">")
                        .append(m.replay() ? "✓" : "✗").append("</td>");
                for (int k : new int[]{0, 1, 2, 4}) {
                    b.append(m.reference() != null && (k == 1 || k == 2) ? "<td class=\"na\">" + NOT_DEFINED + "</td>" : statCell(m.overall(k)));
                }
                b.append("<td class=\"n\">").append(m.complete()).append('/').append(m.runs().size()).append("</td></tr>\n");
            }
            b.append("</table>\n");
            if (methods.stream().anyMatch(m -> m.reference() != null)) {
                b.append("<p class=\"muted\">").append(esc(REFERENCE_NOTE)).append("</p>\n");
            }
            if (baseline() != null && methods.size() > 1) {
                b.append("<h2>Paired comparison with ").append(BASELINE).append("</h2>\n<p>").append(esc(PAIRED_NOTE))
                        .append("</p>\n<table>\n<tr><th>method</th><th>pairs</th>");
                PAIRED_LABEL.forEach(l -> b.append("<th>").append(esc(l)).append(" [95 % CI] p</th>"));
                b.append("</tr>\n");
                for (Method m : methods) {
                    if (m == baseline()) {
                        continue;
                    }
                    b.append("<tr><td>").append(esc(m.name() + referenceMark(m))).append("</td><td class=\"n\">")
                            .append(paired(m, 0, null).n()).append("</td>");
                    for (int k = 0; k < PAIRED.size(); k++) {
                        b.append("<td class=\"n\">").append(esc(k == 1 && m.reference() != null ? NOT_DEFINED : paired(m, k, null).text())).append("</td>");
                    }
                    b.append("</tr>\n");
                }
                b.append("</table>\n");
            }
            b.append(chart());
            if (severalOrders()) {
                b.append("<h2>Per order</h2>\n<table>\n<tr><th>method</th><th>order</th><th>AP</th><th>FWT</th><th>BWT</th><th>runs</th></tr>\n");
                for (Method m : methods) {
                    for (Map.Entry<String, List<Run>> o : m.byOrder().entrySet()) {
                        b.append("<tr><td>").append(esc(m.name())).append("</td><td>").append(esc(o.getKey())).append("</td>");
                        for (int k = 0; k < 3; k++) {
                            b.append(statCell(m.order(o.getKey(), k)));
                        }
                        b.append("<td class=\"n\">").append(o.getValue().stream().filter(Run::complete).count()).append('/')
                                .append(o.getValue().size()).append("</td></tr>\n");
                    }
                }
                b.append("</table>\n");
            }
            b.append("<h2>Per run</h2>\n<table>\n<tr><th>method</th><th>order</th><th>seed</th><th>AP</th><th>FWT</th>"
                    + "<th>BWT</th><th>forgetting</th><th>status</th><th>report</th></tr>\n");
            for (Method m : methods) {
                for (Run r : m.runs()) {
                    b.append("<tr><td>").append(esc(m.name())).append("</td><td>").append(esc(r.order())).append("</td><td>")
                            .append(esc(r.seed())).append("</td>");
                    for (int k = 0; k < 3; k++) {
                        b.append(Html.numCell(r.values()[k]));
                    }
                    b.append(Html.numCell(r.forgetting())).append("<td").append(r.complete() ? ">complete" : " class=\"warn\">incomplete: " + esc(r.problem()))
                            .append("</td><td>");
                    b.append(hasReport(r)
                            ? "<a href=\"" + esc(Html.relativeUrl(outDir, r.dir().resolve(RunReport.FILE))) + "\">report</a>"
                            : "<span class=\"muted\">" + Html.NONE + "</span>");
                    b.append("</td></tr>\n");
                }
            }
            b.append("</table>\n");
            List<Run> bad = incomplete();
            if (!bad.isEmpty()) {
                b.append("<h2>Incomplete runs (not in the means)</h2>\n<ul>\n");
                for (Run r : bad) {
                    b.append("<li>").append(esc(r.method())).append(", order ").append(esc(r.order().isEmpty() ? Html.NONE : r.order()))
                            .append(", seed ").append(esc(r.seed())).append(": ").append(esc(r.problem()))
                            .append(" <code>").append(esc(r.dir().toString())).append("</code></li>\n");
                }
                b.append("</ul>\n");
            }
            b.append("<p class=\"muted\">").append(esc(NOTE)).append("</p>\n");
            return Html.page("kif4j method comparison", b.toString());
        }

        private static String statCell(Stat s) {
            return s.n() == 0 ? "<td class=\"na\">" + Html.NONE + "</td>" : "<td class=\"n\">" + s.text() + "</td>";
        }

        private String chart() {
            try {
                List<String> names = methods.stream().map(Method::name).toList();
                double[][] mean = new double[methods.size()][3];
                double[][] std = new double[methods.size()][3];
                for (int i = 0; i < methods.size(); i++) {
                    for (int k = 0; k < 3; k++) {
                        Stat s = methods.get(i).overall(k);
                        mean[i][k] = s.mean();
                        std[i][k] = s.std();
                    }
                }
                BufferedImage img = Charts.bars("AP, FWT and BWT per method (error bars: ± std)", "percent", names, METRICS, mean, std);
                return "<div class=\"figs\">" + Html.img(Charts.dataUri(img), "AP, FWT and BWT per method") + "</div>\n";
            } catch (RuntimeException | AWTError | LinkageError | InternalError e) {
                return "<p class=\"warn\">Could not draw the chart: " + esc(String.valueOf(e.getMessage())) + "</p>\n";
            }
        }

        private static boolean hasReport(Run r) {
            return Files.isRegularFile(r.dir().resolve(RunReport.FILE));
        }
    }

    static final String NOT_DEFINED = "n/d";

    private static final String REFERENCE_NOTE = "Reference rows: mtl (joint) trains once on every task's data and is "
            + "scored once on every task; single trains a fresh adapter per task and scores it on that task only (AP = "
            + "mean of those). Neither has a task sequence, so FWT and BWT are not defined (n/d).";

    private static final String PAIRED_NOTE = "Per method, the differences to " + BASELINE + " over runs with the "
            + "same order and seed: mean difference, 95 % Student-t interval and two-sided paired t-test p-value "
            + "(Apache Commons Math). first task (final) = the first task's score after the last task (single: after "
            + "its own training). With few seeds, read the interval, not the p-value alone.";

    private static final String NOTE = "AP = (1/T) Σ_{i=1..T} a[T][i]; FWT = (1/(T−1)) Σ_{i=2..T} a[i−1][i]; "
            + "BWT = (1/(T−1)) Σ_{i=1..T−1} (a[T][i] − a[i][i]) (KIF, spec §1.3), recomputed from each run's accuracy matrix. "
            + "Per method and order: mean and sample std over seeds. Main table: mean of the per-order means, sample std "
            + "over all complete runs. Incomplete runs count in no mean.";
}
