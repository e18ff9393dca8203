package io.kif4j.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * What this CLI was built as: the kif4j version and the ND4J backend artifact ({@code nd4j-native}, or the CUDA
 * artifact of {@code -Pcuda}), from the build-filtered {@code kif4j.properties}. Read without loading ND4J, so
 * {@code --version} answers even where the backend cannot load.
 */
record Build(String version, String backend) {

    static Build current() {
        Properties p = new Properties();
        try (InputStream in = Build.class.getResourceAsStream("kif4j.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Build(p.getProperty("version", "unknown"), p.getProperty("backend", "unknown"));
    }

    boolean cuda() {
        return backend.contains("cuda");
    }

    /** "CUDA 11.6" from nd4j-cuda-11.6. */
    String cudaVersion() {
        return backend.replaceFirst("^.*cuda-?", "");
    }

    /** e.g. "CPU (nd4j-native)" or "CUDA 11.6 (nd4j-cuda-11.6)". */
    String backendDescription() {
        return (cuda() ? "CUDA " + cudaVersion() : "CPU") + " (" + backend + ")";
    }

    /** picocli's --version text, for every command. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            Build b = current();
            return new String[]{"kif4j " + b.version(), "backend: " + b.backendDescription()
                    + ", Deeplearning4j/ND4J 1.0.0-M2.1", "Java " + Runtime.version()};
        }
    }
}
