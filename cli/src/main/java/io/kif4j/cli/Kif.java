package io.kif4j.cli;

import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.common.KifInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** The {@code ./kif} command line: a thin layer over the Java API. */
/*
 * scope = INHERIT: every subcommand (present and future) gets -h/--help and -V/--version, and the version provider.
 */
@Command(name = "kif", scope = CommandLine.ScopeType.INHERIT, mixinStandardHelpOptions = true,
        versionProvider = Build.Version.class,
        description = "Continual learning for language models on Deeplearning4j (KIF, KIFLoRA and baselines).",
        subcommands = {
                GenerateCommand.class,
                ScoreCommand.class,
                TokenizeCommand.class,
                MetricsCommand.class,
                TrainCommand.class,
                RunCommand.class,
                ReportCommand.class,
                ExportCommand.class,
                FuseCommand.class,
                CompareCommand.class,
                BenchCommand.class,
                CommandLine.HelpCommand.class})
public final class Kif implements Runnable {

    /** Shows stack traces of errors; inherited by every subcommand. */
    @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT, description = "Show the stack trace of errors.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line and returns the exit code: 0 ok, 1 internal error, 2 bad input or usage. */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.err, true), args);
    }

    /** As {@link #execute(String...)}, with errors and usage messages going to {@code err}. */
    public static int execute(PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Kif());
        cl.setErr(err);
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug")
                    || parseResult.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--debug"));
            PrintWriter errOut = commandLine.getErr();
            java.util.Optional<String> backend = BackendFailure.describe(ex, Build.current());
            if (backend.isPresent()) {
                errOut.println("kif: error: " + backend.get());
            } else if (ex instanceof KifInputException || ex instanceof UncheckedIOException
                    || ex instanceof IllegalArgumentException || ex instanceof LoraTrainer.NonFiniteLossException
                    || ex instanceof io.kif4j.grid.GridRunner.CellsFailedException) {
                errOut.println("kif: error: " + ex.getMessage());
            } else {
                errOut.println("kif: internal error: " + ex + (debug ? "" : " (run with --debug for the stack trace)"));
            }
            if (debug) {
                ex.printStackTrace(errOut);
            }
            errOut.flush();
            return ex instanceof KifInputException || ex instanceof IllegalArgumentException ? 2 : 1;
        });
        List<String> argList = List.of(args);
        boolean helpOnly = argList.isEmpty() || argList.stream().anyMatch(a -> List.of("-h", "--help", "-V", "--version", "help").contains(a));
        if (!helpOnly && !argList.contains("--debug")) {
            java.util.Optional<String> missing = BackendFailure.probe(Build.current());
            if (missing.isPresent()) {
                err.println("kif: error: " + missing.get());
                err.flush();
                return 1;
            }
        }
        try {
            return cl.execute(args);
        } catch (Error e) { // ND4J's native libraries fail as Errors (UnsatisfiedLinkError, ExceptionInInitializerError)
            java.util.Optional<String> backend = BackendFailure.describe(e, Build.current());
            if (backend.isEmpty() || argList.contains("--debug")) {
                throw e;
            }
            err.println("kif: error: " + backend.get());
            err.flush();
            return 1;
        }
    }
}
