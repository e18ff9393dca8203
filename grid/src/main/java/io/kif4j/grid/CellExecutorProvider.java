package io.kif4j.grid;

/**
 * Makes a {@link CellExecutor} by name; found with {@link java.util.ServiceLoader}, so an executor with heavy
 * dependencies (Spark) lives in its own module and is on the class path only when asked for.
 */
public interface CellExecutorProvider {

    /** The name {@code --executor} takes, e.g. "spark". */
    String name();

    CellExecutor create(GridOptions options);

    /** The grid folder at a URI whose scheme is not file (hdfs://, s3a://, …), or an error when unsupported. */
    default GridMirror mirror(String uri, GridOptions options) {
        throw new IllegalArgumentException("--out " + uri + ": the " + name() + " executor takes local folders only");
    }
}
