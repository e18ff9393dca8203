package io.kif4j.report;

import io.kif4j.continual.metrics.AccuracyMatrix;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RunReportTest {

    static final List<String> TASKS = List.of("dbpedia", "amazon", "yahoo");
    static final Double[][] FULL = {
            {90.0, 12.5, 8.0},
            {80.0, 85.0, 20.25},
            {70.5, 75.0, 88.0}};

    @TempDir
    Path tmp;

    static final Pattern SRC_OR_HREF = Pattern.compile("(?i)\\b(src|href)\\s*=\\s*\"([^\"]*)\"");
    static final Pattern IMG_SRC = Pattern.compile("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"");

    /** Every PNG inlined in the page, decoded. */
    static List<BufferedImage> images(String html) throws IOException {
        List<BufferedImage> out = new ArrayList<>();
        Matcher m = IMG_SRC.matcher(html);
        while (m.find()) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(m.group(1))));
            assertTrue(img != null, "a PNG that ImageIO decodes");
            out.add(img);
        }
        return out;
    }

    /** No external resource: every src/href is a data URI (the run report has no links at all). */
    static void assertSelfContained(String html) {
        Matcher m = SRC_OR_HREF.matcher(html);
        while (m.find()) {
            String target = m.group(2);
            assertFalse(target.matches("(?i)^(https?:)?//.*"), "external resource " + target);
            if (m.group(1).equalsIgnoreCase("src")) {
                assertTrue(target.startsWith("data:image/png;base64,"), "src is not an inline PNG: " + target);
            }
        }
        assertFalse(html.contains("<link"), "no external style sheets");
        assertFalse(html.contains("<script"), "no scripts");
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }

    @Test
    void completeT5RunIsSelfContainedWithMetricsFromTheMatrix() throws IOException {
        Path run = SyntheticRun.write(tmp.resolve("kiflora-42"), "kiflora", 42, TASKS, FULL, 3, SyntheticRun.Units.T5_RANK_ONE);
        Path out = RunReport.write(run);
        assertEquals(run.resolve("report.html"), out);
        String html = Files.readString(out);
        assertSelfContained(html);
        assertTrue(SyntheticRun.tempFiles(tmp).isEmpty(), "no temp files left");

        // metrics.json says null: the report recomputes from the matrix.
        double[][] v = new double[3][3];
        for (int t = 0; t < 3; t++) {
            for (int i = 0; i < 3; i++) {
                v[t][i] = FULL[t][i];
            }
        }
        AccuracyMatrix m = AccuracyMatrix.of(TASKS, v);
        assertEquals((70.5 + 75 + 88) / 3, m.ap().getAsDouble(), 1e-12);
        assertEquals((12.5 + 20.25) / 2, m.fwt().getAsDouble(), 1e-12);
        assertEquals(((70.5 - 90) + (75 - 85)) / 2, m.bwt().getAsDouble(), 1e-12);
        for (String s : List.of(fmt(m.ap().getAsDouble()), fmt(m.fwt().getAsDouble()), fmt(m.bwt().getAsDouble()),
                fmt(m.forgetting().getAsDouble()))) {
            assertTrue(html.contains("<td class=\"n\">" + s + "</td>"), "metric value " + s);
        }
        assertTrue(html.contains("AP = (1/T) Σ_{i=1..T} a[T][i]"), "AP formula");
        assertTrue(html.contains("FWT = (1/(T−1)) Σ_{i=2..T} a[i−1][i]"), "FWT formula");
        assertTrue(html.contains("BWT = (1/(T−1)) Σ_{i=1..T−1} (a[T][i] − a[i][i])"), "BWT formula");
        assertTrue(html.contains("kiflora") && html.contains("seed 42") && html.contains("1. dbpedia → 2. amazon → 3. yahoo"));
        assertTrue(html.contains("<td class=\"k\">lora.rank</td><td class=\"v\">4</td>"), "config flattened");
        assertTrue(html.contains("<td class=\"k\">lora.targets</td><td class=\"v\">[&quot;q&quot;,&quot;v&quot;]</td>"));
        assertTrue(html.contains("1:06:41 h"), "total training time");

        // Matrix heatmap, loss curves, and per task a cumulative and a normalized importance heatmap.
        List<BufferedImage> imgs = images(html);
        assertEquals(1 + 1 + 2 * 3, imgs.size());
        for (BufferedImage img : imgs) {
            assertTrue(img.getWidth() >= 300 && img.getWidth() <= 2500, "width " + img.getWidth());
            assertTrue(img.getHeight() >= 150 && img.getHeight() <= 2500, "height " + img.getHeight());
        }
        assertEquals(SRC_OR_HREF.matcher(html).results().count(), imgs.size(), "nothing but the inline images is referenced");
    }

    @Test
    void t5HeatmapHasOneRowPerLayerAndKeepsStacksAndAttentionKindsApart() {
        List<ImportanceGrid.UnitScore> scores = ImportanceGrid.read(write("t5.csv", SyntheticRun.t5Scores(0)));
        List<ImportanceGrid.Panel> panels = ImportanceGrid.panels(scores, ImportanceGrid.Measure.CUMULATIVE);
        assertEquals(List.of("encoder.block", "decoder.block"), panels.stream().map(ImportanceGrid.Panel::stack).toList());
        assertEquals(List.of(0, 1), panels.get(0).layers());
        assertEquals(List.of(0, 1, 2), panels.get(1).layers());
        assertEquals(8, panels.get(0).columns().size());
        assertEquals(16, panels.get(1).columns().size());
        assertEquals(List.of("SelfAttention.q", "SelfAttention.v", "EncDecAttention.q", "EncDecAttention.v"),
                panels.get(1).columns().stream().map(ImportanceGrid.Column::kind).distinct().toList());
        assertEquals(List.of("0", "1", "2", "3"), panels.get(1).columns().subList(0, 4).stream().map(ImportanceGrid.Column::unit).toList());
        // decoder.block.2.layer.1.EncDecAttention.v|||3: raw = 0.01·3·4·1 + 0.02, cumulative = raw × 1.
        assertEquals(0.01 * 3 * 4 + 0.02, panels.get(1).values()[2][15], 1e-12);

        Charts.Panel hp = ImportanceGrid.toHeatmap(panels.get(1));
        assertEquals(List.of("0", "1", "2"), hp.rows());
        assertEquals(4, hp.groups().size());
        assertEquals(List.of("EncDecAttention.q", "cross.q"), hp.groups().get(2).labels());

        BufferedImage img = RunReport.importanceHeatmap(new RunFolder.TaskDir(1, "dbpedia", tmp), scores, ImportanceGrid.Measure.CUMULATIVE);
        assertTrue(img.getWidth() > 300 && img.getHeight() > 200);
    }

    @Test
    void llamaMatrixUnitsGiveOnePanelWithABColumns() {
        List<ImportanceGrid.Panel> panels = ImportanceGrid.panels(
                ImportanceGrid.read(write("llama.csv", SyntheticRun.llamaScores(1))), ImportanceGrid.Measure.NORMALIZED);
        assertEquals(1, panels.size());
        assertEquals("model.layers", panels.get(0).stack());
        assertEquals(List.of(0, 1, 2, 3), panels.get(0).layers());
        assertEquals(List.of("self_attn.q_proj/A", "self_attn.q_proj/B", "self_attn.v_proj/A", "self_attn.v_proj/B"),
                panels.get(0).columns().stream().map(c -> c.kind() + "/" + c.unit()).toList());
        assertEquals((0.4 + 0.05 + 1) / 4, panels.get(0).values()[3][3], 1e-12);
    }

    @Test
    void modulePathsParse() {
        assertEquals(new ImportanceGrid.Location("decoder.block", 11, 1, "EncDecAttention.v"),
                ImportanceGrid.locate("decoder.block.11.layer.1.EncDecAttention.v"));
        assertEquals(new ImportanceGrid.Location("model.layers", 3, 0, "self_attn.q_proj"),
                ImportanceGrid.locate("model.layers.3.self_attn.q_proj"));
        assertEquals(new ImportanceGrid.Location("(other)", -1, 0, "lm_head"), ImportanceGrid.locate("lm_head"));
        assertEquals("model.layers.3.self_attn.q_proj", ImportanceGrid.moduleOf("model.layers.3.self_attn.q_proj.lora_B.weight"));
        assertEquals("7", ImportanceGrid.unitOf("model.layers.3.self_attn.q_proj|||7"));
    }

    @Test
    void runInProgressWithoutUnitScoresShowsWhatExists() throws IOException {
        Double[][] partial = {
                {90.0, 12.5, null},
                {null, null, null},
                {null, null, null}};
        Path run = SyntheticRun.write(tmp.resolve("seqlora"), "seqlora", 7, TASKS, partial, 1, SyntheticRun.Units.NONE);
        Files.delete(run.resolve("config.json"));
        String html = Files.readString(RunReport.write(run));
        assertSelfContained(html);
        assertTrue(html.contains("1 of 3 tasks trained"), "status");
        assertTrue(html.contains("No unit_scores.csv in any task folder"));
        assertTrue(html.contains("<td class=\"na\">–</td>"), "unmeasured metrics as a dash");
        assertTrue(html.contains("<td class=\"k\">method</td><td class=\"v\">seqlora</td>"), "config from metrics.json");
        assertEquals(2, images(html).size(), "matrix heatmap and one loss curve");
        assertFalse(html.contains("class=\"warn\""), html);
    }

    @Test
    void runWithOnlyTaskFoldersAndBrokenFilesStillGetsAReport() throws IOException {
        Path run = SyntheticRun.write(tmp.resolve("broken"), "kif", 1, TASKS, null, 2, SyntheticRun.Units.LLAMA_MATRIX);
        Files.writeString(run.resolve("metrics.json"), "{\"matrix\": [[1, 2,");                                  // torn
        Files.writeString(run.resolve("tasks/02-amazon/unit_scores.csv"), "unit,score\nx,1\n");             // wrong header
        Files.writeString(run.resolve("tasks/01-dbpedia/train_loss.csv"), "step,loss\n0,2.5\n10,2.0\n20,");  // torn last line
        String html = Files.readString(RunReport.write(run));
        assertSelfContained(html);
        assertTrue(html.contains("metrics.json: "), "names the bad metrics.json");
        assertTrue(html.contains("no column &quot;raw&quot;"), "names the bad unit_scores.csv");
        assertTrue(html.contains("No accuracy matrix yet."));
        assertEquals(1 + 2, images(html).size(), "loss curves and task 1's two heatmaps");
    }

    @Test
    void notARunFolderIsAnInputError() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThrows(KifInputException.class, () -> RunReport.write(empty));
        assertThrows(KifInputException.class, () -> RunReport.write(tmp.resolve("missing")));
        assertFalse(Files.exists(empty.resolve("report.html")));
    }

    @Test
    void htmlEscapesNamesFromFiles() throws IOException {
        Path run = SyntheticRun.write(tmp.resolve("esc"), "<b>x</b>", 1, List.of("a&b", "c"), new Double[][]{{1.0, 2.0}, {3.0, 4.0}}, 0,
                SyntheticRun.Units.NONE);
        String html = Files.readString(RunReport.write(run));
        assertFalse(html.contains("<b>x</b>"));
        assertTrue(html.contains("&lt;b&gt;x&lt;/b&gt;") && html.contains("a&amp;b"));
    }

    private Path write(String name, String text) {
        try {
            return Files.writeString(tmp.resolve(name), text);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
