package io.kif4j.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompareReportTest {

    static final double EPS = 1e-6;
    static final List<String> TASKS = List.of("dbpedia", "amazon");

    @TempDir
    Path tmp;

    /**
     * Two tasks, so AP = (a21 + a22)/2, FWT = a12, BWT = a21 − a11.
     * Method A seeds: AP 80, 82, 84; FWT 10, 12, 14; BWT −10, −6, −11.
     * Method B seeds: AP 60, 65, 70; FWT 5, 5, 8; BWT −1, −2, 0.
     */
    static final Double[][][] A = {
            {{80.0, 10.0}, {70.0, 90.0}},
            {{82.0, 12.0}, {76.0, 88.0}},
            {{84.0, 14.0}, {73.0, 95.0}}};
    static final Double[][][] B = {
            {{60.0, 5.0}, {59.0, 61.0}},
            {{66.0, 5.0}, {64.0, 66.0}},
            {{70.0, 8.0}, {70.0, 70.0}}};

    List<Path> runs(String method, Double[][][] matrices, int firstSeed) {
        List<Path> dirs = new ArrayList<>();
        for (int s = 0; s < matrices.length; s++) {
            int seed = firstSeed + s;
            dirs.add(SyntheticRun.write(tmp.resolve("runs/" + method + "-" + seed), method, seed, TASKS, matrices[s], 2, SyntheticRun.Units.NONE));
        }
        return dirs;
    }

    /** compare.csv as maps, one per row. */
    static List<Map<String, String>> csv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<String> header = Csv.parse(lines.get(0));
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> f = Csv.parse(line);
            assertEquals(header.size(), f.size(), line);
            Map<String, String> row = new java.util.LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), f.get(i));
            }
            out.add(row);
        }
        return out;
    }

    static Map<String, String> row(List<Map<String, String>> rows, String method, String order, String seed) {
        return rows.stream().filter(r -> r.get("method").equals(method) && r.get("order").equals(order) && r.get("seed").equals(seed))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + method + "/" + order + "/" + seed));
    }

    static double d(Map<String, String> row, String col) {
        return Double.parseDouble(row.get(col));
    }

    @Test
    void twoMethodsThreeSeedsMeanAndSampleStd() throws IOException {
        List<Path> a = runs("kiflora", A, 1);
        List<Path> b = runs("replay", B, 1);
        a.forEach(RunReport::write); // so the comparison links to them
        Path out = tmp.resolve("cmp");
        Path html = CompareReport.write(out, List.of(
                new CompareReport.Entry("Replay", true, "1", b),
                new CompareReport.Entry("KIFLoRA", false, "1", a)));
        assertEquals(out.resolve("compare.html"), html);
        assertTrue(SyntheticRun.tempFiles(tmp).isEmpty(), "no temp files left");

        // Hand-computed: mean and sample std (n − 1).
        double sdBwtA = Math.sqrt((1 + 9 + 4) / 2.0);  // BWT −10, −6, −11: mean −9
        double sdFwtB = Math.sqrt((1 + 1 + 4) / 2.0);  // FWT 5, 5, 8: mean 6
        List<Map<String, String>> rows = csv(out.resolve("compare.csv"));
        assertEquals(2 * (3 + 2), rows.size(), "per method: 3 seeds, the order's mean, the overall mean");
        Map<String, String> ka = row(rows, "KIFLoRA", "all", "mean");
        assertEquals(82, d(ka, "ap"), EPS);
        assertEquals(2, d(ka, "ap_std"), EPS);
        assertEquals(12, d(ka, "fwt"), EPS);
        assertEquals(2, d(ka, "fwt_std"), EPS);
        assertEquals(-9, d(ka, "bwt"), EPS);
        assertEquals(sdBwtA, d(ka, "bwt_std"), EPS);
        assertEquals("3", ka.get("n"));
        Map<String, String> rb = row(rows, "Replay", "1", "mean");
        assertEquals(65, d(rb, "ap"), EPS);
        assertEquals(5, d(rb, "ap_std"), EPS);
        assertEquals(6, d(rb, "fwt"), EPS);
        assertEquals(sdFwtB, d(rb, "fwt_std"), EPS);
        assertEquals(-1, d(rb, "bwt"), EPS);
        assertEquals(1, d(rb, "bwt_std"), EPS);
        Map<String, String> seed2 = row(rows, "KIFLoRA", "1", "2");
        assertEquals(82, d(seed2, "ap"), EPS);
        assertEquals(-6, d(seed2, "bwt"), EPS);
        assertEquals("complete", seed2.get("status"));
        assertEquals("yes", rb.get("replay"));
        assertEquals("KIFLoRA", rows.get(0).get("method"), "no-replay methods first, as in Table I");

        String md = Files.readString(out.resolve("compare.md"));
        // first task (final) = a[2][1]: A 70, 76, 73; B 59, 64, 70
        assertTrue(md.contains("| KIFLoRA | ✗ | 82.00 ± 2.00 | 12.00 ± 2.00 | -9.00 ± 2.65 | 73.00 ± 3.00 | 3/3 |"), md);
        assertTrue(md.contains("| Replay | ✓ | 65.00 ± 5.00 | 6.00 ± 1.73 | -1.00 ± 1.00 | 64.33 ± 5.51 | 3/3 |"), md);
        assertFalse(md.contains("Paired comparison"), "no seqlora, no paired comparison");
        assertTrue(md.indexOf("| KIFLoRA | ✗") < md.indexOf("| Replay | ✓"));
        assertTrue(md.contains("| KIFLoRA | 1 | 3 | 84.00 | 14.00 | -11.00 |"), "per-seed values");
        assertFalse(md.contains("Per order"), "one order: no per-order table");
        assertFalse(md.contains("incomplete"));

        String page = Files.readString(html);
        RunReportTest.assertSelfContained(page);
        assertTrue(page.contains("<td class=\"n\">82.00 ± 2.00</td>"));
        List<BufferedImage> imgs = RunReportTest.images(page);
        assertEquals(1, imgs.size(), "the bar chart");
        assertTrue(imgs.get(0).getWidth() >= 400 && imgs.get(0).getHeight() >= 300);
        // Relative links to the reports that exist, and they resolve.
        List<String> hrefs = hrefs(page);
        assertEquals(3, hrefs.size(), hrefs.toString());
        for (String h : hrefs) {
            assertTrue(h.startsWith("../runs/kiflora-") && h.endsWith("/report.html"), h);
            assertTrue(Files.isRegularFile(out.resolve(h)), h);
        }
    }

    /**
     * Paired comparison with seqlora over three seeds, by hand. Two tasks: AP = (a21 + a22)/2, BWT = a21 − a11,
     * first task (final) = a21.
     * seqlora: AP 40, 41, 40; BWT −30, −28, −30; first 20, 24, 18.
     * kiflora: AP 44, 43, 45; BWT −20, −24, −17; first 30, 29, 30.
     * Differences: AP 4, 2, 5; BWT 10, 4, 13; first 10, 5, 12.
     */
    static final Double[][][] SEQ = {
            {{50.0, 10.0}, {20.0, 60.0}},
            {{52.0, 12.0}, {24.0, 58.0}},
            {{48.0, 11.0}, {18.0, 62.0}}};
    static final Double[][][] KIF = {
            {{50.0, 10.0}, {30.0, 58.0}},
            {{53.0, 12.0}, {29.0, 57.0}},
            {{47.0, 11.0}, {30.0, 60.0}}};
    /** mtl: only the final row (AP 53, 54, 55; first 45, 46, 47); single: only the diagonal (AP 59, 60, 61; first 55, 56, 57). */
    static final Double[][][] MTL = {
            {{null, null}, {45.0, 61.0}},
            {{null, null}, {46.0, 62.0}},
            {{null, null}, {47.0, 63.0}}};
    static final Double[][][] SINGLE = {
            {{55.0, null}, {null, 63.0}},
            {{56.0, null}, {null, 64.0}},
            {{57.0, null}, {null, 65.0}}};

    @Test
    void pairedComparisonWithSeqLoraAndReferenceRows() throws IOException {
        List<Path> mtl = runs("mtl", MTL, 42);
        List<Path> single = runs("single", SINGLE, 42);
        markReference(mtl, "joint");
        markReference(single, "single");
        Path out = tmp.resolve("paired");
        CompareReport.write(out, List.of(
                new CompareReport.Entry("seqlora", false, "1", runs("seqlora", SEQ, 42)),
                new CompareReport.Entry("kiflora", false, "1", runs("kiflora", KIF, 42)),
                new CompareReport.Entry("mtl", false, "1", mtl),
                new CompareReport.Entry("single", false, "1", single)));
        List<Map<String, String>> rows = csv(out.resolve("compare.csv"));
        for (String p : List.of("ap", "bwt", "first_task")) {
            for (String c : List.of("_diff", "_ci95_low", "_ci95_high", "_p_value")) {
                assertTrue(rows.get(0).containsKey(p + c), "column " + p + c);
            }
        }
        Map<String, String> k = row(rows, "kiflora", "all", "mean");
        assertEquals("3", k.get("pairs"));
        double t975 = 4.302652729911275; // Student t, 2 degrees of freedom, 0.975 quantile (tables)
        Map<String, double[]> diffs = Map.of("ap", new double[]{4, 2, 5}, "bwt", new double[]{10, 4, 13},
                "first_task", new double[]{10, 5, 12});
        for (var e : diffs.entrySet()) {
            double[] d = e.getValue();
            double mean = (d[0] + d[1] + d[2]) / 3;
            double sd = Math.sqrt(((d[0] - mean) * (d[0] - mean) + (d[1] - mean) * (d[1] - mean) + (d[2] - mean) * (d[2] - mean)) / 2);
            double se = sd / Math.sqrt(3);
            double t = mean / se;
            double p = 1 - t / Math.sqrt(2 + t * t); // two-sided, 2 df: F(t) = 1/2 + t / (2 √(2 + t²))
            assertEquals(mean, d(k, e.getKey() + "_diff"), EPS, e.getKey());
            assertEquals(mean - t975 * se, d(k, e.getKey() + "_ci95_low"), EPS, e.getKey());
            assertEquals(mean + t975 * se, d(k, e.getKey() + "_ci95_high"), EPS, e.getKey());
            assertEquals(p, d(k, e.getKey() + "_p_value"), EPS, e.getKey());
        }
        assertEquals(29.666667, d(k, "first_task"), EPS);
        Map<String, String> seq = row(rows, "seqlora", "all", "mean");
        assertEquals("", seq.get("ap_diff"), "the baseline is not compared with itself");
        assertEquals("", row(rows, "kiflora", "1", "43").get("ap_diff"), "per-run rows carry no comparison");

        Map<String, String> m = row(rows, "mtl", "all", "mean");
        assertEquals("3 of 3 complete", m.get("status"), "AP alone completes a reference run");
        assertEquals(54, d(m, "ap"), EPS);
        assertEquals("", m.get("bwt"));
        assertEquals("", m.get("fwt"));
        assertEquals("", m.get("bwt_diff"));
        assertEquals(46, d(m, "first_task"), EPS);
        assertEquals(54 - 40.333333, d(m, "ap_diff"), 1e-5);
        Map<String, String> s = row(rows, "single", "all", "mean");
        assertEquals(60, d(s, "ap"), EPS, "single: mean of the diagonal");
        assertEquals(56, d(s, "first_task"), EPS, "single: the first task after its own training");

        String md = Files.readString(out.resolve("compare.md"));
        assertTrue(md.contains("## Paired comparison with seqlora"), md);
        assertTrue(md.contains("| mtl (reference: joint) | ✗ | 54.00 ± 1.00 | n/d | n/d | 46.00 ± 1.00 | 3/3 |"), md);
        assertTrue(md.contains("| kiflora | 3 | +3.67 ["), md);
        assertTrue(md.contains("FWT and BWT are not defined"), md);
        String html = Files.readString(out.resolve("compare.html"));
        assertTrue(html.contains("Paired comparison with seqlora") && html.contains("n/d"));
    }

    private static void markReference(List<Path> runs, String kind) throws IOException {
        for (Path r : runs) {
            Path f = r.resolve("metrics.json");
            Files.writeString(f, Files.readString(f).replaceFirst("\\{", "{\"reference\": \"" + kind + "\", "));
        }
    }

    @Test
    void incompleteAndMissingRunsShowDashesAndAreListed() throws IOException {
        List<Path> a = runs("kif", new Double[][][]{A[0]}, 1);
        Path unfinished = SyntheticRun.write(tmp.resolve("runs/kif-2"), "kif", 2, TASKS,
                new Double[][]{{80.0, 10.0}, {null, null}}, 1, SyntheticRun.Units.NONE);
        Path noMetrics = SyntheticRun.write(tmp.resolve("runs/kif-3"), "kif", 3, TASKS, null, 1, SyntheticRun.Units.NONE);
        Path missing = tmp.resolve("runs/kif-4");
        Path out = tmp.resolve("cmp");
        CompareReport.write(out, List.of(
                new CompareReport.Entry("KIF", false, "1", List.of(a.get(0), unfinished, noMetrics, missing)),
                new CompareReport.Entry("Ghost", true, "1", List.of(tmp.resolve("runs/none")))));

        String md = Files.readString(out.resolve("compare.md"));
        assertTrue(md.contains("| KIF | ✗ | 80.00 | 10.00 | -10.00 | 70.00 | 1/4 |"), "one complete run: just the mean\n" + md);
        assertTrue(md.contains("| Ghost | ✓ | – | – | – | – | 0/1 |"), md);
        assertTrue(md.contains("| KIF | 1 | 2 | – | 10.00 | – | – | incomplete: unfinished: 1 of 2 tasks scored, no AP/BWT |"), md);
        assertTrue(md.contains("## Incomplete runs"));
        for (String s : List.of("no metrics.json", "run folder missing", "kif-4")) {
            assertTrue(md.contains(s), s);
        }
        String page = Files.readString(out.resolve("compare.html"));
        RunReportTest.assertSelfContained(page);
        assertTrue(page.contains("<h2>Incomplete runs (not in the means)</h2>"));
        assertTrue(page.contains("<td class=\"na\">–</td>"));
        assertEquals(0, hrefs(page).size(), "no report.html exists yet: no dead links");

        List<Map<String, String>> rows = csv(out.resolve("compare.csv"));
        Map<String, String> mean = row(rows, "KIF", "all", "mean");
        assertEquals(80, d(mean, "ap"), EPS);
        assertEquals("", mean.get("ap_std"), "std needs two runs");
        assertEquals("1 of 4 complete", mean.get("status"));
        assertEquals("", row(rows, "Ghost", "all", "mean").get("ap"));
    }

    @Test
    void severalOrdersAverageTheOrderMeans() throws IOException {
        List<Path> o1 = runs("o1", new Double[][][]{A[0], A[1]}, 1);  // AP 80, 82 → order mean 81
        List<Path> o2 = runs("o2", new Double[][][]{A[2]}, 1);          // AP 84 → order mean 84
        Path out = tmp.resolve("cmp");
        CompareReport.write(out, List.of(
                new CompareReport.Entry("KIF", false, "1", o1),
                new CompareReport.Entry("KIF", false, "2", o2)));
        List<Map<String, String>> rows = csv(out.resolve("compare.csv"));
        Map<String, String> all = row(rows, "KIF", "all", "mean");
        assertEquals((81 + 84) / 2.0, d(all, "ap"), EPS, "orders weigh equally");
        assertEquals(2, d(all, "ap_std"), EPS, "sample std over all three runs (80, 82, 84)");
        assertEquals("3", all.get("n"));
        assertEquals(81, d(row(rows, "KIF", "1", "mean"), "ap"), EPS);
        assertEquals(Math.sqrt(2), d(row(rows, "KIF", "1", "mean"), "ap_std"), EPS);
        assertEquals(84, d(row(rows, "KIF", "2", "mean"), "ap"), EPS);

        String md = Files.readString(out.resolve("compare.md"));
        assertTrue(md.contains("mean over the task orders 1, 2"));
        assertTrue(md.contains("| KIF | ✗ | 82.50 ± 2.00 |"), md);
        assertTrue(md.contains("## Per order"));
        assertTrue(md.contains("| KIF | 1 | 81.00 ± 1.41 |"), md);
        assertTrue(md.contains("| KIF | 2 | 84.00 |"), md);
        assertTrue(Files.readString(out.resolve("compare.html")).contains("<h2>Per order</h2>"));
    }

    @Test
    void rewritingReplacesTheFilesAtomically() throws IOException {
        Path out = tmp.resolve("cmp");
        List<CompareReport.Entry> entries = List.of(new CompareReport.Entry("KIF", false, "1", runs("k", new Double[][][]{A[0]}, 1)));
        CompareReport.write(out, entries);
        CompareReport.write(out, entries);
        try (var s = Files.list(out)) {
            assertEquals(List.of("compare.csv", "compare.html", "compare.md"),
                    s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList()));
        }
    }

    static List<String> hrefs(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("href=\"([^\"]*)\"").matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
