package io.kif4j.datasets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtocolTest {

    static FolderBenchmark longSeq;

    @BeforeAll
    static void open() {
        longSeq = Benchmarks.longSequence(SharedData.data());
    }

    @Test
    void kifProtocolTrainsOn900OfTheKif1000AndValidatesOnTheOther100() {
        Task mnli = longSeq.task("mnli");
        TaskData data = Protocol.kif().apply(mnli);
        assertEquals(900, data.train().size());
        assertEquals(100, data.validation().size());
        Set<String> kifIds = new HashSet<>(mnli.info().subset(Protocol.KIF_TRAIN_1000).orElseThrow().ids());
        Set<String> train = ids(data.train());
        Set<String> validation = ids(data.validation());
        assertTrue(kifIds.containsAll(train) && kifIds.containsAll(validation));
        assertTrue(disjoint(train, validation), "validation is carved out of train");
        assertEquals(1500, data.test().size(), "KIF's MNLI test subset: 500 per class");
    }

    @Test
    void devIsHeldOutOfTheTrainingPoolAndDisjointFromTrainAndValidation() {
        Task dbpedia = longSeq.task("dbpedia");
        Protocol p = Protocol.small(500, 200).withValidationSize(50);
        TaskData dev = p.applyDev(dbpedia);
        assertEquals(500, dev.train().size());
        assertEquals(200, dev.test().size());
        assertEquals(50, dev.validation().size());
        Set<String> kifIds = new HashSet<>(dbpedia.info().subset(Protocol.KIF_TRAIN_1000).orElseThrow().ids());
        assertTrue(kifIds.containsAll(ids(dev.test())), "dev comes from the training pool, not the test split");
        assertTrue(disjoint(ids(dev.test()), ids(dev.train())) && disjoint(ids(dev.test()), ids(dev.validation())));
        assertEquals(new HashSet<>(dbpedia.info().labels()), dev.test().stream().map(Example::output).collect(Collectors.toSet()),
                "class-balanced like a test set");
        assertEquals(dev, p.applyDev(dbpedia), "deterministic");
        assertTrue(disjoint(ids(dev.test()), ids(p.apply(dbpedia).test())));
    }

    @Test
    void mnliRecordsWithoutGoldLabelAreExcludedFromTest() {
        Task mnli = longSeq.task("mnli");
        TaskData all = Protocol.full().apply(mnli);
        assertEquals(7600 - 131, all.test().size());
        assertTrue(all.test().stream().noneMatch(Example::hasNoGoldLabel));
        Protocol keep = new Protocol(null, null, 0, 0, 0, false, false, 42);
        assertEquals(7600, keep.apply(mnli).test().size());
    }

    @Test
    void smallClassBalancedRunIsDeterministicAndCoversEveryLabel() {
        Task yelp = longSeq.task("yelp");
        TaskData a = Protocol.small(200, 100).apply(yelp);
        TaskData b = Protocol.small(200, 100).apply(yelp);
        assertEquals(200, a.train().size());
        assertEquals(100, a.test().size());
        assertEquals(a.train(), b.train());
        assertEquals(a.test(), b.test());
        Map<String, Long> perLabel = a.train().stream().collect(Collectors.groupingBy(Example::output, Collectors.counting()));
        assertEquals(Map.of("very negative", 40L, "negative", 40L, "neutral", 40L, "positive", 40L, "very positive", 40L), perLabel);
        assertEquals(new HashSet<>(yelp.info().labels()), a.test().stream().map(Example::output).collect(Collectors.toSet()));
        TaskData other = Protocol.small(200, 100).withSeed(7).apply(yelp);
        assertNotEquals(ids(a.train()), ids(other.train()));
    }

    @Test
    void selectionOfATaskDoesNotDependOnOtherTasks() {
        Protocol p = Protocol.small(50, 20).withClassBalanced(false);
        TaskData first = p.apply(longSeq.task("cb"));
        p.apply(longSeq.task("copa"));
        assertEquals(first.train(), p.apply(longSeq.task("cb")).train());
    }

    @Test
    void kifSubsetKeepsItsOrderAndDuplicates() {
        Task rte = longSeq.task("rte");
        Protocol subsetOnly = new Protocol(Protocol.KIF_TRAIN_1000, null, 0, 0, 0, false, true, 42);
        List<Example> train = subsetOnly.apply(rte).train();
        List<String> ids = rte.info().subset(Protocol.KIF_TRAIN_1000).orElseThrow().ids();
        assertEquals(ids, train.stream().map(Example::id).toList());
        assertEquals(999, new HashSet<>(ids).size(), "KIF's RTE file holds one record twice");
    }

    @Test
    void tasksWithoutTheSubsetUseTheWholeSplit() {
        Task sciq = Benchmarks.superNi(SharedData.data()).task("task591_sciq_answer_generation");
        TaskData data = Protocol.kif().apply(sciq);
        assertEquals(900, data.train().size());
        assertEquals(100, data.test().size());
        assertFalse(data.info().isClassification());
    }

    @Test
    void classBalancedOnAGenerationTaskFallsBackToUniform() {
        Task sciq = Benchmarks.superNi(SharedData.data()).task("task591_sciq_answer_generation");
        TaskData data = Protocol.small(30, 10).apply(sciq);
        assertEquals(30, data.train().size());
        assertEquals(10, data.test().size());
    }

    static Set<String> ids(List<Example> examples) {
        return examples.stream().map(Example::id).collect(Collectors.toCollection(HashSet::new));
    }

    static boolean disjoint(Set<String> a, Set<String> b) {
        return a.stream().noneMatch(b::contains);
    }

    static <T> Map<String, T> byId(List<Example> examples, Function<Example, T> f) {
        return examples.stream().collect(Collectors.toMap(Example::id, f));
    }
}
