package io.kif4j.grid;

import java.nio.file.Path;

/**
 * A grid folder on a file system the driver cannot write with local file operations (HDFS, S3 through Hadoop's
 * FileSystem): the driver works in a local mirror, learns from here which cells are complete, copies those into the
 * mirror for the table, and publishes the table. The cells write to the remote folder themselves (see the executor).
 */
public interface GridMirror {

    /** The grid folder's URI, as --out gave it. */
    String uri();

    /** One driver per grid: a lease on the remote folder, released on close (and taken over once it is stale). */
    AutoCloseable lock();

    /** Whether the cell's run is complete in the remote folder (its report.html exists). */
    boolean complete(GridCell cell);

    /** Copies a complete cell's run folder into the local mirror (replacing what is there). */
    void pull(GridCell cell, Path localGrid);

    /** Publishes a file the driver wrote into the local mirror (compare.md/.csv/.html) under the same name. */
    void push(Path localFile);
}
