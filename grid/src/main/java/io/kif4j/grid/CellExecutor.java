package io.kif4j.grid;

import java.util.List;

/**
 * Runs a grid's pending cells, each to completion (a cell resumes after its last completed task), and reports each
 * cell's start and end to the progress. Implementations: {@link LocalCellExecutor} (in this JVM, or N child JVMs at a
 * time) and the Spark executor of the grid-spark module.
 */
public interface CellExecutor {

    /**
     * @param cells   the cells still to run
     * @param grid    the grid folder, an absolute path or a Hadoop-FS URI; cell {@code c} writes into
     *                {@code grid + "/" + c.dir()}
     * @return one final outcome per cell (DONE, or why not after the executor's retries)
     */
    List<CellOutcome> execute(List<GridCell> cells, String grid, GridProgress progress);
}
