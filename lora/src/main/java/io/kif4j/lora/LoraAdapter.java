package io.kif4j.lora;

import io.kif4j.transformer.nn.Graph;
import io.kif4j.transformer.nn.LinearAdapter;
import io.kif4j.transformer.nn.LinearAdapter.LowRank;
import io.kif4j.common.KifInputException;
import io.kif4j.weights.WeightSource;
import io.kif4j.weights.safetensors.SafetensorsFile;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.random.custom.RandomBernoulli;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * LoRA on every linear layer whose module path the config targets: y = W·x + scaling · B·(A·x), with dropout on
 * x before A while {@link #training}. A and B are SameDiff variables named {@code <path>.lora_A.weight} /
 * {@code <path>.lora_B.weight}; the arrays live here, so every graph built with this adapter shares them and an
 * in-place optimizer step is seen by all.
 *
 * <p>New modules are initialised as PEFT does (A Kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in); B = 0)
 * from a seeded generator, in the order the graph meets them. Loaded adapters must cover exactly the targeted
 * modules: a missing or unused pair is an error naming it.
 */
public final class LoraAdapter implements LinearAdapter {

    public static final String CONFIG_FILE = "adapter_config.json";
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";

    private final LoraConfig config;
    private final Map<String, LoraModule> modules = new LinkedHashMap<>();
    private final boolean frozenSet; // loaded from a file: no new modules may appear
    private final SplittableRandom init;
    private final Set<String> seenInGraph = new LinkedHashSet<>();
    private boolean training;
    private String source = "adapter";

    private LoraAdapter(LoraConfig config, boolean frozenSet, long seed) {
        this.config = config;
        this.frozenSet = frozenSet;
        this.init = new SplittableRandom(seed);
    }

    /** A fresh adapter; its modules are created when a model graph is first built with it. */
    public static LoraAdapter create(LoraConfig config, long seed) {
        return new LoraAdapter(config, false, seed);
    }

