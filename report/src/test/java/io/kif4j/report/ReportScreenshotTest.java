package io.kif4j.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * report.html as a browser shows it: a headless Chromium screenshot, when Chromium is installed (RunReportTest
 * checks without a browser that every chart is embedded and decodes). The page must lay out its charts: the
 * screenshot holds the heatmap's colours, not only text.
 */
class ReportScreenshotTest {

    @TempDir
    Path tmp;

    @Test
    void chromiumShowsTheChartsOfTheReport() throws Exception {
        String chromium = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
        assumeTrue(chromium != null, "Chromium is not installed");
        Path run = SyntheticRun.write(tmp.resolve("kiflora-42"), "kiflora", 42, RunReportTest.TASKS, RunReportTest.FULL, 3,
                SyntheticRun.Units.T5_RANK_ONE);
        Path html = RunReport.write(run);
        assertEquals(8, RunReportTest.images(Files.readString(html)).size(), "matrix, loss, 2 × 3 importance charts");
        Path shot = tmp.resolve("shot.png");
        Process p = new ProcessBuilder(chromium, "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--hide-scrollbars",
                "--user-data-dir=" + tmp.resolve("profile"), "--window-size=1100,2400",
                "--screenshot=" + shot, html.toUri().toString())
                .redirectErrorStream(true).redirectOutput(tmp.resolve("chromium.log").toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "Chromium did not finish");
        BufferedImage img = ImageIO.read(shot.toFile());
        assertTrue(img != null && img.getWidth() == 1100, "a screenshot of the page");
        // The accuracy heatmap's warm cells (red well above blue) appear only if the embedded charts render.
        int warm = 0;
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                int rgb = img.getRGB(x, y);
                int r = rgb >> 16 & 0xFF, b = rgb & 0xFF;
                if (r - b > 80) {
                    warm++;
                }
            }
        }
        assertTrue(warm > 500, "coloured chart pixels in the screenshot: " + warm);
    }
}
