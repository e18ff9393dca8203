package io.kif4j.continual;

import java.util.List;
import java.util.Map;

/** Run configurations small enough for a unit test on the built-in stories260K model. */
public final class TinyRuns {

    private TinyRuns() {
    }

    /**
     * {@code method} on the dbpedia and agnews tasks for one epoch, not class-balanced, evaluated 16 at a time. The
     * sizes, lengths and seed are left to each test, beside the assertions that depend on them.
     */
    public static RunConfig twoTasks(String method) {
        RunConfig c = new RunConfig();
        c.method = method;
        c.tasks = List.of("dbpedia", "agnews");
        c.epochs = 1;
        c.classBalanced = false;
        c.evalBatch = 16;
        return c;
    }

    /** {@link #twoTasks(String)} with the sizes, prompt and target lengths and seed a test's assertions depend on. */
    public static RunConfig twoTasks(String method, int trainPerTask, int testPerTask, int batch, int maxSourceLength,
                                     int maxTargetLength, long seed) {
        return twoTasks(method).overlay(Map.of("trainPerTask", trainPerTask, "testPerTask", testPerTask,
                "batch", batch, "maxSourceLength", maxSourceLength, "maxTargetLength", maxTargetLength, "seed", seed));
    }
}
