package io.kif4j.common;

import java.nio.file.Path;

/**
 * Bad input from a file a user gave us: a checkpoint, a config, a tokenizer, a dataset.
 * The message always names the file and what was wrong, so the CLI can print it as one line
 * without a stack trace.
 */
public class KifInputException extends RuntimeException {

    /** Messages quote values from the file; a hostile file must not be able to flood the terminal with them. */
    static final int MAX_MESSAGE_CHARS = 2000;

    public KifInputException(String message) {
        super(oneLine(message));
    }

    public KifInputException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /**
     * The message as one printable line: control characters (a newline inside a quoted JSON string, an escape
     * sequence) are shown escaped, and an overlong message is cut, so the CLI's single error line stays single.
     */
    static String oneLine(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS) + 16);
        int i = 0;
        for (; i < message.length() && b.length() < MAX_MESSAGE_CHARS; i++) {
            char c = message.charAt(i);
            switch (c) {
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        if (i < message.length()) {
            b.append(" [...]");
        }
        return b.toString();
    }

    /** "FILE: problem" */
    public static KifInputException of(Path file, String problem) {
        return new KifInputException(file + ": " + problem);
    }

    public static KifInputException of(Path file, String problem, Throwable cause) {
        return new KifInputException(file + ": " + problem, cause);
    }
}
