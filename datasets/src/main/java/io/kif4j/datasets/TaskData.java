package io.kif4j.datasets;

import java.util.List;

/** The examples of one task after a {@link Protocol}: what a run trains, validates and tests on. */
public record TaskData(Task task, List<Example> train, List<Example> validation, List<Example> test) {

    public TaskData {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }

    public TaskInfo info() {
        return task.info();
    }
}
