package io.kif4j.grid;

import io.kif4j.continual.RunLock;
import io.kif4j.report.CompareReport;
import io.kif4j.report.RunReport;
import io.kif4j.common.KifInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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

    private static final Logger LOG = LoggerFactory.getLogger(GridRunner.class);

    private final GridOptions options;
    private final Consumer<String> console;

    public GridRunner(GridOptions options, Consumer<String> console) {
        this.options = options;
        this.console = console;
    }

    /** Runs the grid's pending cells into {@code dir} and returns compare.html's path. */
    public Path run(GridSpec spec, Path dir) {
        return run(spec, dir, null);
    }

    /**
     * As {@link #run(GridSpec, Path)} for a path, a file: URI or a Hadoop-FS URI (hdfs://, s3a://, …); for the
     * latter the driver works in a local mirror under ~/.kif4j/grids and the cells write to the URI.
     */
    public Path run(GridSpec spec, String location) {
        if (!GridLocation.isRemote(location)) {
            return run(spec, GridLocation.path(location), null);
        }
        if (options.executor().equals("local")) {
            throw new KifInputException(location + ": --out: a Hadoop-FS grid folder needs --executor spark "
                    + "(or mount it and give the mounted path)");
        }
        GridMirror mirror = provider().mirror(location, options);
        Path local = Path.of(System.getProperty("user.home"), ".kif4j", "grids",
                location.replaceAll("[^A-Za-z0-9._-]+", "_"));
        try {
            Files.createDirectories(local.getParent());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot create the grid mirror " + local, e);
        }
        return run(spec, local, mirror);
    }

    private Path run(GridSpec spec, Path dir, GridMirror mirror) {
        prepare(dir);
        try (RunLock lock = lockGrid(dir); Lease lease = new Lease(mirror != null ? mirror.lock() : null)) {
            List<GridCell> pending = new ArrayList<>();
            for (GridCell cell : spec.cells()) {
                if (mirror != null ? mirror.complete(cell) : complete(dir, cell)) {
                    if (mirror != null && !complete(dir, cell)) {
                        mirror.pull(cell, dir);
                    }
                    console.accept(cell.label() + ": done, skipped");
                } else {
                    pending.add(cell);
                }
            }
            if (!pending.isEmpty()) {
                GridProgress progress = new GridProgress(spec.cells().size(), spec.cells().size() - pending.size(), console);
                List<CellOutcome> outcomes = executor().execute(pending,
                        mirror != null ? mirror.uri() : dir.toAbsolutePath().toString(), progress);
                console.accept(progress.line());
                failIfIncomplete(mirror != null ? mirror.uri() : dir.toString(), outcomes);
                if (mirror != null) {
                    pending.forEach(c -> mirror.pull(c, dir));
                }
            } else {
                console.accept("grid: all " + spec.cells().size() + " cells were already done; nothing to run");
            }
            Path html = CompareReport.write(dir, spec.entries(dir));
            if (mirror != null) {
                for (String f : List.of(CompareReport.CSV, CompareReport.MARKDOWN, CompareReport.HTML)) {
                    mirror.push(dir.resolve(f));
                }
            }
            console.accept(readQuietly(dir.resolve(CompareReport.MARKDOWN)));
            console.accept("comparison: " + (mirror != null ? mirror.uri() + "/" + CompareReport.HTML + " (local copy " + html + ")" : html));
            return html;
        }
    }

    /** The remote lease as a resource that closes without a checked exception. */
    private record Lease(AutoCloseable lease) implements AutoCloseable {
        @Override
        public void close() {
            if (lease != null) {
                try {
                    lease.close();
                } catch (Exception e) {
                    LOG.warn("could not release the grid lease: {}", e.toString());
                }
            }
        }
    }

    static boolean complete(Path dir, GridCell cell) {
        return Files.isRegularFile(dir.resolve(cell.dir()).resolve(RunReport.FILE));
    }

    private CellExecutor executor() {
        if (options.executor().equals("local")) {
            return new LocalCellExecutor(options.parallel(), options.launcher(), console);
        }
        return provider().create(options);
    }

    private CellExecutorProvider provider() {
        List<String> known = new ArrayList<>(List.of("local"));
        for (CellExecutorProvider p : ServiceLoader.load(CellExecutorProvider.class)) {
            if (p.name().equals(options.executor())) {
                return p;
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

    private static void failIfIncomplete(String grid, List<CellOutcome> outcomes) {
        List<CellOutcome> bad = outcomes.stream().filter(o -> o.status() != CellOutcome.Status.DONE).toList();
        if (bad.isEmpty()) {
            return;
        }
        CellOutcome first = bad.stream().filter(o -> o.status() == CellOutcome.Status.INVALID).findFirst().orElse(bad.get(0));
        String more = bad.size() > 1 ? " (and " + (bad.size() - 1) + " more cells; logs in " + grid + "/cell-logs)" : "";
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
