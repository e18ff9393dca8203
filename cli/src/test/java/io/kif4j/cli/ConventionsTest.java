package io.kif4j.cli;

import io.kif4j.continual.RunConfig;
import io.kif4j.common.Json;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a new user expects of the command line: help and version everywhere, every option explained. */
class ConventionsTest {

    private static Map<String, CommandLine> commands() {
        return new CommandLine(new Kif()).getSubcommands();
    }

    @Test
    void everyCommandAnswersHelpAndVersion() {
        for (String name : commands().keySet()) {
            if (name.equals("help")) {
                continue;
            }
            for (String flag : new String[]{"--help", "-h"}) {
                CliTest.Run r = CliTest.run(name, flag);
                assertEquals(0, r.exit(), name + " " + flag + ": " + r.err());
                assertTrue(r.out().contains("Usage: kif " + name), name + " " + flag + ": " + r.out());
            }
            CliTest.Run v = CliTest.run(name, "--version");
            assertEquals(0, v.exit(), name + " --version: " + v.err());
            assertTrue(v.out().startsWith("kif4j ") && v.out().contains("backend: CPU (nd4j-native)"), v.out());
        }
        assertTrue(CliTest.run("--help").out().contains("bench"));
    }

    @Test
    void everyOptionHasADescriptionWithItsDefault() {
        List<String> missing = new ArrayList<>();
        for (CommandLine c : commands().values()) {
            for (OptionSpec o : c.getCommandSpec().options()) {
                if (o.usageHelp() || o.versionHelp()) {
                    continue;
                }
                String d = String.join(" ", o.description());
                boolean flag = o.type() == boolean.class || o.type() == Boolean.class;
                if (d.isBlank() || (!flag && !o.required() && !d.toLowerCase().contains("default"))) {
                    missing.add(c.getCommandName() + " " + o.longestName() + ": \"" + d + "\"");
                }
            }
        }
        assertTrue(missing.isEmpty(), "options without a description or default: " + missing);
    }

    /** RunFlags state RunConfig's defaults in words; passing the stated value must change nothing. */
    @Test
    void runFlagDefaultsAreRunConfigs() {
        Pattern stated = Pattern.compile("\\(default: ([\\w.-]+)\\)\\.?$");
        String defaults = Json.MAPPER.valueToTree(new RunConfig()).toString();
        int checked = 0;
        for (OptionSpec o : new CommandLine(new RunCommand()).getCommandSpec().options()) {
            Matcher m = stated.matcher(String.join(" ", o.description()));
            if (!m.find() || m.group(1).equals("none") || o.longestName().equals("--seeds")) {
                continue;
            }
            RunCommand cmd = new RunCommand();
            new CommandLine(cmd).parseArgs(o.longestName(), m.group(1));
            RunConfig c = new RunConfig();
            cmd.flags.apply(c);
            assertEquals(defaults, Json.MAPPER.valueToTree(c).toString(), o.longestName() + " states default " + m.group(1));
            checked++;
        }
        assertTrue(checked >= 12, "checked " + checked);
    }

    @Test
    void aMissingCudaDriverIsOneLineNamingTheLibraryTheBackendAndTheFix() {
        // The chain ND4J's loader throws when a -Pcuda build meets a machine without the NVIDIA driver.
        UnsatisfiedLinkError inner = new UnsatisfiedLinkError("/root/.javacpp/cache/nd4j-cuda-11.6-1.0.0-M2.1-linux-x86_64.jar/"
                + "org/nd4j/linalg/jcublas/bindings/linux-x86_64/libjnind4jcuda.so: libcuda.so.1: cannot open shared object "
                + "file: No such file or directory");
        UnsatisfiedLinkError outer = new UnsatisfiedLinkError("no jnind4jcuda in java.library.path: /usr/java/packages/lib");
        outer.initCause(inner);
        RuntimeException loader = new RuntimeException("java.lang.UnsatisfiedLinkError: no jnind4jcuda", outer);
        Throwable chain = new ExceptionInInitializerError(new RuntimeException("Could not load backend", loader));

        String line = BackendFailure.describe(chain, new Build("0.1.0", "nd4j-cuda-11.6")).orElseThrow();
        assertFalse(line.contains("\n"), line);
        assertTrue(line.startsWith("cannot load libcuda.so.1:"), line);
        assertTrue(line.contains("CUDA 11.6 (nd4j-cuda-11.6)"), line);
        assertTrue(line.contains("install the NVIDIA driver") && line.contains("without -Pcuda"), line);

        assertEquals("libjnind4jcuda.so", BackendFailure.missingLibrary(outer.getMessage()));
        // The same failure rethrown as text only, as ND4J's backend loader may do.
        RuntimeException asText = new RuntimeException("org.nd4j.linalg.factory.Nd4jBackend$NoAvailableBackendException: "
                + "Please ensure that you have an nd4j backend on your classpath", new RuntimeException(
                "java.lang.UnsatisfiedLinkError: " + inner.getMessage()));
        assertTrue(BackendFailure.describe(asText, new Build("0.1.0", "nd4j-cuda-11.6")).orElseThrow()
                .startsWith("cannot load libcuda.so.1:"));
        assertTrue(BackendFailure.describe(new IllegalStateException("x"), new Build("0.1.0", "nd4j-native")).isEmpty());
        // What actually reaches the CLI when ND4J's loader swallowed the link error (seen with a -Pcuda build here).
        Throwable noBackend = new ExceptionInInitializerError(new RuntimeException(
                "org.nd4j.linalg.factory.Nd4jBackend$NoAvailableBackendException: Please ensure that you have an nd4j backend on your classpath"));
        String generic = BackendFailure.describe(noBackend, new Build("0.1.0", "nd4j-cuda-11.6")).orElseThrow();
        assertTrue(generic.startsWith("cannot load the nd4j-cuda-11.6 native libraries: "), generic);
        // A CPU build does not probe for CUDA.
        assertTrue(BackendFailure.probe(new Build("0.1.0", "nd4j-native")).isEmpty());
    }
}
