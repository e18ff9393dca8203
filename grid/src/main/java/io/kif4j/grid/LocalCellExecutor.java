package io.kif4j.grid;

import io.kif4j.continual.ContinualRunner;
import io.kif4j.report.RunReport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Runs the cells on this machine: with {@code parallel} 1 one after another in this JVM (what compare always did;
 * an error stops the grid as it stops a run), otherwise {@code parallel} cell JVMs at a time ({@link CellLauncher}).
 */
public final class LocalCellExecutor implements CellExecutor {

    private final int parallel;
    private final CellLauncher launcher;
    private final Consumer<String> console;

    public LocalCellExecutor(int parallel, CellLauncher launcher, Consumer<String> console) {
        this.parallel = parallel;
        this.launcher = launcher;
        this.console = console;
    }

    @Override
    public List<CellOutcome> execute(List<GridCell> cells, String grid, GridProgress progress) {
        Path gridDir = Path.of(grid);
        return parallel == 1 ? inProcess(cells, gridDir, progress) : processes(cells, gridDir, progress);
    }

    private List<CellOutcome> inProcess(List<GridCell> cells, Path gridDir, GridProgress progress) {
        List<CellOutcome> outcomes = new ArrayList<>();
        for (GridCell cell : cells) {
            long t0 = System.nanoTime();
            progress.started(cell.label(), 0);
            new ContinualRunner(cell.config(), Path.of(launcher.shared()), console).withReporter(RunReport::write)
                    .run(gridDir.resolve(cell.dir()));
            double s = (System.nanoTime() - t0) / 1e9;
            progress.ended(cell.label(), true, s, "");
            outcomes.add(new CellOutcome(cell, CellOutcome.Status.DONE, "", s));
        }
        return outcomes;
    }

    private List<CellOutcome> processes(List<GridCell> cells, Path gridDir, GridProgress progress) {
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        try {
            List<Future<CellOutcome>> futures = new ArrayList<>();
            for (GridCell cell : cells) {
                futures.add(pool.submit(() -> {
                    progress.started(cell.label(), 0);
                    CellOutcome o = launcher.run(cell, gridDir);
                    progress.ended(cell.label(), o.status() == CellOutcome.Status.DONE, o.seconds(), o.message());
                    return o;
                }));
            }
            List<CellOutcome> outcomes = new ArrayList<>();
            for (Future<CellOutcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the grid", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a grid cell could not be started: " + e.getCause().getMessage(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }
}
