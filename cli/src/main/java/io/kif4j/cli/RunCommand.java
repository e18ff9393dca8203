package io.kif4j.cli;

import io.kif4j.continual.ContinualRunner;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.SeedSummary;
import io.kif4j.report.RunReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "run", description = {"Train a task sequence with a continual method, evaluating after every task.",
        "With no arguments: the built-in default (stories260K, Long Sequence dbpedia → agnews, 500 training / 200 test examples per task, 3 epochs, KIFLoRA)."})
final class RunCommand implements Callable<Integer> {

    @Mixin
    RunFlags flags;

    @Option(names = "--out", paramLabel = "DIR", description = "Run folder (default: runs/<timestamp>).") Path out;
    @Option(names = "--verbose", description = "Also print the whole resolved config at start (it is always saved as config.json).") boolean verbose;
    @Option(names = "--resume", description = "Continue the run in --out after its last completed task.") boolean resume;
    @Option(names = "--seeds", defaultValue = "1", paramLabel = "N", description = "Repeat with N seeds (seed, seed+1, ...) and report mean and std (default: ${DEFAULT-VALUE}).") int seeds;

    @Override
    public Integer call() {
        RunConfig c = flags.config();
        if (resume && out == null) {
            throw new IllegalArgumentException("--resume needs --out: the run folder to continue");
        }
        Path dir = out != null ? out : Path.of(System.getProperty("kif.home", "."), "runs",
                LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        if (!resume && java.nio.file.Files.isRegularFile(dir.resolve("config.json"))) {
            throw new IllegalArgumentException(dir + " already holds a run; add --resume to continue it, or choose another --out");
        }
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be at least 1");
        }
        if (seeds == 1) {
            new ContinualRunner(c, Defaults.shared(), System.out::println).verbose(verbose).withReporter(RunReport::write).run(dir);
            System.out.println("results: " + dir.resolve("metrics.json"));
            return 0;
        }
        List<Path> runs = new ArrayList<>();
        long base = c.seed;
        for (int s = 0; s < seeds; s++) {
            RunConfig cs = flags.config();
            cs.seed = base + s;
            Path d = dir.resolve("seed-" + cs.seed);
            new ContinualRunner(cs, Defaults.shared(), System.out::println).verbose(verbose).withReporter(RunReport::write).run(d);
            runs.add(d);
        }
        System.out.println(SeedSummary.write(dir, runs));
        return 0;
    }
}
