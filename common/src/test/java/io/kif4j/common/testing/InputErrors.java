package io.kif4j.common.testing;

import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.function.Executable;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The assertion every bad-input test makes: a {@link KifInputException} that names the file and says what is wrong. */
public final class InputErrors {

    private InputErrors() {
    }

    /**
     * Asserts that {@code call} throws a {@link KifInputException} whose message starts with {@code file} and
     * contains every fragment; returns it for further checks.
     */
    public static KifInputException assertRejected(Executable call, Path file, String... fragments) {
        KifInputException e = assertThrows(KifInputException.class, call);
        assertTrue(e.getMessage().startsWith(file.toString()), "names the file: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
        return e;
    }
}
