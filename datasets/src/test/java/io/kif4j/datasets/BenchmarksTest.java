package io.kif4j.datasets;

import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BenchmarksTest {

    static FolderBenchmark longSeq;
    static FolderBenchmark superNi;

    @BeforeAll
    static void open() {
        longSeq = Benchmarks.longSequence(SharedData.data());
        superNi = Benchmarks.superNi(SharedData.data());
    }

    @Test
    void everyTaskOfBothBenchmarksLoadsWithTheCountsOfItsTaskJson() {
        for (Benchmark b : List.of(longSeq, superNi)) {
            assertEquals(15, b.taskNames().size(), b.name());
            for (String name : b.taskNames()) {
                Task task = b.task(name);
                assertEquals(name, task.info().name());
                for (Split split : Split.values()) {
                    Integer declared = task.info().counts().get(split);
                    assertTrue(declared != null && declared > 0, name + " declares no " + split.key() + " count");
                    List<Example> examples = task.load(split);
                    assertEquals(declared.intValue(), examples.size(), name + " " + split.key());
                }
            }
        }
    }

    @Test
    void superNiSizesMatchSpecTable() {
        Map<String, Integer> train = Map.of("task073", 975, "task1572", 160, "task1590", 126, "task181", 338, "task639", 142);
        Map<String, Integer> test = Map.of("task073", 100, "task1572", 20, "task1590", 16, "task181", 43, "task639", 18);
        for (String name : superNi.taskNames()) {
            String id = name.substring(0, name.indexOf('_'));
            TaskInfo info = superNi.task(name).info();
            assertEquals(train.getOrDefault(id, 1000), info.counts().get(Split.TRAIN), name);
            assertEquals(test.getOrDefault(id, 100), info.counts().get(Split.TEST), name);
        }
    }

    @Test
    void longSequenceOrdersAreTheExplicitListsOfTheSpec() {
        // spec §8.2, KIF ids 1 and 3 = our orders "4" and "6" (orders.json uses O-LoRA's numbering);
        // the spec's boolqa / sst-2 are the folders boolq / sst2.
        assertEquals(List.of("mnli", "cb", "wic", "copa", "qqp", "boolq", "rte", "imdb", "yelp", "amazon", "sst2",
                "dbpedia", "agnews", "multirc", "yahoo"), names(longSeq.order("4")));
        assertEquals(List.of("yelp", "amazon", "mnli", "cb", "copa", "qqp", "rte", "imdb", "sst2", "dbpedia",
                "agnews", "yahoo", "multirc", "boolq", "wic"), names(longSeq.order("6")));
        assertEquals(List.of("dbpedia", "amazon", "yahoo", "agnews"), names(longSeq.order("1")));
        assertEquals(List.of("1", "2", "3", "4", "5", "6"), List.copyOf(longSeq.orders().keySet()));
        for (String id : longSeq.orders().keySet()) {
            List<Task> tasks = longSeq.order(id);
            assertEquals(longSeq.orders().get(id).size(), tasks.size());
        }
    }

    @Test
    void superNiOrdersAreTheExplicitListsOfTheSpec() {
        assertEquals(List.of("task1572", "task363", "task1290", "task181", "task002", "task1510", "task639", "task1729",
                "task073", "task1590", "task748", "task511", "task591", "task1687", "task875"), shortIds(superNi.order("1")));
        assertEquals(List.of("task748", "task073", "task1590", "task639", "task1572", "task1687", "task591", "task363",
                "task1510", "task1729", "task181", "task511", "task002", "task1290", "task875"), shortIds(superNi.order("2")));
    }

    @Test
    void anOrderCanBeAnExplicitListAndUnknownNamesFailClearly() {
        assertEquals(List.of("cb", "copa"), names(longSeq.order("cb, copa")));
        assertEquals(List.of("cb"), names(longSeq.order("cb")));
        KifInputException noOrder = assertThrows(KifInputException.class, () -> longSeq.order("9"));
        assertTrue(noOrder.getMessage().contains("no order \"9\""), noOrder.getMessage());
        KifInputException noTask = assertThrows(KifInputException.class, () -> longSeq.order("cb,boolqa"));
        assertTrue(noTask.getMessage().contains("no task \"boolqa\""), noTask.getMessage());
    }

    @Test
    void dataRootFlagMustExist() {
        assertEquals(SharedData.data(), Benchmarks.dataRoot(SharedData.data()));
        KifInputException e = assertThrows(KifInputException.class,
                () -> Benchmarks.dataRoot(SharedData.data().resolve("nope")));
        assertTrue(e.getMessage().contains("data root not found"), e.getMessage());
    }

    @Test
    void taskJsonFieldsAreRead() {
        TaskInfo cb = longSeq.task("cb").info();
        assertEquals("NLI", cb.family());
        assertEquals("CB", cb.dataset());
        assertEquals(List.of("entailment", "contradiction", "neutral"), cb.labels());
        assertEquals(250, cb.subset(Protocol.KIF_TRAIN_1000).orElseThrow().ids().size());
        TaskInfo t002 = superNi.task("task002_quoref_answer_generation").info();
        assertFalse(t002.isClassification());
        assertTrue(t002.definition().startsWith("In this task"), t002.definition());
    }

    static List<String> names(List<Task> tasks) {
        return tasks.stream().map(Task::name).toList();
    }

    static List<String> shortIds(List<Task> tasks) {
        return tasks.stream().map(t -> t.name().substring(0, t.name().indexOf('_'))).toList();
    }
}
