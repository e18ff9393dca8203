package io.kif4j.grid;

import io.kif4j.common.KifInputException;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The grid folder as {@code --out} gives it: a path or {@code file:///…} (a local or mounted folder that every worker
 * sees at the same path), or a Hadoop-FS URI ({@code hdfs://}, {@code s3a://}, …) that the Spark executor writes
 * through Hadoop's FileSystem.
 */
public final class GridLocation {

    private GridLocation() {
    }

    /** A URI with a scheme other than file (hdfs://, s3a://, viewfs://, …): written through Hadoop's FileSystem. */
    public static boolean isRemote(String location) {
        String scheme = scheme(location);
        return !scheme.isEmpty() && !scheme.equals("file");
    }

    private static String scheme(String location) {
        int colon = location.indexOf(':');
        String scheme = colon > 1 ? location.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        return !scheme.isEmpty() && location.startsWith(scheme + ":/") && scheme.matches("[a-z][a-z0-9+.-]*") ? scheme : "";
    }

    /** A local location as a path: a path, or a file: URI. */
    public static Path path(String location) {
        String scheme = scheme(location);
        if (scheme.isEmpty()) {
            return Path.of(location);
        }
        if (scheme.equals("file")) {
            try {
                return Path.of(URI.create(location));
            } catch (IllegalArgumentException e) {
                throw new KifInputException(location + ": --out: not a file URI (expected file:///absolute/path)");
            }
        }
        throw new IllegalStateException("not a local location: " + location);
    }
}
