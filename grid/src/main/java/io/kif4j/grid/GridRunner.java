package io.kif4j.grid;

import io.kif4j.continual.RunLock;
import io.kif4j.continual.report.CompareReport;
import io.kif4j.continual.report.RunReport;
import io.kif4j.weights.KifInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * Runs a comparison grid into one folder and writes compare.md/.csv/.html once every cell is complete. A cell is
 * complete when its run folder holds report.html (the runner writes it last); those are never run or written again,
 * so the same call after any stop (a killed driver, a lost executor) runs only the rest, and a cell stopped halfway
 * resumes after its last completed task. One driver per grid folder: a lock keeps a second one out.
 */
public final class GridRunner {

    /** Some cells did not complete after the executor's retries (the completed ones are kept). */
    public static final class CellsFailedException extends RuntimeException {
        public CellsFailedException(String message) {
            super(message);
        }
    }

    private final GridOptions options;
    private final Consumer<String> console;

    public GridRunner(GridOptions options, Consumer<String> console) {
        this.options = options;
        this.console = console;
    }

    /** Runs the grid's pending cells into {@code dir} and returns compare.html's path. */
    public Path run(GridSpec spec, Path dir) {
        prepare(dir);
        try (RunLock lock = lockGrid(dir)) {
            List<GridCell> pending = new ArrayList<>();
            for (GridCell cell : spec.cells()) {
                if (complete(dir, cell)) {
                    console.accept(cell.label() + ": done, skipped");
                } else {
                    pending.add(cell);
                }
            }
            if (!pending.isEmpty()) {
                GridProgress progress = new GridProgress(spec.cells().size(), spec.cells().size() - pending.size(), console);
                List<CellOutcome> outcomes = executor().execute(pending, dir, progress);
                console.accept(progress.line());
                failIfIncomplete(dir, outcomes);
            } else {
                console.accept("grid: all " + spec.cells().size() + " cells were already done; nothing to run");
            }
            Path html = CompareReport.write(dir, spec.entries(dir));
            console.accept(readQuietly(dir.resolve(CompareReport.MARKDOWN)));
            console.accept("comparison: " + html);
            return html;
        }
    }

    static boolean complete(Path dir, GridCell cell) {
        return Files.isRegularFile(dir.resolve(cell.dir()).resolve(RunReport.FILE));
    }

    private CellExecutor executor() {
        if (options.executor().equals("local")) {
            return new LocalCellExecutor(options.parallel(), options.launcher(), console);
        }
        List<String> known = new ArrayList<>(List.of("local"));
        for (CellExecutorProvider p : ServiceLoader.load(CellExecutorProvider.class)) {
            if (p.name().equals(options.executor())) {
                return p.create(options);
            }
            known.add(p.name());
        }
        if (options.executor().equals("spark")) {
            throw new IllegalArgumentException("--executor spark: the Spark executor (module grid-spark) is not on the "
                    + "class path; ./kif adds it when --executor spark is given (Java API: depend on kif4j-grid-spark)");
        }
        throw new IllegalArgumentException("--executor: expected one of " + String.join(", ", known) + " or spark, got "
                + options.executor());
    }

    /**
     * The grid folder must be writable; its parent must exist, so a mistyped or unmounted shared location fails here
     * instead of filling a local folder that the workers never see.
     */
    static void prepare(Path dir) {
        Path parent = dir.toAbsolutePath().normalize().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw KifInputException.of(dir, "--out: its parent folder " + parent
                    + " does not exist (is the shared location mounted?)");
        }
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw KifInputException.of(dir, "--out: not a folder");
        }
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw KifInputException.of(dir, "--out: cannot write into this folder (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static RunLock lockGrid(Path dir) {
        try {
            return RunLock.acquire(dir);
        } catch (KifInputException e) {
            throw KifInputException.of(dir, "another compare is running on this grid folder (one driver per grid; "
                    + "run the same command again once it has stopped)");
        }
    }

    private static void failIfIncomplete(Path dir, List<CellOutcome> outcomes) {
        List<CellOutcome> bad = outcomes.stream().filter(o -> o.status() != CellOutcome.Status.DONE).toList();
        if (bad.isEmpty()) {
            return;
        }
        CellOutcome first = bad.stream().filter(o -> o.status() == CellOutcome.Status.INVALID).findFirst().orElse(bad.get(0));
        String more = bad.size() > 1 ? " (and " + (bad.size() - 1) + " more cells; logs in " + dir.resolve("cell-logs") + ")" : "";
        String msg = "grid cell " + first.cell().label() + ": " + first.message() + more
                + "; the completed cells are kept, run the same command again to continue";
        if (first.status() == CellOutcome.Status.INVALID) {
            throw new KifInputException(msg);
        }
        throw new CellsFailedException(msg);
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
