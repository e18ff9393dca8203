package io.kif4j.cli;

import io.kif4j.common.KifInputException;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the built-in defaults live: the shared reference folder next to the project (../shared). */
final class Defaults {

    private Defaults() {
    }

    /** KIF_SHARED, else -Dkif.shared, else ../shared next to the project root that ./kif passes as kif.home. */
    static Path shared() {
        String env = System.getenv("KIF_SHARED");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        String prop = System.getProperty("kif.shared");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop);
        }
        String home = System.getProperty("kif.home", System.getProperty("user.dir"));
        return Path.of(home).resolve("../shared").normalize();
    }

    /** The built-in default model: the real pretrained stories260K LLaMA. */
    static Path model() {
        Path p = io.kif4j.continual.RunDefaults.builtInModel(shared());
        if (!Files.isDirectory(p)) {
            throw new KifInputException("no --model given and the built-in default model is missing: " + p
                    + " (set KIF_SHARED to the folder holding weights/stories260K-hf, or pass --model DIR)");
        }
        return p;
    }

    /** "1,2,3" → {1,2,3}; "" → {}. */
    static int[] ids(String option, String text) {
        String t = text.trim();
        if (t.isEmpty() || t.equals("[]")) {
            return new int[0];
        }
        if (t.startsWith("[") && t.endsWith("]")) {
            t = t.substring(1, t.length() - 1);
        }
        String[] parts = t.split("[,\\s]+");
        int[] ids = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                ids[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": '" + parts[i] + "' is not a token id (expected e.g. 1,2,3)");
            }
        }
        return ids;
    }
}
