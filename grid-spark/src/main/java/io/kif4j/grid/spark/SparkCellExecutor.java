package io.kif4j.grid.spark;

import io.kif4j.grid.CellExecutor;
import io.kif4j.grid.CellLauncher;
import io.kif4j.grid.CellOutcome;
import io.kif4j.grid.GridCell;
import io.kif4j.grid.GridLocation;
import io.kif4j.grid.GridOptions;
import io.kif4j.grid.GridProgress;
import io.kif4j.common.KifInputException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a grid on Apache Spark: one task per cell (one partition per cell), each task starting the cell's own JVM
 * ({@link CellLauncher}) on its executor with {@code spark.task.cpus} threads. A task whose cell fails (its JVM died,
 * its executor was lost) is retried by Spark up to {@code spark.task.maxFailures} times; the retry resumes the cell
 * after its last completed task. Cells with bad input are not retried: they end as {@link CellOutcome.Status#INVALID}.
 */
public final class SparkCellExecutor implements CellExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(SparkCellExecutor.class);

    /** Spark's default; local mode gets it too (local[N] alone never retries). */
    static final int MAX_FAILURES = 4;

    /** How often the driver prints a progress line between events. */
    static final long TICK_MS = 15_000;

    private final GridOptions options;

    public SparkCellExecutor(GridOptions options) {
        this.options = options;
    }

    @Override
    public List<CellOutcome> execute(List<GridCell> cells, String grid, GridProgress progress) {
        SparkConf conf = conf(cells.size());
        checkReachable(conf.get("spark.master"));
        JavaSparkContext sc;
        try {
            sc = new JavaSparkContext(conf);
        } catch (RuntimeException e) {
            throw new KifInputException("--spark-master " + conf.get("spark.master") + ": Spark did not start: "
                    + firstLine(e.getMessage()));
        }
        try {
            sc.sc().addSparkListener(new ProgressListener(cells, progress));
            String ui = sc.sc().uiWebUrl().isDefined() ? sc.sc().uiWebUrl().get() : "";
            progress.ui(ui.isEmpty() ? "" : "Spark UI " + ui);
            progress.tick();
            JavaFutureAction<List<CellOutcome>> job = sc.parallelize(cells, cells.size())
                    .map(new CellTask(options.launcher(), grid, options.sparkConf())).collectAsync();
            while (true) {
                try {
                    return job.get(TICK_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException tick) {
                    progress.tick();
                } catch (ExecutionException e) {
                    return afterAbort(cells, grid, e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the grid ran", e);
        } finally {
            sc.stop();
        }
    }

    /** The job stopped (a cell failed maxFailures times): the completed cells stand, the others failed. */
    private List<CellOutcome> afterAbort(List<GridCell> cells, String grid, Throwable cause) {
        String why = firstLine(cause.getMessage());
        LOG.warn("the Spark job stopped: {}", why);
        List<CellOutcome> outcomes = new ArrayList<>();
        for (GridCell c : cells) {
            boolean done = GridLocation.isRemote(grid) ? new HadoopGridMirror(grid, options.sparkConf()).complete(c)
                    : Files.isRegularFile(Path.of(grid).resolve(c.dir()).resolve("report.html"));
            outcomes.add(new CellOutcome(c, done ? CellOutcome.Status.DONE : CellOutcome.Status.FAILED,
                    done ? "" : "not completed: the Spark job stopped (" + why + ")", 0));
        }
        return outcomes;
    }

    SparkConf conf(int cells) {
        String master = options.sparkMaster() != null ? options.sparkMaster() : "local[*]";
        SparkConf conf = new SparkConf()
                .setAppName("kif4j compare (" + cells + " cells)")
                .set("spark.task.cpus", Integer.toString(options.launcher().threads()))
                .set("spark.task.maxFailures", Integer.toString(MAX_FAILURES))
                // Workers start cells with the driver's class path: kif4j installed at the same path on every machine.
                .set("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .set("spark.ui.showConsoleProgress", "false");
        for (Map.Entry<String, String> e : options.sparkConf().entrySet()) {
            conf.set(e.getKey(), e.getValue());
        }
        conf.setMaster(withRetries(master, conf.getInt("spark.task.maxFailures", MAX_FAILURES)));
        return conf;
    }

    private static final Pattern LOCAL = Pattern.compile("local(?:\\[([^,\\]]+)])?");

    /** local and local[N] never retry a failed task; local[N,F] does, as a cluster would. */
    static String withRetries(String master, int maxFailures) {
        Matcher m = LOCAL.matcher(master.trim());
        if (!m.matches()) {
            return master;
        }
        return "local[" + (m.group(1) != null ? m.group(1) : "1") + "," + maxFailures + "]";
    }

    /** A standalone master that does not answer fails in seconds here, not after Spark's minute of retries. */
    static void checkReachable(String master) {
        if (!master.startsWith("spark://")) {
            return;
        }
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            URI u = URI.create("spark://" + hostPort);
            if (u.getHost() == null || u.getPort() < 0) {
                throw new KifInputException("--spark-master " + master + ": expected spark://HOST:PORT");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5_000);
                return;
            } catch (IOException e) {
                LOG.debug("master {} not reachable", hostPort, e);
            }
        }
        throw new KifInputException("--spark-master " + master + ": no Spark master answers there (is it running, "
                + "and is the address the one its log printed?)");
    }

    static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    /** The task: run one cell in its own JVM on the executor; a failed cell throws, so that Spark retries it. */
    record CellTask(CellLauncher launcher, String grid, Map<String, String> sparkConf)
            implements Function<GridCell, CellOutcome> {
        @Override
        public CellOutcome call(GridCell cell) throws Exception {
            CellOutcome o = GridLocation.isRemote(grid) ? StagedCell.run(launcher, cell, grid, sparkConf)
                    : launcher.run(cell, Path.of(grid));
            if (o.status() == CellOutcome.Status.FAILED) {
                throw new IllegalStateException("grid cell " + cell.label() + " failed: " + o.message());
            }
            return o;
        }
    }
}
