package io.kif4j.grid.spark;

import io.kif4j.transformer.testing.Fixture;
import io.kif4j.common.Json;
import io.kif4j.lora.LoraAdapter;
import org.apache.spark.launcher.JavaModuleOptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spark standalone cluster on this machine, started from the Maven class path and bound to 127.0.0.1 only:
 * a master and two one-core workers. The six-cell grid runs through spark://127.0.0.1:PORT; in the middle of a cell
 * the executor JVM running it is killed with SIGKILL. Spark retries the task on a new executor, the cell resumes
 * after its last completed task, and the table equals the sequential run's, number for number, with every run
 * folder intact. The same command again recomputes nothing. Several minutes on a loaded 2-core machine:
 * {@code -Pspark-cluster} (which .ci/run runs).
 */
@Tag("spark-cluster")
class StandaloneClusterTest {

    @TempDir
    Path tmp;

    private final List<Process> started = new ArrayList<>();

    @Test
    void aKilledExecutorIsRetriedAndResumedAndTheTableEqualsTheSequentialOne() throws Exception {
        Path reference = SparkGrids.sequentialReference();
        try {
            String master = startCluster();
            Path grid = tmp.resolve("grid");
            Process driver = driver(master, grid, "driver-1.log");
            Optional<String> killed = killAnExecutorInTheMiddleOfACell(grid, driver);
            assertTrue(driver.waitFor(30, TimeUnit.MINUTES), "the driver did not finish");
            String log = Files.readString(tmp.resolve("driver-1.log"));
            assertEquals(0, driver.exitValue(), log);
            assertTrue(killed.isPresent(), "no executor was found running a cell: " + log);
            assertEquals(SparkGrids.table(reference), SparkGrids.table(grid), log);
            Matcher last = Pattern.compile("grid: 6/6 cells done \\(0 before\\), 0 running, (\\d+) failed, (\\d+) retried")
                    .matcher(log);
            assertTrue(last.find(), log);
            assertTrue(Integer.parseInt(last.group(2)) >= 1, "the killed cell was retried: " + log);
            assertTrue(log.contains("Spark UI http://"), log);
            try (Stream<Path> runs = Files.list(grid)) {
                for (Path method : runs.filter(p -> Files.isDirectory(p) && !p.endsWith("cell-logs")).toList()) {
                    try (Stream<Path> seeds = Files.walk(method, 2)) {
                        for (Path run : seeds.filter(p -> p.getFileName().toString().startsWith("seed-")).toList()) {
                            assertNothingCorrupt(run);
                        }
                    }
                }
            }

            Map<String, String> before = stamps(grid);
            Process again = driver(master, grid, "driver-2.log");
            assertTrue(again.waitFor(10, TimeUnit.MINUTES));
            String log2 = Files.readString(tmp.resolve("driver-2.log"));
            assertEquals(0, again.exitValue(), log2);
            assertTrue(log2.contains("all 6 cells were already done; nothing to run"), log2);
            assertEquals(before, stamps(grid), "a completed cell was rewritten");
        } finally {
            for (Process p : started) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
    }

    /** Master and two workers, loopback only; the workers find Spark's jars in a SPARK_HOME of links. */
    private String startCluster() throws Exception {
        Path home = tmp.resolve("spark-home");
        Files.createDirectories(home.resolve("jars"));
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path jar = Path.of(e);
            if (e.endsWith(".jar") && Files.isRegularFile(jar) && !Files.exists(home.resolve("jars").resolve(jar.getFileName()))) {
                Files.createSymbolicLink(home.resolve("jars").resolve(jar.getFileName()), jar);
            }
        }
        int port = freePort();
        String master = "spark://127.0.0.1:" + port;
        start(home, "master.log", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                Integer.toString(port), "--webui-port", Integer.toString(freePort()));
        waitForPort(port);
        for (int w = 1; w <= 2; w++) {
            start(home, "worker-" + w + ".log", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                    "--webui-port", Integer.toString(freePort()), "--cores", "1", "--memory", "1g",
                    "--work-dir", tmp.resolve("work-" + w).toString(), master);
        }
        return master;
    }

