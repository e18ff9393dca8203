package io.kif4j.grid;

/**
 * Makes a {@link CellExecutor} by name; found with {@link java.util.ServiceLoader}, so an executor with heavy
 * dependencies (Spark) lives in its own module and is on the class path only when asked for.
 */
public interface CellExecutorProvider {

    /** The name {@code --executor} takes, e.g. "spark". */
    String name();

    CellExecutor create(GridOptions options);
}
