package io.kif4j.datasets;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.fail;

/** Finds ../shared: system property {@code kif.shared} (set by surefire), else ../shared from the project root. */
public final class SharedData {

    private SharedData() {
    }

    public static Path shared() {
        String prop = System.getProperty("kif.shared");
        Path[] candidates = prop != null
                ? new Path[]{Path.of(prop)}
                : new Path[]{Path.of("..", "shared"), Path.of("..", "..", "shared")}; // project root, or a module dir
        for (Path p : candidates) {
            if (Files.isDirectory(p.resolve("data"))) {
                return p.normalize();
            }
        }
        return fail("shared reference data not found (looked for data/ under "
                + java.util.Arrays.toString(candidates) + "); set -Dkif.shared=/path/to/shared");
    }

    public static Path data() {
        return shared().resolve("data");
    }
}
