package io.kif4j.datasets;

import java.util.List;

/**
 * A named list of record ids of one split, declared in task.json under {@code subsets}, such as KIF's
 * {@code kif_train_1000}. The list keeps its order and any duplicate (KIF's RTE training file holds one record
 * twice, so its 1000-id list names 999 distinct records).
 */
public record IdSubset(String name, Split split, List<String> ids) {

    public IdSubset {
        ids = List.copyOf(ids);
    }
}
