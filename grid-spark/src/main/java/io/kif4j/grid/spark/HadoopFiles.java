package io.kif4j.grid.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * A grid folder behind a Hadoop-FS URI (hdfs://, s3a://, viewfs://, …): whole-file copies in both directions. A
 * file appears under its final name only complete (written as a dot-temp file, then renamed), so a reader never
 * sees half a done.json or report.html.
 */
final class HadoopFiles {

    private final FileSystem fs;

    HadoopFiles(String uri, Map<String, String> sparkConf) {
        try {
            fs = FileSystem.get(URI.create(uri), configuration(sparkConf));
        } catch (IOException | RuntimeException e) {
            throw new io.kif4j.common.KifInputException(uri + ": --out: no Hadoop file system for this URI ("
                    + SparkCellExecutor.firstLine(e.getMessage()) + ")");
        }
    }

    /** Spark's rule: every spark.hadoop.K=V setting is the Hadoop setting K=V. */
    static Map<String, String> hadoopSettings(Map<String, String> sparkConf) {
        Map<String, String> h = new HashMap<>();
        sparkConf.forEach((k, v) -> {
            if (k.startsWith("spark.hadoop.")) {
                h.put(k.substring("spark.hadoop.".length()), v);
            }
        });
        return h;
    }

    private static Configuration configuration(Map<String, String> sparkConf) {
        Configuration c = new Configuration();
        hadoopSettings(sparkConf).forEach(c::set);
        return c;
    }

    boolean exists(String path) {
        try {
            return fs.exists(new Path(path));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path, e);
        }
    }

    long modified(String path) throws IOException {
        return fs.getFileStatus(new Path(path)).getModificationTime();
    }

    void touch(String path) throws IOException {
        fs.setTimes(new Path(path), System.currentTimeMillis(), -1);
    }

    /** Creates the file only if it does not exist; false when it does. */
    boolean createNew(String path, String content) throws IOException {
        try (FSDataOutputStream out = fs.create(new Path(path), false)) {
            out.write(content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return true;
        } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            if (fs.exists(new Path(path))) {
                return false;
            }
            throw e;
        }
    }

    void delete(String path) throws IOException {
        fs.delete(new Path(path), true);
    }

    /** Uploads one file: a dot-temp copy beside the target, then a rename onto the target name. */
    void put(java.nio.file.Path local, String remote) {
        Path dst = new Path(remote);
        Path tmp = new Path(dst.getParent(), "." + dst.getName() + ".tmp");
        try {
            fs.mkdirs(dst.getParent());
            try (FSDataOutputStream out = fs.create(tmp, true)) {
                Files.copy(local, out);
            }
            if (fs.exists(dst)) {
                fs.delete(dst, false);
            }
            if (!fs.rename(tmp, dst)) {
                throw new IOException("rename " + tmp + " → " + dst + " refused");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + remote, e);
        }
    }

    /** Copies a remote folder (if it exists) into a local one, skipping dot files (temp files, locks). */
    void getTree(String remote, java.nio.file.Path local) {
        try {
            Path src = new Path(remote);
            if (!fs.exists(src)) {
                return;
            }
            Files.createDirectories(local);
            for (FileStatus s : fs.listStatus(src)) {
                String name = s.getPath().getName();
                if (name.startsWith(".") || name.endsWith(".crc")) {
                    continue;
                }
                if (s.isDirectory()) {
                    getTree(s.getPath().toString(), local.resolve(name));
                } else {
                    try (InputStream in = fs.open(s.getPath())) {
                        Files.copy(in, local.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + remote, e);
        }
    }
}
