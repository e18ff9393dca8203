package io.kif4j.cli;

import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.weights.KifInputException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;

/** The {@code ./kif} command line: a thin layer over the Java API. */
@Command(name = "kif", mixinStandardHelpOptions = true, version = "kif4j 0.1.0",
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
            if (ex instanceof KifInputException || ex instanceof UncheckedIOException
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
        return cl.execute(args);
    }
}
