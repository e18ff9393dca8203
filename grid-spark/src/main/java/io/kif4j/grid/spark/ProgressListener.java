package io.kif4j.grid.spark;

import io.kif4j.grid.GridCell;
import io.kif4j.grid.GridProgress;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.TaskInfo;

import java.util.List;

/** Feeds Spark's task events to the grid's progress: task index i is cell i (one partition per cell). */
final class ProgressListener extends SparkListener {

    private final List<GridCell> cells;
    private final GridProgress progress;

    ProgressListener(List<GridCell> cells, GridProgress progress) {
        this.cells = cells;
        this.progress = progress;
    }

    private String label(TaskInfo t) {
        int i = t.index();
        return i >= 0 && i < cells.size() ? cells.get(i).label() : "task " + i;
    }

    @Override
    public void onTaskStart(SparkListenerTaskStart e) {
        progress.started(label(e.taskInfo()) + " on executor " + e.taskInfo().executorId(), e.taskInfo().attemptNumber());
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd e) {
        TaskInfo t = e.taskInfo();
        progress.ended(label(t), t.successful(), t.duration() / 1e3,
                t.successful() ? "" : SparkCellExecutor.firstLine(e.reason().toString()));
    }
}
