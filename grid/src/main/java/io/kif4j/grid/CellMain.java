package io.kif4j.grid;

import io.kif4j.continual.ContinualRunner;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.RunLock;
import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.common.KifInputException;
import io.kif4j.report.RunReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The JVM of one grid cell: {@code CellMain RUN_DIR CONFIG_JSON} runs the cell's continual run into RUN_DIR, resuming
 * after its last completed task (the runner's own resume), exactly as {@code ./kif run --resume} would. Exit 0 when
 * the run is complete, {@link #EXIT_INVALID} for bad input (with one {@code kif: error:} line), 1 otherwise.
 */
public final class CellMain {

    private static final Logger LOG = LoggerFactory.getLogger(CellMain.class);

    /** Exit code for bad input: the same as ./kif's. */
    public static final int EXIT_INVALID = 2;

    /** System property: the launcher's pid; the cell halts when that process is gone. */
    static final String PARENT_PID = "kif.cell.parent";

    /** How long a cell waits for its run folder's lock: a killed attempt's JVM may still be halting. */
    static final long LOCK_WAIT_MS = 60_000;

    private CellMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("kif: error: usage: CellMain RUN_DIR CONFIG_JSON");
            System.exit(EXIT_INVALID);
        }
        watchParent();
        Path runDir = Path.of(args[0]);
        try {
            RunConfig config = new GridCell("", "", 0, args[1]).config();
            waitForLock(runDir);
            Path shared = Path.of(System.getProperty("kif.shared", "../shared"));
            new ContinualRunner(config, shared, System.out::println).withReporter(RunReport::write).run(runDir);
            System.exit(0);
        } catch (KifInputException | IllegalArgumentException e) {
            System.err.println("kif: error: " + e.getMessage());
            System.exit(EXIT_INVALID);
        } catch (UncheckedIOException | LoraTrainer.NonFiniteLossException e) {
            System.err.println("kif: error: " + e.getMessage());
            System.exit(1);
        } catch (RuntimeException | Error e) {
            LOG.error("grid cell failed", e);
            e.printStackTrace();
            System.err.println("kif: internal error: " + e);
            System.exit(1);
        }
    }

    /** A cell outlives no launcher: with its executor killed, it halts, as the executor did, and a retry resumes it. */
    private static void watchParent() {
        String pid = System.getProperty(PARENT_PID);
        if (pid == null) {
            return;
        }
        Optional<ProcessHandle> parent = ProcessHandle.of(Long.parseLong(pid));
        Thread t = new Thread(() -> {
            while (parent.map(ProcessHandle::isAlive).orElse(false)) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
            }
            Runtime.getRuntime().halt(137);
        }, "kif-cell-parent-watch");
        t.setDaemon(true);
        t.start();
    }

    private static void waitForLock(Path runDir) {
        long deadline = System.currentTimeMillis() + LOCK_WAIT_MS;
        while (true) {
            try {
                RunLock.acquire(runDir).close();
                return;
            } catch (KifInputException busy) {
                if (System.currentTimeMillis() > deadline) {
                    throw busy;
                }
                try {
                    Thread.sleep(500);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw busy;
                }
            }
        }
    }
}
