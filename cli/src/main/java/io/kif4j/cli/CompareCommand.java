package io.kif4j.cli;

import io.kif4j.continual.ContinualRunner;
import io.kif4j.continual.Methods;
import io.kif4j.continual.RunConfig;
import io.kif4j.continual.report.CompareReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "compare", description = {"Run several methods on the same tasks, order, samples and seeds, and write "
        + "compare.md, compare.csv and compare.html (AP/FWT/BWT per method, like the KIF paper's Table I).",
        "Resumable: run it again with the same --out to continue with the methods and tasks not yet done."})
final class CompareCommand implements Callable<Integer> {

    @Mixin
    RunFlags flags;

    @Option(names = "--methods", required = true, split = ",",
            description = "e.g. seqlora,inclora,replay,ewc,olora,kif,kiflora,kif-m,kiflora-m,recurrent-kif")
    List<String> methods;

    @Option(names = "--orders", split = ",", description = "Task orders to average over, e.g. 1,2 (default: --order).")
    List<String> orders;

    @Option(names = "--seeds", defaultValue = "1", description = "Seeds per method and order (seed, seed+1, ...).")
    int seeds;

    @Option(names = "--out", description = "Comparison folder (default: runs/compare-<timestamp>).")
    Path out;

    @Override
    public Integer call() {
        RunConfig base = flags.config();
        for (String m : methods) {
            Methods.create(m, base); // fail on an unknown name before any run starts
        }
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be at least 1");
        }
        Path dir = out != null ? out : Path.of(System.getProperty("kif.home", "."), "runs",
                "compare-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        List<String> orderList = orders != null ? orders : List.of(base.tasks != null ? "custom" : base.orderOrDefault());
        List<CompareReport.Entry> entries = new ArrayList<>();
        for (String method : methods) {
            for (String order : orderList) {
                List<Path> runs = new ArrayList<>();
                for (int s = 0; s < seeds; s++) {
                    RunConfig c = flags.config();
                    c.method = method;
                    if (!order.equals("custom")) {
                        c.order = order;
                    }
                    c.seed = base.seed + s;
                    Path run = dir.resolve(method).resolve("order-" + order).resolve("seed-" + c.seed);
                    runs.add(run);
                    if (Files.isRegularFile(run.resolve("report.html"))) {
                        System.out.println(method + " order " + order + " seed " + c.seed + ": done, skipped");
                        continue;
                    }
                    new ContinualRunner(c, Defaults.shared(), System.out::println).run(run);
                }
                entries.add(new CompareReport.Entry(method, Methods.create(method, base).usesReplay(), order, runs));
            }
        }
        Path html = CompareReport.write(dir, entries);
        System.out.println(readQuietly(dir.resolve("compare.md")));
        System.out.println("comparison: " + html);
        return 0;
    }

    private static String readQuietly(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
