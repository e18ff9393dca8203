package io.kif4j.transformer.decode;

import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.WeightTable;

import java.util.HashMap;
import java.util.Map;

/**
 * The model's own weight arrays by HF name (the graphs' constants, so no copy) and the adapter's low-rank
 * terms, for the lean decoder's layers.
 */
final class DecodeWeights {

    private final WeightTable table;
    private final LinearAdapter adapter;
    private final int rows;
    private final Map<String, Buf> bufs = new HashMap<>();

    DecodeWeights(WeightTable table, LinearAdapter adapter, int rows) {
        this.table = table;
        this.adapter = adapter;
        this.rows = rows;
    }

    /** The weight {@code name}, which must have {@code shape}. */
    Buf weight(String name, long... shape) {
        return bufs.computeIfAbsent(name, n -> Buf.of(table.take(n, shape)));
    }

    /** {@code path}.weight [out, in] (and {@code path}.bias [out]) with the adapter's term for {@code path}. */
    LeanLinear linear(String path, long in, long out, boolean bias) {
        return new LeanLinear(path, weight(path + ".weight", out, in), bias ? weight(path + ".bias", out) : null,
                in, out, adapter, rows);
    }

    /** A linear layer on another module's tensor [out, in] (a tied head); {@code path} is what the adapter sees, or null. */
    LeanLinear linear(String path, Buf weight, long in, long out) {
        return new LeanLinear(path, weight, null, in, out, adapter, rows);
    }

    int rows() {
        return rows;
    }
}
