package io.kif4j.datasets;

import io.kif4j.common.KifInputException;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Opens the two benchmarks of the paper, or any benchmark laid out the same way, under a data root.
 *
 * <p>Layout: {@code ROOT/NAME/TASK/{task.json,train.jsonl,dev.jsonl,test.jsonl}}; orders in
 * {@code ROOT/NAME/orders.json} or, as in our copy, {@code ROOT/orders.json} under the key {@code NAME}.
 */
public final class Benchmarks {

    /** The 15 classification tasks of O-LoRA's "large number of tasks" benchmark (spec §8.2). */
    public static final String LONG_SEQUENCE = "long_sequence";

    /** SAPT's 15 SuperNI tasks (spec §8.1). */
    public static final String SUPER_NI = "superni";

    /** The data root used when none is given, relative to the working directory (the project root). */
    public static final Path DEFAULT_DATA_ROOT = Path.of("..", "shared", "data");

    private Benchmarks() {
    }

    /**
     * The data root: {@code flag} when given (it must exist), else {@link #DEFAULT_DATA_ROOT} when it exists.
     *
     * @throws KifInputException when neither is usable
     */
    public static Path dataRoot(Path flag) {
        if (flag != null) {
            if (!Files.isDirectory(flag)) {
                throw KifInputException.of(flag, "data root not found (a folder of benchmark folders)");
            }
            return flag;
        }
        if (Files.isDirectory(DEFAULT_DATA_ROOT)) {
            return DEFAULT_DATA_ROOT;
        }
        throw KifInputException.of(DEFAULT_DATA_ROOT.toAbsolutePath().normalize(),
                "no data root given and the default does not exist; pass the data root folder");
    }

    /** The benchmark folder {@code dataRoot/name} with its orders (see the class comment). */
    public static FolderBenchmark open(Path dataRoot, String name) {
        Path folder = dataRoot.resolve(name);
        Path own = folder.resolve("orders.json");
        Path shared = dataRoot.resolve("orders.json");
        Path orders = Files.isRegularFile(own) ? own : Files.isRegularFile(shared) ? shared : null;
        return FolderBenchmark.open(folder, orders);
    }

    public static FolderBenchmark longSequence(Path dataRoot) {
        return open(dataRoot, LONG_SEQUENCE);
    }

    public static FolderBenchmark superNi(Path dataRoot) {
        return open(dataRoot, SUPER_NI);
    }
}
