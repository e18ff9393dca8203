package io.kif4j.datasets;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Seeded selection of examples. {@link Random} is used because its sequence is fixed by its specification, so a
 * seed gives the same selection on every JVM.
 */
public final class Sampling {

    private Sampling() {
    }

    /**
     * A seed for one purpose on one task, derived from the run's seed, so that each task's selection does not
     * depend on which tasks came before it (a resumed run selects the same examples).
     */
    public static long seedFor(long seed, String taskName, String purpose) {
        long h = seed;
        h = h * 0x9E3779B97F4A7C15L + taskName.hashCode(); // String.hashCode is specified, hence stable
        h = h * 0x9E3779B97F4A7C15L + purpose.hashCode();
        return h ^ (h >>> 31);
    }

    /** A Fisher–Yates shuffle of a copy of {@code items}. */
    public static <T> List<T> shuffled(List<T> items, Random random) {
        List<T> out = new ArrayList<>(items);
        for (int i = out.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            T tmp = out.get(i);
            out.set(i, out.get(j));
            out.set(j, tmp);
        }
        return out;
    }

    /** {@code n} examples drawn uniformly without replacement (all of them when {@code n} ≥ size). */
    public static List<Example> uniform(List<Example> pool, int n, Random random) {
        List<Example> s = shuffled(pool, random);
        return List.copyOf(s.subList(0, Math.min(n, s.size())));
    }

    /**
     * Class-balanced sampling as Recurrent-KIF's {@code load_memory_buffer}: {@code max(1, n / labels)} per label
     * (or all of a label's examples when it has fewer), then a uniform top-up from the rest up to {@code n}. Every
     * label present in {@code pool} is covered, so the result can exceed {@code n} when {@code n} is smaller
     * than the number of labels. Labels are the {@code output} strings, visited in {@code labelOrder} and then in
     * first-seen order.
     */
    public static List<Example> classBalanced(List<Example> pool, int n, List<String> labelOrder, Random random) {
        if (n >= pool.size()) {
            return List.copyOf(shuffled(pool, random));
        }
        Map<String, List<Integer>> byLabel = new LinkedHashMap<>();
        for (String label : labelOrder) {
            byLabel.put(label, new ArrayList<>());
        }
        for (int i = 0; i < pool.size(); i++) {
            byLabel.computeIfAbsent(pool.get(i).output(), k -> new ArrayList<>()).add(i);
        }
        byLabel.values().removeIf(List::isEmpty);
        int perLabel = Math.max(1, n / byLabel.size());
        boolean[] taken = new boolean[pool.size()];
        List<Integer> chosen = new ArrayList<>();
        for (List<Integer> indices : byLabel.values()) {
            List<Integer> picked = shuffled(indices, random).subList(0, Math.min(perLabel, indices.size()));
            for (int idx : picked) {
                taken[idx] = true;
                chosen.add(idx);
            }
        }
        if (chosen.size() < n) {
            List<Integer> rest = new ArrayList<>();
            for (int i = 0; i < pool.size(); i++) {
                if (!taken[i]) {
                    rest.add(i);
                }
            }
            chosen.addAll(shuffled(rest, random).subList(0, n - chosen.size()));
        }
        List<Example> out = new ArrayList<>(chosen.size());
        for (int idx : chosen) {
            out.add(pool.get(idx));
        }
        return List.copyOf(out);
    }
}
