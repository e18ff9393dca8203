package io.kif4j.datasets;

/** The three files of a task folder. */
public enum Split {
    TRAIN("train"),
    DEV("dev"),
    TEST("test");

    private final String key;

    Split(String key) {
        this.key = key;
    }

    /** The name used in task.json ({@code "train"}) and, with ".jsonl", as the file name. */
    public String key() {
        return key;
    }

    public String fileName() {
        return key + ".jsonl";
    }

    /** The split named {@code key} ("train", "dev", "test"), or null. */
    public static Split fromKey(String key) {
        for (Split s : values()) {
            if (s.key.equals(key)) {
                return s;
            }
        }
        return null;
    }
}
