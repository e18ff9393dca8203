package io.kif4j.continual;

import java.util.List;

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
}
