package io.kif4j.grid.spark;

import io.kif4j.grid.CellExecutor;
import io.kif4j.grid.CellExecutorProvider;
import io.kif4j.grid.GridMirror;
import io.kif4j.grid.GridOptions;

/** {@code --executor spark}. */
public final class SparkExecutorProvider implements CellExecutorProvider {

    @Override
    public String name() {
        return "spark";
    }

    @Override
    public CellExecutor create(GridOptions options) {
        return new SparkCellExecutor(options);
    }

    @Override
    public GridMirror mirror(String uri, GridOptions options) {
        return new HadoopGridMirror(uri, options.sparkConf());
    }
}
