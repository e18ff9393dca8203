package io.kif4j.common.testing;

import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Helpers for the fuzz tests: one fuzzer input split into several files, and a scratch folder reused across
 * executions (a new temp folder per execution would make file-system churn dominate the fuzzing time).
 *
 * <p>Input layout for {@code n} parts: parts 1..n-1 each start with a 2-byte little-endian length (clamped to what
 * is left), the last part is the rest. {@link #join} builds that layout for the seed files, so a seed is a set of
 * real files glued together and the fuzzer can grow or shrink each of them independently.
 */
public final class FuzzFiles {

    private FuzzFiles() {
    }

    /** Splits {@code data} into {@code n} parts; missing bytes give empty parts, never an exception. */
    public static byte[][] split(byte[] data, int n) {
        byte[][] parts = new byte[n][];
        int pos = 0;
        for (int i = 0; i < n - 1; i++) {
            int len = 0;
            if (pos + 2 <= data.length) {
                len = (data[pos] & 0xFF) | (data[pos + 1] & 0xFF) << 8;
                pos += 2;
            } else {
                pos = data.length;
            }
            len = Math.min(len, data.length - pos);
            parts[i] = java.util.Arrays.copyOfRange(data, pos, pos + len);
            pos += len;
        }
        parts[n - 1] = java.util.Arrays.copyOfRange(data, pos, data.length);
        return parts;
    }

    /** The inverse of {@link #split}: every part but the last must be shorter than 64 KiB. */
    public static byte[] join(byte[]... parts) {
        var out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < parts.length; i++) {
            if (i < parts.length - 1) {
                if (parts[i].length > 0xFFFF) {
                    throw new IllegalArgumentException("part " + i + " is longer than 65535 bytes");
                }
                out.write(parts[i].length & 0xFF);
                out.write(parts[i].length >>> 8);
            }
            out.writeBytes(parts[i]);
        }
        return out.toByteArray();
    }

    /** The JVM's own scratch root, deleted when the JVM exits so regression runs leave nothing in the temp dir. */
    private static final Path ROOT = Path.of(System.getProperty("java.io.tmpdir"), "kif-fuzz-" + ProcessHandle.current().pid());

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(ROOT)));
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a leftover scratch folder in the temp dir is harmless
        }
    }

    /** An empty scratch folder under the JVM's temp dir, emptied of what the previous execution left. */
    public static Path scratch(String name) {
        Path dir = ROOT.resolve(name);
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> s = Files.walk(dir)) {
                    s.sorted(Comparator.reverseOrder()).filter(p -> !p.equals(dir)).forEach(p -> {
                        try {
                            Files.delete(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            }
            Files.createDirectories(dir);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code bytes} to {@code dir/name}, creating parent folders. */
    public static Path write(Path dir, String name, byte[] bytes) {
        try {
            Path p = dir.resolve(name);
            Files.createDirectories(p.getParent());
            return Files.write(p, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code loader}; a {@link KifInputException} is the allowed outcome for bad input and is checked to be a
     * one-line message naming a file under {@code dir}; anything else propagates and fails the fuzz test.
     */
    public static void expectCleanOutcome(Path dir, Runnable loader) {
        try {
            loader.run();
        } catch (KifInputException e) {
            checkMessage(dir, e);
        }
    }

    /** The contract of an input error's message: one line, naming the file (somewhere under {@code dir}). */
    public static void checkMessage(Path dir, KifInputException e) {
        String m = e.getMessage();
        if (m == null || !m.contains(dir.toString())) {
            throw new AssertionError("error message does not name the file: " + m, e);
        }
        if (m.contains("\n") || m.contains("\r")) {
            throw new AssertionError("error message is not one line: " + m, e);
        }
    }
}
