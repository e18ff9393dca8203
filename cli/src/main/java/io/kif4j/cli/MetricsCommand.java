package io.kif4j.cli;

import io.kif4j.continual.metrics.AnswerNormalization;
import io.kif4j.continual.metrics.ScoringOptions;
import io.kif4j.report.MetricsReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code ./kif metrics --predictions FILE.jsonl [--json]}: scores a predictions file, one JSON object per line
 * with {@code prediction}, {@code reference} and optionally {@code metric} ({@code accuracy} or {@code rougeL})
 * and {@code task}. Prints per-task and overall means, as a table or as one JSON object. A thin layer over
 * {@link MetricsReport}. Exit code 0 on success, 1 when the file is bad (one-line message, no stack trace).
 */
@Command(name = "metrics", mixinStandardHelpOptions = true,
        description = {"Score a predictions file: per-task and overall mean accuracy / ROUGE-L (percent).",
                "Each line: {\"prediction\": …, \"reference\": …, \"metric\"?: \"accuracy\"|\"rougeL\", \"task\"?: …}.",
                "Without \"metric\", the task's metric comes from the built-in table (spec §1.4), else accuracy.",
                "The overall score is the mean of the task scores."})
public class MetricsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--predictions", required = true, paramLabel = "FILE.jsonl", description = "The predictions file.")
    Path predictions;

    @Option(names = "--json", description = "Print one JSON object instead of a table.")
    boolean json;

    @Option(names = "--olora-normalization",
            description = "Match as O-LoRA does: also remove punctuation and collapse whitespace (default: KIF's lower-case + strip).")
    boolean oloraNormalization;

    @Option(names = "--task363-quirk",
            description = "For task363, score the predictions \"pos\"/\"neg\" as \"p\"/\"n\" (the authors' P/N labels).")
    boolean task363Quirk;

    @Override
    public Integer call() {
        ScoringOptions options = new ScoringOptions(
                oloraNormalization ? AnswerNormalization.OLORA : AnswerNormalization.KIF, task363Quirk);
        MetricsReport report = MetricsReport.of(predictions, options); // bad input: Kif prints one line, exit 2
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(report.toJson());
        } else {
            out.print(report.toText());
        }
        out.flush();
        return 0;
    }
}
