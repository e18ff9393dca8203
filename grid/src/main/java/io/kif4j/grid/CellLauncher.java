package io.kif4j.grid;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one cell in a child JVM ({@link CellMain}): ND4J's off-heap memory and native thread pools then belong to that
 * cell alone, a native crash takes down one cell, and the process that launched it (a Spark executor, or the local
 * executor's driver) never loads ND4J. The child watches its launcher and halts when it dies, so a killed executor
 * leaves no orphan holding the run folder's lock.
 *
 * @param javaOptions JVM options of the child (heap and off-heap limits)
 * @param threads     the cell's thread budget (ND4J loops and BLAS; Spark's {@code spark.task.cpus})
 * @param shared      the reference folder (../shared: built-in model and data) as the worker sees it
 * @param kifHome     the kif4j checkout (provenance: git commit), or null
 * @param classpath   the child's class path; null: the launching JVM's own
 */
public record CellLauncher(List<String> javaOptions, int threads, String shared, String kifHome, String classpath)
        implements Serializable {

    /** The JVM limits ./kif gives a run: 3 GB heap, ND4J off-heap bounded. */
    public static final List<String> DEFAULT_JAVA_OPTIONS = List.of("-Xmx3g",
            "-Dorg.bytedeco.javacpp.maxbytes=12G", "-Dorg.bytedeco.javacpp.maxphysicalbytes=18G");

    public CellLauncher {
        javaOptions = List.copyOf(javaOptions);
        if (threads < 1) {
            throw new IllegalArgumentException("threads per cell must be at least 1, got " + threads);
        }
    }

    /** The log file of a cell below the grid folder; every attempt appends to it. */
    public static Path logFile(Path gridDir, GridCell cell) {
        return gridDir.resolve("cell-logs").resolve(cell.dir().replace('/', '_') + ".log");
    }

    /** Runs the cell to the end of its run (resuming after its last completed task) and says how it ended. */
    public CellOutcome run(GridCell cell, Path gridDir) throws InterruptedException {
        long t0 = System.nanoTime();
        Path log = logFile(gridDir, cell);
        Process p;
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(command(cell, gridDir.resolve(cell.dir())))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("OMP_NUM_THREADS", Integer.toString(threads));
            pb.environment().remove("KIF_OMP_FROM_LAUNCHER");
            pb.environment().remove("KIF_CRASH_AT");
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the JVM of grid cell " + cell.label(), e);
        }
        int exit;
        try {
            exit = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly(); // the task was cancelled: the cell resumes from its last completed task next time
            throw e;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return switch (exit) {
            case 0 -> new CellOutcome(cell, CellOutcome.Status.DONE, "", seconds);
            case CellMain.EXIT_INVALID -> new CellOutcome(cell, CellOutcome.Status.INVALID, lastError(log), seconds);
            default -> new CellOutcome(cell, CellOutcome.Status.FAILED,
                    "exit " + exit + ": " + lastError(log) + " (log: " + log + ")", seconds);
        };
    }

    List<String> command(GridCell cell, Path runDir) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()) {
            cmd.add("--add-modules=jdk.incubator.vector"); // the lean decoder's product kernel, as in this JVM
        }
        cmd.addAll(javaOptions);
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dkif.threads=" + threads);
        cmd.add("-Dkif.shared=" + shared);
        if (kifHome != null) {
            cmd.add("-Dkif.home=" + kifHome);
        }
        cmd.add("-D" + CellMain.PARENT_PID + "=" + ProcessHandle.current().pid());
        cmd.add("-Dkif.cell=" + cell.dir()); // which cell a JVM runs, for ps (before the long class path)
        cmd.add("-cp");
        cmd.add(classpath != null ? classpath : System.getProperty("java.class.path"));
        cmd.add(CellMain.class.getName());
        cmd.add(runDir.toString());
        cmd.add(cell.configJson());
        return cmd;
    }

    /** The last {@code kif: error:} line of the log (what the child printed for the user), else its last line. */
    static String lastError(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            String last = "";
            for (String l : lines) {
                if (l.startsWith("kif: error: ") || l.startsWith("kif: internal error: ")) {
                    last = l.substring(l.indexOf(": ", 4) + 2);
                }
            }
            if (last.isEmpty() && !lines.isEmpty()) {
                last = lines.get(lines.size() - 1);
            }
            return last.isBlank() ? "no output" : last;
        } catch (IOException e) {
            return "no log (" + log + ")";
        }
    }

}
