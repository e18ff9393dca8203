package io.kif4j.grid;

import io.kif4j.weights.KifInputException;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The grid folder as {@code --out} gives it: a path, or a Hadoop-FS style URI. {@code file:///…} is a local or
 * mounted folder (NFS, a FUSE mount of HDFS or S3) that every worker sees at the same path.
 */
public final class GridLocation {

    private GridLocation() {
    }

    public static Path path(String location) {
        int colon = location.indexOf(':');
        String scheme = colon > 1 ? location.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        if (scheme.isEmpty() || !location.startsWith(scheme + "://") && !location.startsWith(scheme + ":/")) {
            return Path.of(location);
        }
        if (scheme.equals("file")) {
            try {
                return Path.of(URI.create(location));
            } catch (IllegalArgumentException e) {
                throw new KifInputException(location + ": --out: not a file URI (expected file:///absolute/path)");
            }
        }
        throw new KifInputException(location + ": --out: the grid folder must be a file system path every worker "
                + "mounts (file:///…); for " + scheme + ":// mount it (e.g. HDFS NFS gateway, s3fs/mountpoint-s3) and "
                + "give the mount path");
    }
}