    private Process start(Path sparkHome, String log, String main, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m"));
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(log).toFile());
        pb.environment().put("SPARK_HOME", sparkHome.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        // A SPARK_HOME without a distribution's RELEASE file: the worker's launcher then needs the Scala version.
        pb.environment().put("SPARK_SCALA_VERSION", "2.13");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /** `./kif compare --executor spark` as its own JVM, as a user starts it. */
    private Process driver(String master, Path grid, String log) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx1g"));
        cmd.addAll(List.of(JavaModuleOptions.defaultModuleOptionArray()));
        cmd.addAll(List.of("-Dkif.shared=" + Fixture.shared(), "-cp", System.getProperty("java.class.path"),
                io.kif4j.cli.Kif.class.getName()));
        cmd.addAll(SparkGrids.compareArgs(SparkGrids.tinyConfig(tmp), grid, "--executor", "spark",
                "--spark-master", master, "--spark-conf", "spark.driver.host=127.0.0.1",
                "--spark-conf", "spark.driver.bindAddress=127.0.0.1", "--spark-conf", "spark.executor.memory=512m",
                "--spark-conf", "spark.ui.port=" + freePort()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve(log).toFile());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        started.add(p);
        return p;
    }

    /**
     * Waits until a cell has completed its first task but not its run, then SIGKILLs the executor JVM whose cell
     * JVM writes that run folder (the cell JVM halts with it).
     */
    private Optional<String> killAnExecutorInTheMiddleOfACell(Path grid, Process driver) throws Exception {
        long deadline = System.currentTimeMillis() + TimeUnit.MINUTES.toMillis(20);
        while (driver.isAlive() && System.currentTimeMillis() < deadline) {
            List<ProcessHandle> workers = started.subList(1, 3).stream().map(Process::toHandle).toList();
            for (ProcessHandle cell : workers.stream().flatMap(ProcessHandle::descendants).toList()) {
                Matcher m = Pattern.compile("-Dkif\\.cell=(\\S+)").matcher(commandLine(cell));
                if (!m.find()) {
                    continue;
                }
                Path run = grid.resolve(m.group(1));
                boolean midway = Files.isRegularFile(run.resolve("tasks/01-dbpedia/done.json"))
                        && !Files.isRegularFile(run.resolve("report.html"));
                Optional<ProcessHandle> executor = cell.parent(); // the executor JVM that launched the cell
                if (midway && executor.isPresent() && workers.stream().noneMatch(w -> w.pid() == executor.get().pid())) {
                    executor.get().destroyForcibly(); // SIGKILL
                    return Optional.of(run.toString());
                }
            }
            Thread.sleep(200);
        }
        return Optional.empty();
    }

    /** Read back with kif4j's own readers: every JSON document, every task's adapter; no temp file left. */
    private static void assertNothingCorrupt(Path run) throws Exception {
        assertTrue(Files.isRegularFile(run.resolve("report.html")), run.toString());
        try (Stream<Path> files = Files.walk(run)) {
            List<Path> all = files.toList();
            assertTrue(all.stream().noneMatch(f -> f.getFileName().toString().endsWith(".tmp")), "temp file left in " + run);
            all.stream().filter(f -> f.getFileName().toString().endsWith(".json")).forEach(Json::read);
            all.stream().filter(f -> f.getFileName().toString().equals("adapter")).forEach(LoraAdapter::load);
            assertEquals(2, all.stream().filter(f -> f.getFileName().toString().equals("done.json")).count(), run.toString());
        }
    }

    /** Size and modification time of every file of the cells (not the table and the logs, which a driver writes). */
    private static Map<String, String> stamps(Path grid) throws Exception {
        Map<String, String> m = new TreeMap<>();
        try (Stream<Path> files = Files.walk(grid)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String rel = grid.relativize(f).toString();
                if (!rel.startsWith("compare.") && !rel.startsWith("cell-logs") && !rel.equals(".lock")) {
                    m.put(rel, Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis());
                }
            }
        }
        return m;
    }

    /** From /proc: ProcessHandle.Info has no command line for one as long as a cell's (its class path). */
    private static String commandLine(ProcessHandle p) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"))).replace('\0', ' ');
        } catch (java.io.IOException gone) {
            return "";
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void waitForPort(int port) throws Exception {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(300);
            }
        }
        throw new AssertionError("the Spark master did not open port " + port);
    }
}
