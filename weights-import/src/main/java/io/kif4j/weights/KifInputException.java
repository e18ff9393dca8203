package io.kif4j.weights;

import java.nio.file.Path;

/**
 * Bad input from a file a user gave us: a checkpoint, a config, a tokenizer, a dataset.
 * The message always names the file and what was wrong, so the CLI can print it as one line
 * without a stack trace.
 */
public class KifInputException extends RuntimeException {

    public KifInputException(String message) {
        super(message);
    }

    public KifInputException(String message, Throwable cause) {
        super(message, cause);
    }

    /** "FILE: problem" */
    public static KifInputException of(Path file, String problem) {
        return new KifInputException(file + ": " + problem);
    }

    public static KifInputException of(Path file, String problem, Throwable cause) {
        return new KifInputException(file + ": " + problem, cause);
    }
}
