package io.kif4j.weights;

import io.kif4j.common.KifInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The weights-import fuzz tests' shared bits (the other modules use {@code io.kif4j.common.testing.FuzzFiles},
 * which lives downstream of this module): a scratch folder reused across executions and the error contract.
 */
public final class FuzzSupport {

    private FuzzSupport() {
    }

    /** The JVM's own scratch root, deleted when the JVM exits so regression runs leave nothing in the temp dir. */
    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "kif-fuzz-" + ProcessHandle.current().pid());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> s = Files.walk(ROOT)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // best effort: a leftover scratch folder in the temp dir is harmless
            }
        }));
    }

    /** A folder for one fuzz test, reused by every execution (fresh temp folders would dominate the run time). */
    public static Path scratch(String name) {
        Path dir = ROOT.resolve(name);
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code loader}: returning or a one-line {@link KifInputException} naming a file in {@code dir} is fine. */
    public static void expectCleanOutcome(Path dir, Runnable loader) {
        try {
            loader.run();
        } catch (KifInputException e) {
            String m = e.getMessage();
            if (m == null || !m.contains(dir.toString())) {
                throw new AssertionError("error message does not name the file: " + m, e);
            }
            if (m.contains("\n") || m.contains("\r")) {
                throw new AssertionError("error message is not one line: " + m, e);
            }
        }
    }
}
