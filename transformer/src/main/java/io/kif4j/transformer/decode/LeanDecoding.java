package io.kif4j.transformer.decode;

import io.kif4j.transformer.nn.LinearAdapter;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether greedy generation runs its decoding steps on the lean decoder ({@link LeanLlama},
 * {@link LeanT5Decoder}) or on the SameDiff step graph, and logs why when it falls back.
 *
 * <p>The lean decoder is plain host loops and BLAS calls on preallocated arrays: a SameDiff step spends about half
 * its time in the executor's per-op bookkeeping (docs/PERFORMANCE.md). The prefill (prompt, T5's encoder) stays
 * a graph pass. It runs when the backend is ND4J's CPU backend (it calls that backend's OpenBLAS), the adapter
 * can state its term as low-rank factors (LoRA without active dropout; no adapter), and the activation is one it
 * implements. {@code -Dkif.decode=graph} forces the graph.
 */
public final class LeanDecoding {

    /** System property: {@code graph} runs every decoding step as a SameDiff graph. */
    public static final String PROPERTY = "kif.decode";

    private static final Logger LOG = LoggerFactory.getLogger(LeanDecoding.class);
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private LeanDecoding() {
    }

    /** Whether to decode on the lean path; logs the reason (once per reason) when not. */
    public static boolean use(LinearAdapter adapter, String activation, DataType dataType) {
        String why = unsupported(adapter, activation, dataType);
        if (why != null && LOGGED.add(why)) {
            LOG.info("greedy decoding runs on the SameDiff step graph: {}", why);
        }
        return why == null;
    }

    /** Why the lean decoder cannot run on a FLOAT model, or null when it can. */
    public static String unsupported(LinearAdapter adapter, String activation) {
        return unsupported(adapter, activation, DataType.FLOAT);
    }

    /** Why the lean decoder cannot run on a model whose values are {@code dataType}, or null when it can. */
    public static String unsupported(LinearAdapter adapter, String activation, DataType dataType) {
        if (dataType != DataType.FLOAT) {
            return "the lean decoder calls sgemm (FLOAT); the model is " + dataType; // float64 checks (Models.load)
        }
        if ("graph".equalsIgnoreCase(System.getProperty(PROPERTY, "").trim())) {
            return "-D" + PROPERTY + "=graph";
        }
        String backend = Nd4j.getBackend().getClass().getSimpleName();
        if (!backend.equals("CpuBackend")) {
            return "the lean decoder calls the CPU backend's BLAS; the backend is " + backend;
        }
        if (!adapter.hasLowRankForm()) {
            return "the adapter (" + adapter.getClass().getSimpleName() + ") has no low-rank form now "
                    + "(LoRA dropout while training?)";
        }
        if (!LeanActivation.supports(activation)) {
            return "activation '" + activation + "' is not implemented by the lean decoder";
        }
        return null;
    }
}