    /** Loads a PEFT adapter folder (adapter_config.json + adapter_model.safetensors). */
    public static LoraAdapter load(Path dir) {
        LoraConfig config = LoraConfig.read(dir.resolve(CONFIG_FILE));
        Path weights = dir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(weights)) {
            if (Files.isRegularFile(dir.resolve("adapter_model.bin"))) {
                throw KifInputException.of(dir.resolve("adapter_model.bin"), "PyTorch pickle adapters are refused: "
                        + "loading one can execute arbitrary code. Save the adapter with safe_serialization=True.");
            }
            throw KifInputException.of(dir, "no " + WEIGHTS_FILE + " in the adapter folder");
        }
        LoraAdapter adapter = new LoraAdapter(config, true, 0);
        adapter.source = weights.toString();
        adapter.putAll(SafetensorsFile.open(weights), weights);
        return adapter;
    }

    /**
     * An adapter over the given arrays (not copied), e.g. fused or synthetic LoRA weights. Like a loaded adapter,
     * it must cover exactly the targeted modules of a model it is attached to.
     *
     * @param modules module path → {A [r, in], B [out, r]}, float matrices of rank {@code config.r()}, in order
     */
    public static LoraAdapter of(LoraConfig config, Map<String, INDArray[]> modules) {
        LoraAdapter adapter = new LoraAdapter(config, true, 0);
        for (var e : modules.entrySet()) {
            INDArray a = e.getValue()[0];
            INDArray b = e.getValue()[1];
            if (a == null || b == null || a.rank() != 2 || b.rank() != 2 || a.dataType() != DataType.FLOAT
                    || b.dataType() != DataType.FLOAT) {
                throw new IllegalArgumentException("module '" + e.getKey() + "' needs two 2-D float matrices A, B");
            }
            if (a.size(0) != config.r() || b.size(1) != config.r()) {
                throw new IllegalArgumentException("module '" + e.getKey() + "': lora_A " + shape(a) + " and lora_B "
                        + shape(b) + " do not have rank r = " + config.r());
            }
            adapter.modules.put(e.getKey(), new LoraModule(e.getKey(), a, b));
        }
        return adapter;
    }

    private void putAll(WeightSource src, Path file) {
        Map<String, INDArray[]> pairs = new LinkedHashMap<>();
        for (String key : src.names()) {
            boolean isA = LoraKeys.isA(key);
            boolean isB = LoraKeys.isB(key);
            // The length check: "base_model.model.lora_A.weight" has prefix and suffix sharing the dot, and no module.
            if (!key.startsWith(LoraModule.PEFT_PREFIX) || !(isA || isB)
                    || key.length() <= LoraModule.PEFT_PREFIX.length() + LoraKeys.A.length()) {
                throw KifInputException.of(file, "tensor '" + key + "' is not a PEFT LoRA weight "
                        + "(expected base_model.model.<module>.lora_A.weight / .lora_B.weight)");
            }
            String path = LoraKeys.moduleOfMatrix(key.substring(LoraModule.PEFT_PREFIX.length()));
            INDArray t = src.load(key);
            if (t.rank() != 2 || t.dataType() != DataType.FLOAT) {
                throw KifInputException.of(file, "tensor '" + key + "' must be a 2-D float matrix");
            }
            pairs.computeIfAbsent(path, p -> new INDArray[2])[isA ? 0 : 1] = t;
        }
        for (var e : pairs.entrySet()) {
            INDArray a = e.getValue()[0];
            INDArray b = e.getValue()[1];
            String p = e.getKey();
            if (a == null || b == null) {
                throw KifInputException.of(file, "module '" + p + "' has lora_" + (a == null ? "B" : "A")
                        + " but no lora_" + (a == null ? "A" : "B"));
            }
            if (a.size(0) != config.r() || b.size(1) != config.r()) {
                throw KifInputException.of(file, "module '" + p + "': lora_A " + shape(a) + " and lora_B " + shape(b)
                        + " do not have rank r = " + config.r() + " of adapter_config.json");
            }
            modules.put(p, new LoraModule(p, a, b));
        }
    }

    private static String shape(INDArray a) {
        return java.util.Arrays.toString(a.shape());
    }

    public LoraConfig config() {
        return config;
    }

    public double scaling() {
        return config.scaling();
    }

    /** Modules in graph order. */
    public List<LoraModule> modules() {
        return Collections.unmodifiableList(new ArrayList<>(modules.values()));
    }

    public LoraModule module(String path) {
        return modules.get(path);
    }

    /** Dropout is applied only to graphs built while training. */
    public void setTraining(boolean training) {
        this.training = training;
    }

    public boolean training() {
        return training;
    }

    /** Names of the SameDiff variables (all A and B matrices). */
    public List<String> variableNames() {
        List<String> names = new ArrayList<>();
        for (LoraModule m : modules.values()) {
            names.add(m.aName());
            names.add(m.bName());
        }
        return names;
    }

    /** The array behind a variable name from {@link #variableNames()}. */
    public INDArray array(String variableName) {
        LoraModule m = modules.get(LoraKeys.moduleOfMatrix(variableName));
        if (m == null) {
            throw new IllegalArgumentException("no LoRA variable " + variableName);
        }
        return LoraKeys.isA(variableName) ? m.a() : m.b();
    }

    /**
     * Does the config target {@code modulePath}? A target_modules regex that exhausts its matching budget on this
     * path is an input error of the adapter: it is reported naming the adapter, not as an internal error.
     */
    public boolean targets(String modulePath) {
        try {
            return config.targets(modulePath);
        } catch (IllegalArgumentException e) {
            throw new KifInputException(source + ": " + CONFIG_FILE + ": " + e.getMessage(), e);
        }
    }

    /**
     * The LoRA term of spec Eq. 2, h = W₀x + (α/r)·B·A·x (the layer adds it to W₀x), equally Eq. 4's
     * (α/r)·Σ_i u_i·x over the rank-one units u_i = b_i a_iᵀ of Eq. 3; LoRA dropout on x while {@link #training}.
     */
    @Override
    public SDVariable delta(Graph g, String modulePath, SDVariable x, long in, long out) {
        LoraModule m = moduleFor(modulePath, in, out);
        if (m == null) {
            return null;
        }
        SDVariable a = g.sd.hasVariable(m.aName()) ? g.sd.getVariable(m.aName()) : g.sd.var(m.aName(), m.a());
        SDVariable b = g.sd.hasVariable(m.bName()) ? g.sd.getVariable(m.bName()) : g.sd.var(m.bName(), m.b());
        double p = config.loraDropout();
        if (training && p > 0) {
            // s·B·A·dropout(x) with the scaling folded into the mask: x ⊙ (keep · s/(1−p)), then two matmuls.
            SDVariable mask = dropoutMask(g, x, p, config.scaling());
            SDVariable dropped = io.kif4j.transformer.nn.FrozenScale.apply(g.sd, x, mask); // no gradient into the mask
            SDVariable ax = g.sd.mmul(dropped, a, false, true, false);              // [N, r]
            return g.sd.mmul(ax, b, false, true, false);                            // [N, out]
        }
        SDVariable ax = g.sd.mmul(x, a, false, true, false).mul(config.scaling());  // [N, r]: scale the narrow side
        return g.sd.mmul(ax, b, false, true, false);                                // [N, out]
    }

    /**
     * What {@link #delta} bakes into a graph: the A and B variables with their shapes, the targets, the scaling and
     * the dropout the graph draws (none in evaluation).
     */
    @Override
    public Layout layout() {
        Map<String, List<Long>> variables = new LinkedHashMap<>();
        for (LoraModule m : modules.values()) {
            variables.put(m.aName(), List.of(m.a().size(0), m.a().size(1)));
            variables.put(m.bName(), List.of(m.b().size(0), m.b().size(1)));
        }
        double dropout = training ? config.loraDropout() : 0;
        return new Layout(variables, java.util.Arrays.asList(config.targetModules(), config.targetModulesRegex(),
                config.scaling(), dropout));
    }

    /** Puts every module's A and B into a graph built for an equal layout; a module it has counts as used. */
    @Override
    public void rebind(java.util.function.BiPredicate<String, INDArray> bind) {
        for (LoraModule m : modules.values()) {
            if (bind.test(m.aName(), m.a()) & bind.test(m.bName(), m.b())) {
                seenInGraph.add(m.path());
            }
        }
    }

    /** Without dropout (evaluation, or a dropout of 0) the term is exactly {@link #lowRank}'s. */
    @Override
    public boolean hasLowRankForm() {
        return !(training && config.loraDropout() > 0);
    }

    /** A, B and the scaling of {@code modulePath}, as {@link #delta} uses them without dropout; null if not targeted. */
    @Override
    public LowRank lowRank(String modulePath, long in, long out) {
        LoraModule m = moduleFor(modulePath, in, out);
        return m == null ? null : new LowRank(m.a(), m.b(), config.scaling());
    }

    /** The module of a targeted layer (created when new and not loaded), checked against the layer; null if not targeted. */
    private LoraModule moduleFor(String modulePath, long in, long out) {
        if (!targets(modulePath)) {
            return null;
        }
        LoraModule m = modules.get(modulePath);
        if (m == null) {
            if (frozenSet) {
                throw new KifInputException(source + ": no LoRA weights for targeted module '" + modulePath + "'");
            }
            m = newModule(modulePath, in, out);
        } else if (m.in() != in || m.out() != out) {
            throw new KifInputException(source + ": module '" + modulePath + "' has lora_A " + shape(m.a())
                    + " and lora_B " + shape(m.b()) + ", but the layer is " + in + " → " + out);
        }
        seenInGraph.add(modulePath);
        return m;
    }

    /**
     * Inverted dropout on x, as torch.nn.Dropout in training: zero with probability p, scale the rest by 1/(1−p).
     * SameDiff's own dropout ops have no derivative in 1.0.0-M2.1, so the mask is a Bernoulli draw of x's run-time
     * shape (seeded through Nd4j.getRandom()).
     */
    static SDVariable dropout(Graph g, SDVariable x, double p) {
        return x.mul(dropoutMask(g, x, p, 1.0));
    }

    /**
     * A fresh mask of x's shape holding 0 with probability p and {@code scale}/(1−p) elsewhere; each call draws its
     * own (PEFT has one dropout module per layer), while the shape op is shared by all masks of one input.
     */
    static SDVariable dropoutMask(Graph g, SDVariable x, double p, double scale) {
        SDVariable shape = g.memo("shape:" + x.name(), () -> g.sd.shape(x));
        SDVariable keep = new RandomBernoulli(g.sd, shape, 1 - p).outputVariable();  // FLOAT
        if (x.dataType() != DataType.FLOAT) {
            keep = g.sd.castTo(keep, x.dataType());
        }
        return keep.mul(scale / (1 - p));
    }

    private LoraModule newModule(String path, long in, long out) {
        int r = config.r();
        float bound = (float) (1.0 / Math.sqrt(in));
        float[] a = new float[(int) (r * in)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) ((init.nextDouble() * 2 - 1) * bound);
        }
        LoraModule m = new LoraModule(path, Nd4j.create(a, new long[]{r, in}, 'c'), Nd4j.zeros(DataType.FLOAT, out, r));
        modules.put(path, m);
        return m;
    }

    /** After a graph was built: every loaded module must have been used by it. */
    public void checkAllUsed() {
        Set<String> unused = new TreeSet<>(modules.keySet());
        unused.removeAll(seenInGraph);
        if (!unused.isEmpty()) {
            throw new KifInputException(source + ": LoRA weights for " + unused.size() + " module(s) the model does "
                    + "not have or the config does not target: " + unused);
        }
    }

    /** PEFT key → tensor, A then B per module, in graph order. */
    public Map<String, INDArray> peftTensors() {
        Map<String, INDArray> t = new LinkedHashMap<>();
        for (LoraModule m : modules.values()) {
            t.put(m.peftA(), m.a());
            t.put(m.peftB(), m.b());
        }
        return t;
    }

    /** Writes PEFT's layout: adapter_config.json and adapter_model.safetensors, each atomically. */
    public void save(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot create " + dir, e);
        }
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), peftTensors());
        config.write(dir.resolve(CONFIG_FILE));
    }

    /**
     * A copy with {@code extra} more rank-one pairs per module, as IncLoRA and O-LoRA add a new (A_t, B_t) per task:
     * the existing rows of A and columns of B come first, unchanged; the new rows are PEFT-initialised (Kaiming
     * uniform) and the new columns of B are zero, so the adapted model is unchanged. lora_alpha grows with r so the
     * per-pair scaling α/r stays the same, and the file remains a plain PEFT adapter.
     */
    public LoraAdapter grow(int extra, long seed) {
        int r = config.r();
        int r2 = r + extra;
        LoraConfig c2 = new LoraConfig(r2, config.loraAlpha() * r2 / r, config.loraDropout(), config.targetModules(),
                config.targetModulesRegex(), config.bias(), config.useRslora(), config.taskType(),
                config.baseModelNameOrPath());
        if (config.useRslora()) {
            throw new IllegalArgumentException("growing an rsLoRA adapter would change its scaling");
        }
        LoraAdapter g = new LoraAdapter(c2, false, seed);
        for (LoraModule m : modules.values()) {
            float bound = (float) (1.0 / Math.sqrt(m.in()));
            INDArray a = Nd4j.zeros(DataType.FLOAT, r2, m.in());
            a.get(NDArrayIndex.interval(0, r), NDArrayIndex.all()).assign(m.a());
            float[] fresh = new float[(int) (extra * m.in())];
            for (int i = 0; i < fresh.length; i++) {
                fresh[i] = (float) ((g.init.nextDouble() * 2 - 1) * bound);
            }
            a.get(NDArrayIndex.interval(r, r2), NDArrayIndex.all()).assign(Nd4j.create(fresh, new long[]{extra, m.in()}, 'c'));
            INDArray b = Nd4j.zeros(DataType.FLOAT, m.out(), r2);
            b.get(NDArrayIndex.all(), NDArrayIndex.interval(0, r)).assign(m.b());
            g.modules.put(m.path(), new LoraModule(m.path(), a, b));
        }
        g.source = source;
        return g;
    }

    /** A deep copy (same config, copied arrays). */
    public LoraAdapter copy() {
        LoraAdapter c = new LoraAdapter(config, frozenSet, 0);
        for (LoraModule m : modules.values()) {
            c.modules.put(m.path(), new LoraModule(m.path(), m.a().dup(), m.b().dup()));
        }
        c.source = source;
        return c;
    }
}
