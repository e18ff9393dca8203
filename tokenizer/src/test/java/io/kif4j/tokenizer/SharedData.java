package io.kif4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The read-only reference data in {@code ../shared}: from system property {@code kif.shared} (set by surefire),
 * else {@code ../shared} beside the project root. Missing data fails the test; it is never skipped.
 */
final class SharedData {

    private static final ObjectMapper JSON = new ObjectMapper();

    private SharedData() {
    }

    static Path dir() {
        List<Path> tried = new ArrayList<>();
        String prop = System.getProperty("kif.shared");
        if (prop != null && !prop.isBlank()) {
            Path p = Paths.get(prop).toAbsolutePath().normalize();
            if (Files.isDirectory(p)) {
                return p;
            }
            tried.add(p);
        }
        Path root = projectRoot();
        if (root != null) {
            Path p = root.resolve("../shared").normalize();
            if (Files.isDirectory(p)) {
                return p;
            }
            tried.add(p);
        }
        return fail("Shared reference data not found (tried " + tried + "). Put the shared folder beside the "
                + "project root or pass -Dkif.shared=/path/to/shared.");
    }

    static Path file(String relative) {
        Path p = dir().resolve(relative);
        if (!Files.isRegularFile(p)) {
            fail("Shared reference file missing: " + p);
        }
        return p;
    }

    /** The lines of a reference JSONL file, checked to be exactly {@code expected} lines numbered 0.. */
    static List<JsonNode> jsonl(String relative, int expected) {
        try {
            List<JsonNode> out = new ArrayList<>();
            for (String line : Files.readAllLines(file(relative))) {
                if (!line.isBlank()) {
                    out.add(JSON.readTree(line));
                }
            }
            assertEquals(expected, out.size(), relative + " line count");
            for (int i = 0; i < out.size(); i++) {
                assertEquals(i, out.get(i).get("i").intValue(), relative + " numbering");
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).intValue();
        }
        return out;
    }

    static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.textValue()));
        return out;
    }

    /** The directory holding the parent pom, walking up from the working directory. */
    private static Path projectRoot() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path pom = p.resolve("pom.xml");
            try {
                if (Files.isRegularFile(pom) && Files.readString(pom).contains("<artifactId>kif4j-parent</artifactId>")
                        && Files.readString(pom).contains("<modules>")) {
                    return p;
                }
            } catch (IOException e) {
                return null;
            }
        }
        return null;
    }
}
