package io.kif4j.grid.spark;

import io.kif4j.grid.CellLauncher;
import io.kif4j.grid.CellOutcome;
import io.kif4j.grid.GridCell;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cell whose grid folder is behind a Hadoop-FS URI, run on a worker: its run folder is copied to a local staging
 * folder (all that an earlier attempt completed), the cell JVM runs there, and every {@link #SYNC_S} seconds each
 * newly completed task folder is uploaded (its done.json last) with the run's config and metrics; report.html, the
 * mark of a complete cell, goes up last of all. A retry on another machine therefore resumes after the last task
 * that reached the grid folder.
 */
final class StagedCell {

    static final long SYNC_S = 10;

    private final HadoopFiles files;
    private final String remoteCell;
    private final Path localCell;
    private final Map<Path, String> uploaded = new HashMap<>();

    private StagedCell(HadoopFiles files, String remoteCell, Path localCell) {
        this.files = files;
        this.remoteCell = remoteCell;
        this.localCell = localCell;
    }

    static CellOutcome run(CellLauncher launcher, GridCell cell, String gridUri, Map<String, String> sparkConf)
            throws InterruptedException {
        HadoopFiles files = new HadoopFiles(gridUri, sparkConf);
        Path staging;
        try {
            staging = Files.createTempDirectory("kif-grid-cell");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a local staging folder", e);
        }
        StagedCell s = new StagedCell(files, gridUri + "/" + cell.dir(), staging.resolve(cell.dir()));
        files.getTree(s.remoteCell, s.localCell);
        ScheduledExecutorService sync = Executors.newSingleThreadScheduledExecutor();
        sync.scheduleWithFixedDelay(() -> s.upload(false), SYNC_S, SYNC_S, TimeUnit.SECONDS);
        try {
            CellOutcome o = launcher.run(cell, staging);
            sync.shutdown();
            sync.awaitTermination(1, TimeUnit.MINUTES);
            s.upload(o.status() == CellOutcome.Status.DONE);
            Path log = CellLauncher.logFile(staging, cell);
            if (Files.isRegularFile(log)) {
                files.put(log, gridUri + "/cell-logs/" + log.getFileName());
            }
            return o;
        } finally {
            sync.shutdownNow();
            HadoopGridMirror.deleteTree(staging);
        }
    }

    /** Uploads what is complete and not yet up; with {@code last}, the run's remaining files and report.html. */
    private synchronized void upload(boolean last) {
        if (!Files.isDirectory(localCell)) {
            return; // the cell JVM has not created its run folder yet
        }
        try {
            Path tasks = localCell.resolve("tasks");
            if (Files.isDirectory(tasks)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(tasks, Files::isDirectory)) {
                    for (Path task : ds) {
                        if (Files.isRegularFile(task.resolve("done.json")) && !uploaded.containsKey(task)) {
                            uploadTree(task, List.of("done.json"));
                            uploaded.put(task, "");
                        }
                    }
                }
            }
            List<Path> top = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(localCell, Files::isRegularFile)) {
                ds.forEach(top::add);
            }
            for (Path f : top) {
                String name = f.getFileName().toString();
                if (!name.startsWith(".") && !name.equals("report.html") && changed(f)) {
                    files.put(f, remote(f));
                }
            }
            if (last) {
                Path report = localCell.resolve("report.html");
                if (Files.isRegularFile(report)) {
                    files.put(report, remote(report));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            org.slf4j.LoggerFactory.getLogger(StagedCell.class).warn("upload of {} failed: {}", remoteCell, e.toString());
            if (last) {
                throw e instanceof UncheckedIOException u ? u : new UncheckedIOException((IOException) e);
            }
        }
    }

    /** A task folder's files, with the {@code lastNames} (its completion mark) after all others. */
    private void uploadTree(Path dir, List<String> lastNames) throws IOException {
        List<Path> later = new ArrayList<>();
        try (var all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                if (f.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (lastNames.contains(f.getFileName().toString()) && f.getParent().equals(dir)) {
                    later.add(f);
                } else {
                    files.put(f, remote(f));
                }
            }
        }
        for (Path f : later) {
            files.put(f, remote(f));
        }
    }

    private boolean changed(Path f) throws IOException {
        String stamp = Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis();
        return !stamp.equals(uploaded.put(f, stamp));
    }

    private String remote(Path f) {
        return remoteCell + "/" + localCell.relativize(f).toString().replace('\\', '/');
    }
}
