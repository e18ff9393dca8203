package io.kif4j.datasets.batch;

/** How many encoded examples had their prompt or target cut. */
public record TruncationStats(int examples, int sourceTruncated, int targetTruncated) {

    public static final TruncationStats NONE = new TruncationStats(0, 0, 0);

    public TruncationStats plus(TruncationStats o) {
        return new TruncationStats(examples + o.examples, sourceTruncated + o.sourceTruncated, targetTruncated + o.targetTruncated);
    }

    @Override
    public String toString() {
        return sourceTruncated + " of " + examples + " prompts and " + targetTruncated + " targets truncated";
    }
}
