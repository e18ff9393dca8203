package io.kif4j.cli;

import io.kif4j.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ./kif report DIR}: rebuilds {@code DIR/report.html} of a continual run folder (metrics with their
 * formulas, accuracy matrix, importance heatmaps, loss curves, config) and prints its path. A thin layer over
 * {@link RunReport}; works on runs still in progress. Exit code 0, or 2 when DIR is not a run folder.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Rebuild the self-contained report.html of a continual run folder and print its path.",
                "Shows what exists, so it also works on a run still in progress."})
public class ReportCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "DIR", description = "The run folder (with metrics.json, config.json, tasks/).")
    Path dir;

    @Override
    public Integer call() {
        // Charts are drawn off-screen; never let AWT look for a display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Path out = RunReport.write(dir); // not a run folder: KifInputException, Kif prints one line, exit 2
        PrintWriter w = spec.commandLine().getOut();
        w.println(out);
        w.flush();
        return 0;
    }
}
