package io.kif4j.datasets;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A continual-learning benchmark: a set of tasks and named task orders. The orders are explicit lists of task
 * names, because the papers' order numbers conflict (spec §8.2).
 */
public interface Benchmark {

    /** "long_sequence", "superni", or the name of a user's benchmark folder. */
    String name();

    /** The folder holding the task folders. */
    Path folder();

    /** Task names, sorted. */
    List<String> taskNames();

    /** The task named {@code taskName}; a {@link io.kif4j.common.KifInputException} when there is none. */
    Task task(String taskName);

    /** Named orders, order id to task names, as the orders file lists them. */
    Map<String, List<String>> orders();

    /**
     * The tasks of an order: the id of a named order ("4"), an explicit comma-separated list of task names
     * ("mnli,cb,wic"), or one task name.
     */
    List<Task> order(String idOrList);
}
