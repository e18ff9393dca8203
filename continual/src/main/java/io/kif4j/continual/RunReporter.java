package io.kif4j.continual;

import java.nio.file.Path;

/**
 * Writes the report of a finished run from its folder, as the last step of {@link ContinualRunner#run}. The report
 * module's {@code io.kif4j.report.RunReport::write} (report.html) is the one {@code ./kif run} uses; continual itself
 * writes no report, so a runner without a reporter leaves only the run's data files.
 */
@FunctionalInterface
public interface RunReporter {

    /** Writes the report of the run in {@code runDir}; returns its main file, which the runner prints. */
    Path write(Path runDir);
}
