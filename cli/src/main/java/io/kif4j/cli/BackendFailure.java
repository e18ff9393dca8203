package io.kif4j.cli;

import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the ND4J backend's failure to load its native libraries (a 67-line {@code UnsatisfiedLinkError} chain when a
 * {@code -Pcuda} build meets a machine without the NVIDIA driver) into one line: the missing library, the backend
 * this CLI was built for, and the fix.
 */
final class BackendFailure {

    private BackendFailure() {
    }

    /** The CUDA runtime binding ND4J's CUDA backend loads first; its failure names the missing driver library. */
    static final String CUDA_RUNTIME_CLASS = "org.bytedeco.cuda.global.cudart";

    /**
     * For a CUDA build: loads the CUDA runtime's native libraries the way ND4J will, before any command touches ND4J
     * (whose backend loader prints the 67-line trace itself and then throws a "no backend" error that no longer names
     * the library). Empty when they load, or for a CPU build.
     */
    static Optional<String> probe(Build build) {
        if (!build.cuda()) {
            return Optional.empty();
        }
        try {
            Class<?> cudart = Class.forName(CUDA_RUNTIME_CLASS, false, BackendFailure.class.getClassLoader());
            Class.forName("org.bytedeco.javacpp.Loader").getMethod("load", Class.class).invoke(null, cudart);
            return Optional.empty();
        } catch (java.lang.reflect.InvocationTargetException e) {
            return describe(e.getCause(), build);
        } catch (ReflectiveOperationException | LinkageError e) {
            return describe(e, build);
        }
    }

    /** The one-line message if {@code error}'s chain holds a native-library load failure, else empty. */
    static Optional<String> describe(Throwable error, Build build) {
        Throwable link = find(error);
        if (link == null) {
            return Optional.empty();
        }
        String library = link.getClass().getName().endsWith("NoAvailableBackendException")
                || String.valueOf(link.getMessage()).contains("NoAvailableBackendException")
                ? "the " + build.backend() + " native libraries" : missingLibrary(link.getMessage());
        String fix = build.cuda()
                ? "install the NVIDIA driver and the CUDA " + build.cudaVersion() + " runtime, or rebuild for the CPU "
                + "without -Pcuda (mvn -B -DskipTests package -pl cli -am, or KIF_BACKEND=cpu ./kif ...)"
                : "check that the platform is linux-x86_64 with glibc, or rebuild (mvn -B -DskipTests package -pl cli -am)";
        return Optional.of("cannot load " + library + ": this kif4j was built for the " + build.backendDescription()
                + " backend; " + fix);
    }

    /** The UnsatisfiedLinkError of the chain (causes and suppressed) that names the file it could not open. */
    private static Throwable find(Throwable t) {
        Map<Throwable, Boolean> seen = new IdentityHashMap<>();
        ArrayDeque<Throwable> todo = new ArrayDeque<>(List.of(t));
        Throwable found = null;
        while (!todo.isEmpty()) {
            Throwable x = todo.poll();
            if (seen.put(x, true) != null) {
                continue;
            }
            // ND4J's loader may also rethrow the link error as text (NoAvailableBackendException, RuntimeException).
            String message = String.valueOf(x.getMessage());
            boolean link = x instanceof UnsatisfiedLinkError || message.contains("UnsatisfiedLinkError")
                    || message.contains("cannot open shared object file") || message.contains("NoAvailableBackendException")
                    || x.getClass().getName().endsWith("NoAvailableBackendException");
            if (link && (found == null || message.contains("cannot open shared object"))) {
                found = x;
            }
            if (x.getCause() != null) {
                todo.add(x.getCause());
            }
            todo.addAll(List.of(x.getSuppressed()));
        }
        return found;
    }

    /** "libcuda.so.1" from "/…/libjnind4jcuda.so: libcuda.so.1: cannot open shared object file: …"; else the best guess. */
    static String missingLibrary(String message) {
        if (message == null) {
            return "a native library";
        }
        for (String pattern : new String[]{"([\\w.+-]+\\.so[\\w.]*): cannot open shared object file",
                "no (\\w+) in java\\.library\\.path", "([\\w.+-]+\\.so[\\w.]*)"}) {
            Matcher m = Pattern.compile(pattern).matcher(message);
            if (m.find()) {
                return pattern.startsWith("no ") ? "lib" + m.group(1) + ".so" : m.group(1);
            }
        }
        return message.lines().findFirst().orElse(message);
    }
}
