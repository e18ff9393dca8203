package io.kif4j.transformer.nn;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * SameDiff prints "Added differentiated op …" with System.out.println while it builds a gradient graph, which
 * would corrupt our JSON output on stdout. This runs such a call with System.out captured and sends the lines
 * to the log instead.
 */
public final class Quiet {

    private static final Logger LOG = LoggerFactory.getLogger("org.nd4j.samediff.stdout");

    private Quiet() {
    }

    public static synchronized <T> T call(Supplier<T> body) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return body.get();
        } finally {
            System.setOut(original);
            if (LOG.isDebugEnabled()) {
                for (String line : captured.toString(StandardCharsets.UTF_8).split("\n")) {
                    if (!line.isBlank()) {
                        LOG.debug(line);
                    }
                }
            }
        }
    }

    public static synchronized void run(Runnable body) {
        call(() -> {
            body.run();
            return null;
        });
    }
}
