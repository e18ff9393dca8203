package io.kif4j.grid;

import io.kif4j.continual.Methods;
import io.kif4j.continual.RunConfig;
import io.kif4j.report.CompareReport;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A comparison grid: every method × task order × seed, in the order {@code compare} has always run them (method,
 * then order, then seed). The seeds are {@code seed, seed+1, …} of the base config.
 *
 * @param cells   the cells, method-major
 * @param methods the methods, in the table's order
 * @param orders  the orders' names
 * @param replay  per method, whether it replays a memory (the table's replay column)
 */
public record GridSpec(List<GridCell> cells, List<String> methods, List<String> orders, List<Boolean> replay) {

    public GridSpec {
        cells = List.copyOf(cells);
        methods = List.copyOf(methods);
        orders = List.copyOf(orders);
        replay = List.copyOf(replay);
    }

    /**
     * @param config  makes a fresh copy of the base config (file plus flags) for each cell
     * @param orders  the orders to run, or null for the base config's order ("custom" when it lists its tasks)
     */
    public static GridSpec of(Supplier<RunConfig> config, List<String> methods, List<String> orders, int seeds) {
        if (methods == null || methods.isEmpty()) {
            throw new IllegalArgumentException("--methods: at least one method is needed");
        }
        if (seeds < 1) {
            throw new IllegalArgumentException("--seeds must be at least 1");
        }
        RunConfig base = config.get();
        List<Boolean> replay = new ArrayList<>();
        for (String m : methods) {
            replay.add(Methods.create(m, base).usesReplay()); // an unknown name fails here, before any cell runs
        }
        List<String> orderList = orders != null ? orders : List.of(base.tasks != null ? "custom" : base.orderOrDefault());
        List<GridCell> cells = new ArrayList<>();
        for (String method : methods) {
            for (String order : orderList) {
                for (int s = 0; s < seeds; s++) {
                    RunConfig c = config.get();
                    c.method = method;
                    if (!order.equals("custom")) {
                        c.order = order;
                    }
                    c.seed = base.seed + s;
                    cells.add(GridCell.of(c, order));
                }
            }
        }
        return new GridSpec(cells, methods, orderList, replay);
    }

    /** The compare table's entries, one per method and order, with their run folders below {@code dir}. */
    List<CompareReport.Entry> entries(Path dir) {
        List<CompareReport.Entry> entries = new ArrayList<>();
        for (int m = 0; m < methods.size(); m++) {
            String method = methods.get(m);
            for (String order : orders) {
                List<Path> runs = cells.stream().filter(c -> c.method().equals(method) && c.order().equals(order))
                        .map(c -> dir.resolve(c.dir())).toList();
                entries.add(new CompareReport.Entry(method, replay.get(m), order, runs));
            }
        }
        return entries;
    }
}
