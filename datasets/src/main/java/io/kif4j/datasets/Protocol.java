package io.kif4j.datasets;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * How a task's splits become the examples a run trains, validates and tests on. docs/DATASETS.md describes every
 * option; the steps, in order, are:
 * <ol>
 *   <li>train: the records of {@code trainSubset} (an id list in task.json, e.g. KIF's {@code kif_train_1000}),
 *       or the whole train split when it is null or the task does not declare it;</li>
 *   <li>validation: the first {@code validationSize} of a seeded shuffle of that, carved out of train (the
 *       repositories' dev split equals their test split, so it cannot be used for model selection);</li>
 *   <li>train again: at most {@code maxTrain} of the rest, uniform or class-balanced;</li>
 *   <li>test: the test split without GLUE's "-" records when {@code excludeNoGoldLabel}, restricted to
 *       {@code testSubset} when declared, then at most {@code maxTest}, uniform or class-balanced.</li>
 * </ol>
 *
 * @param trainSubset        id-list name for train, or null for the whole split
 * @param testSubset         id-list name for test, or null for the whole split
 * @param validationSize     examples carved out of train for validation; 0 for none
 * @param maxTrain           cap on training examples; 0 for no cap
 * @param maxTest            cap on test examples; 0 for no cap
 * @param classBalanced      sample the caps class-balanced (classification tasks only; others sample uniformly)
 * @param excludeNoGoldLabel drop records whose output is "-" (MNLI test/dev: no gold label in GLUE)
 * @param seed               the one seed every selection derives from
 */
public record Protocol(String trainSubset, String testSubset, int validationSize, int maxTrain, int maxTest,
                       boolean classBalanced, boolean excludeNoGoldLabel, long seed) {

    private static final Logger LOG = LoggerFactory.getLogger(Protocol.class);

    /** KIF's training subset of each Long-Sequence task. */
    public static final String KIF_TRAIN_1000 = "kif_train_1000";

    /** KIF's test subset: at most 500 records per class. */
    public static final String KIF_TEST_500_PER_CLASS = "kif_test_500_per_class";

    public Protocol {
        if (validationSize < 0 || maxTrain < 0 || maxTest < 0) {
            throw new IllegalArgumentException("sizes must be >= 0: validation " + validationSize
                    + ", train " + maxTrain + ", test " + maxTest);
        }
    }

    /**
     * KIF's protocol (spec §5.1, §8.2): the 1000-example training subset with 100 held out for validation, the
     * ≤500-per-class test subset, seed 42.
     */
    public static Protocol kif() {
        return new Protocol(KIF_TRAIN_1000, KIF_TEST_500_PER_CLASS, 100, 0, 0, false, true, 42);
    }

    /** Every record of train and test, nothing held out. */
    public static Protocol full() {
        return new Protocol(null, null, 0, 0, 0, false, true, 42);
    }

    /**
     * A small run: {@code nTrain} class-balanced training examples drawn from KIF's subset and {@code mTest} test
     * examples, no validation set (add one with {@link #withValidationSize}).
     */
    public static Protocol small(int nTrain, int mTest) {
        return new Protocol(KIF_TRAIN_1000, KIF_TEST_500_PER_CLASS, 0, nTrain, mTest, true, true, 42);
    }

    public Protocol withValidationSize(int size) {
        return new Protocol(trainSubset, testSubset, size, maxTrain, maxTest, classBalanced, excludeNoGoldLabel, seed);
    }

    public Protocol withSeed(long newSeed) {
        return new Protocol(trainSubset, testSubset, validationSize, maxTrain, maxTest, classBalanced, excludeNoGoldLabel, newSeed);
    }

    public Protocol withClassBalanced(boolean balanced) {
        return new Protocol(trainSubset, testSubset, validationSize, maxTrain, maxTest, balanced, excludeNoGoldLabel, seed);
    }

    /** Applies the protocol to one task; reads its train and test splits. */
    public TaskData apply(Task task) {
        return apply(task, false);
    }

    /**
     * As {@link #apply(Task)}, but the examples it evaluates on are a dev set held out of the training pool
     * ({@code maxTest} of it, drawn like a test set, before validation and training are drawn from the rest); the
     * test split is not read. The repositories' dev split is their test split (see the class comment), so model
     * selection must use this instead.
     */
    public TaskData applyDev(Task task) {
        return apply(task, true);
    }

    private TaskData apply(Task task, boolean devFromTrain) {
        TaskInfo info = task.info();
        List<Example> train = select(task, Split.TRAIN, trainSubset, task.load(Split.TRAIN));
        train = dropNoGold(info, Split.TRAIN, train);
        List<Example> dev = null;
        if (devFromTrain) {
            dev = cap(info, train, maxTest == 0 ? train.size() / 5 : Math.min(maxTest, train.size() / 2), "dev");
            java.util.Set<String> held = new java.util.HashSet<>();
            dev.forEach(e -> held.add(e.id()));
            train = train.stream().filter(e -> !held.contains(e.id())).toList();
        }
        List<Example> shuffled = Sampling.shuffled(train, new Random(Sampling.seedFor(seed, info.name(), "validation")));
        int nVal = Math.min(validationSize, Math.max(0, shuffled.size() - 1)); // always leave something to train on
        if (nVal < validationSize) {
            LOG.warn("task {}: only {} training examples; validation set cut to {}", info.name(), shuffled.size(), nVal);
        }
        List<Example> validation = List.copyOf(shuffled.subList(0, nVal));
        List<Example> rest = nVal == 0 ? train : shuffled.subList(nVal, shuffled.size());
        List<Example> trainOut = cap(info, rest, maxTrain, "train");
        if (dev != null) {
            return new TaskData(task, trainOut, validation, dev);
        }

        List<Example> test = dropNoGold(info, Split.TEST, task.load(Split.TEST));
        test = select(task, Split.TEST, testSubset, test);
        List<Example> testOut = cap(info, test, maxTest, "test");
        return new TaskData(task, trainOut, validation, testOut);
    }

    private List<Example> dropNoGold(TaskInfo info, Split split, List<Example> examples) {
        if (!excludeNoGoldLabel) {
            return examples;
        }
        List<Example> kept = examples.stream().filter(e -> !e.hasNoGoldLabel()).toList();
        if (kept.size() < examples.size()) {
            LOG.info("task {}: excluded {} {} records labelled \"-\" (no gold label)", info.name(),
                    examples.size() - kept.size(), split.key());
        }
        return kept;
    }

    /** The records named by the subset's id list, in its order; ids missing from {@code records} are skipped. */
    private static List<Example> select(Task task, Split split, String subsetName, List<Example> records) {
        if (subsetName == null) {
            return records;
        }
        IdSubset subset = task.info().subset(subsetName).orElse(null);
        if (subset == null) {
            LOG.info("task {}: no subset \"{}\" declared; using the whole {} split", task.name(), subsetName, split.key());
            return records;
        }
        if (subset.split() != split) {
            throw new IllegalArgumentException("subset \"" + subsetName + "\" of task " + task.name() + " is a "
                    + subset.split().key() + " subset, not " + split.key());
        }
        Map<String, Example> byId = new HashMap<>();
        for (Example e : records) {
            byId.put(e.id(), e);
        }
        List<Example> out = new ArrayList<>(subset.ids().size());
        int missing = 0;
        for (String id : subset.ids()) {
            Example e = byId.get(id);
            if (e == null) {
                missing++; // e.g. a "-" record removed before selection
            } else {
                out.add(e);
            }
        }
        if (missing > 0) {
            LOG.info("task {}: {} ids of subset \"{}\" not among the {} records kept", task.name(), missing, subsetName, split.key());
        }
        return List.copyOf(out);
    }

    private List<Example> cap(TaskInfo info, List<Example> pool, int max, String purpose) {
        if (max == 0 || max >= pool.size()) {
            return List.copyOf(pool);
        }
        Random random = new Random(Sampling.seedFor(seed, info.name(), purpose));
        return classBalanced && info.isClassification()
                ? Sampling.classBalanced(pool, max, info.labels(), random)
                : Sampling.uniform(pool, max, random);
    }
}
