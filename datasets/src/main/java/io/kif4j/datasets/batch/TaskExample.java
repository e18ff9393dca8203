package io.kif4j.datasets.batch;

import io.kif4j.datasets.Example;
import io.kif4j.datasets.TaskInfo;

/** An example with its task, for mixing tasks in one batch stream (replay: D_t ∪ M). */
public record TaskExample(TaskInfo task, Example example) {
}
