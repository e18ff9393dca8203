package io.kif4j.transformer.nn;

import io.kif4j.common.KifInputException;
import io.kif4j.weights.WeightSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The base weights of a model, keyed by HF state-dict name and loaded once. Graph builders {@link #take} each
 * weight by its HF name with the shape they expect; after building, {@link #checkAllUsed} fails on any tensor
 * in the file that no block asked for. So import is identity plus shape checks, never a name mapping.
 */
public final class WeightTable {

    private final WeightSource source;
    private final Map<String, INDArray> loaded = new LinkedHashMap<>();

    public WeightTable(WeightSource source) {
        this.source = source;
    }

    public WeightSource source() {
        return source;
    }

    /** The dtype of every weight, and so of the graphs built on them: FLOAT unless the source was cast. */
    public DataType dataType() {
        return source.floatType();
    }

    /** The weight {@code name}, which must have exactly {@code shape}. */
    public INDArray take(String name, long... shape) {
        INDArray a = loaded.get(name);
        if (a == null) {
            if (!source.contains(name)) {
                throw new KifInputException(source + ": missing tensor '" + name + "' with shape "
                        + Arrays.toString(shape));
            }
            long[] fileShape = source.info(name).shape();
            if (!Arrays.equals(fileShape, shape)) {
                throw new KifInputException(source + ": tensor '" + name + "' has shape " + Arrays.toString(fileShape)
                        + ", but the config implies " + Arrays.toString(shape));
            }
            a = source.load(name);
            if (a.dataType() != dataType()) {
                throw new KifInputException(source + ": tensor '" + name + "' is " + source.info(name).dtype()
                        + ", expected a floating dtype");
            }
            loaded.put(name, a);
        }
        return a;
    }

    /** Names taken so far, in order. */
    public Map<String, INDArray> taken() {
        return loaded;
    }

    /** Fails on tensors in the file that no block used, except those {@code ignorable} accepts. */
    public void checkAllUsed(Predicate<String> ignorable) {
        Set<String> unused = new TreeSet<>();
        for (String n : source.names()) {
            if (!loaded.containsKey(n) && !ignorable.test(n)) {
                unused.add(n);
            }
        }
        if (!unused.isEmpty()) {
            throw new KifInputException(source + ": " + unused.size() + " tensor(s) not used by the model built from "
                    + "config.json (wrong config or wrong checkpoint?): " + abbreviate(unused));
        }
    }

    private static String abbreviate(Set<String> names) {
        return names.size() <= 5 ? names.toString()
                : names.stream().limit(5).toList() + " and " + (names.size() - 5) + " more";
    }
}
