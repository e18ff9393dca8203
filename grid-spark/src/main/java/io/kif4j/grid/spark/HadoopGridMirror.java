package io.kif4j.grid.spark;

import io.kif4j.grid.GridCell;
import io.kif4j.grid.GridMirror;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The driver's side of a grid folder behind a Hadoop-FS URI. One driver per grid: a lease file that the driver
 * touches every {@link #HEARTBEAT_S} seconds; a lease untouched for {@link #STALE_S} seconds belongs to a driver that
 * died and is taken over.
 */
final class HadoopGridMirror implements GridMirror {

    static final long HEARTBEAT_S = 15, STALE_S = 90;
    static final String LEASE = "_driver.lease";

    private final String uri;
    private final HadoopFiles files;

    HadoopGridMirror(String uri, Map<String, String> sparkConf) {
        this.uri = uri.endsWith("/") ? uri.substring(0, uri.length() - 1) : uri;
        this.files = new HadoopFiles(this.uri, sparkConf);
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public AutoCloseable lock() {
        String lease = uri + "/" + LEASE;
        String me = ProcessHandle.current().pid() + "@" + hostName();
        try {
            if (!files.createNew(lease, me)) {
                long age = (System.currentTimeMillis() - files.modified(lease)) / 1000;
                if (age < STALE_S) {
                    throw new KifInputException(uri + ": another compare is running on this grid folder (its lease "
                            + LEASE + " was renewed " + age + " s ago; one driver per grid, run the same command again "
                            + "once it has stopped)");
                }
                files.delete(lease); // its driver stopped renewing: it is gone
                if (!files.createNew(lease, me)) {
                    throw new KifInputException(uri + ": another compare took over this grid folder just now");
                }
            }
        } catch (IOException e) {
            throw new KifInputException(uri + ": --out: cannot write into this grid folder ("
                    + SparkCellExecutor.firstLine(e.getMessage()) + ")");
        }
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kif-grid-lease");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(() -> {
            try {
                files.touch(lease);
            } catch (IOException ignored) {
                // the next beat tries again; a lease older than STALE_S is what another driver may take
            }
        }, HEARTBEAT_S, HEARTBEAT_S, TimeUnit.SECONDS);
        return () -> {
            heartbeat.shutdownNow();
            files.delete(lease);
        };
    }

    @Override
    public boolean complete(GridCell cell) {
        return files.exists(uri + "/" + cell.dir() + "/report.html");
    }

    @Override
    public void pull(GridCell cell, Path localGrid) {
        Path local = localGrid.resolve(cell.dir());
        deleteTree(local);
        files.getTree(uri + "/" + cell.dir(), local);
    }

    @Override
    public void push(Path localFile) {
        files.put(localFile, uri + "/" + localFile.getFileName());
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clear " + dir, e);
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
