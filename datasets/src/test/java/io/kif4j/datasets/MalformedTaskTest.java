package io.kif4j.datasets;

import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each broken task gives a {@link KifInputException} naming the file, the line and the field. */
class MalformedTaskTest {

    @TempDir
    Path dir;

    static final String GOOD = "{\"id\": \"a\", \"input\": \"x\", \"output\": \"yes\"}\n";

    Path task(String taskJson, String train) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("t"));
        Files.writeString(folder.resolve("task.json"), taskJson);
        Files.writeString(folder.resolve("train.jsonl"), train);
        return folder;
    }

    static final String LABELS = "{\"task\": \"t\", \"labels\": [\"yes\", \"no\"]}";

    void assertFails(Path folder, String... fragments) {
        KifInputException e = assertThrows(KifInputException.class, () -> Task.open(folder).load(Split.TRAIN));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message lacks \"" + f + "\": " + e.getMessage());
        }
    }

    @Test
    void aWellFormedTaskLoads() throws IOException {
        Path folder = task(LABELS, GOOD + "{\"id\": \"b\", \"input\": \"z\", \"output\": \"no\"}");
        assertEquals(2, Task.open(folder).load(Split.TRAIN).size());
    }

    @Test
    void missingField() throws IOException {
        Path folder = task(LABELS, GOOD + "{\"id\": \"b\", \"input\": \"z\"}\n");
        assertFails(folder, "train.jsonl", "line 2", "missing field \"output\"");
    }

    @Test
    void fieldOfTheWrongType() throws IOException {
        Path folder = task(LABELS, "{\"id\": 7, \"input\": \"z\", \"output\": \"no\"}\n");
        assertFails(folder, "train.jsonl", "line 1", "field \"id\" must be a string");
    }

    @Test
    void labelOutsideTheLabelSet() throws IOException {
        Path folder = task(LABELS, GOOD + GOOD.replace("\"a\"", "\"b\"") + "{\"id\": \"c\", \"input\": \"z\", \"output\": \"maybe\"}\n");
        assertFails(folder, "train.jsonl", "line 3", "field \"output\"", "\"maybe\"", "[yes, no]");
    }

    @Test
    void nonUtf8Line() throws IOException {
        Path folder = task(LABELS, "");
        try (OutputStream out = Files.newOutputStream(folder.resolve("train.jsonl"))) {
            out.write(GOOD.getBytes(StandardCharsets.UTF_8));
            out.write("{\"id\": \"b\", \"input\": \"caf".getBytes(StandardCharsets.UTF_8));
            out.write(0xE9); // Latin-1 é
            out.write("\", \"output\": \"no\"}\n".getBytes(StandardCharsets.UTF_8));
        }
        assertFails(folder, "train.jsonl", "line 2", "not valid UTF-8", "byte 26 of the line");
    }

    @Test
    void emptySplit() throws IOException {
        Path folder = task(LABELS, "");
        assertFails(folder, "train.jsonl", "empty split");
    }

    @Test
    void tenMegabyteLine() throws IOException {
        Path folder = task(LABELS, GOOD + "{\"id\": \"b\", \"input\": \"" + "x".repeat(10 * 1024 * 1024) + "\", \"output\": \"no\"}\n");
        assertFails(folder, "train.jsonl", "line 2", "longer than the limit of 1048576 bytes");
    }

    @Test
    void notJson() throws IOException {
        Path folder = task(LABELS, GOOD + "{\"id\": \"b\", \"input\": \n");
        assertFails(folder, "train.jsonl", "line 2", "not valid JSON");
    }

    @Test
    void blankLineInTheMiddle() throws IOException {
        Path folder = task(LABELS, GOOD + "\n" + GOOD);
        assertFails(folder, "train.jsonl", "line 2", "blank line");
    }

    @Test
    void duplicateId() throws IOException {
        Path folder = task(LABELS, GOOD + GOOD);
        assertFails(folder, "train.jsonl", "line 2", "field \"id\"", "already used on line 1");
    }

    @Test
    void countDifferentFromTaskJson() throws IOException {
        Path folder = task("{\"labels\": [\"yes\", \"no\"], \"splits\": {\"train\": {\"count\": 3}}}", GOOD);
        assertFails(folder, "train.jsonl", "holds 1 records", "splits.train.count = 3");
    }

    @Test
    void missingSplitFile() throws IOException {
        Path folder = task(LABELS, GOOD);
        KifInputException e = assertThrows(KifInputException.class, () -> Task.open(folder).load(Split.TEST));
        assertTrue(e.getMessage().contains("test.jsonl") && e.getMessage().contains("no test split"), e.getMessage());
    }

    @Test
    void badTaskJson() throws IOException {
        Path folder = task("{\"labels\": \"yes\"}", GOOD);
        KifInputException e = assertThrows(KifInputException.class, () -> Task.open(folder));
        assertTrue(e.getMessage().contains("task.json") && e.getMessage().contains("field \"labels\""), e.getMessage());
        Files.writeString(folder.resolve("task.json"), "{\"labels\": [\"a\"], ");
        e = assertThrows(KifInputException.class, () -> Task.open(folder));
        assertTrue(e.getMessage().contains("task.json") && e.getMessage().contains("not valid JSON"), e.getMessage());
        Files.writeString(folder.resolve("task.json"), "{\"splits\": {\"validation\": {\"count\": 3}}}");
        e = assertThrows(KifInputException.class, () -> Task.open(folder));
        assertTrue(e.getMessage().contains("unknown split \"validation\""), e.getMessage());
    }

    @Test
    void ordersNamingAMissingTask() throws IOException {
        task(LABELS, GOOD);
        Files.writeString(dir.resolve("orders.json"), "{\"orders\": {\"1\": [\"t\", \"u\"]}}");
        KifInputException e = assertThrows(KifInputException.class, () -> FolderBenchmark.open(dir, dir.resolve("orders.json")));
        assertTrue(e.getMessage().contains("orders.json") && e.getMessage().contains("orders.1") && e.getMessage().contains("no task \"u\""),
                e.getMessage());
    }

    @Test
    void aUsersBenchmarkWithItsOwnOrdersFile() throws IOException {
        task(LABELS, GOOD);
        Files.writeString(dir.resolve("orders.json"), "{\"orders\": {\"only\": [\"t\"]}}");
        Benchmark b = Benchmarks.open(dir.getParent(), dir.getFileName().toString());
        assertEquals(1, b.order("only").size());
    }

    @Test
    void zeroLengthOrNonUtf8TaskJson() throws IOException {
        Path folder = task("", GOOD);
        KifInputException e = assertThrows(KifInputException.class, () -> Task.open(folder));
        assertTrue(e.getMessage().startsWith(folder.resolve("task.json").toString()), e.getMessage());
        Files.write(folder.resolve("task.json"), new byte[] {'{', '"', 't', 'a', 's', 'k', '"', ':', '"', (byte) 0xC3, '(', '"', '}'});
        e = assertThrows(KifInputException.class, () -> Task.open(folder));
        assertTrue(e.getMessage().startsWith(folder.resolve("task.json").toString())
                && e.getMessage().contains("not valid JSON"), e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void splitCountOfTheWrongTypeOrNegative() throws IOException {
        Path folder = task("{\"splits\": {\"train\": {\"count\": -1}}}", GOOD);
        KifInputException e = assertThrows(KifInputException.class, () -> Task.open(folder));
        assertTrue(e.getMessage().contains("splits.train.count") && e.getMessage().contains("non-negative"), e.getMessage());
        Files.writeString(folder.resolve("task.json"), "{\"splits\": {\"train\": {\"count\": \"2\"}}}");
        e = assertThrows(KifInputException.class, () -> Task.open(folder));
        assertTrue(e.getMessage().contains("splits.train.count"), e.getMessage());
    }

    @Test
    void ordersFileOfTheWrongShape() throws IOException {
        task(LABELS, GOOD);
        Path orders = dir.resolve("orders.json");
        Files.writeString(orders, "{\"orders\": {\"1\": \"t\"}}");
        KifInputException e = assertThrows(KifInputException.class, () -> FolderBenchmark.open(dir, orders));
        assertTrue(e.getMessage().startsWith(orders.toString()) && e.getMessage().contains("orders.1"), e.getMessage());
        Files.writeString(orders, "[]");
        e = assertThrows(KifInputException.class, () -> FolderBenchmark.open(dir, orders));
        assertTrue(e.getMessage().startsWith(orders.toString()), e.getMessage());
        Files.writeString(orders, "{\"orders\": {\"1\": [\"t\", \"t\"]}}");
        e = assertThrows(KifInputException.class, () -> FolderBenchmark.open(dir, orders));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
    }

    @Test
    void truncatedLastLine() throws IOException {
        Path folder = task(LABELS, GOOD + "{\"id\": \"b\", \"inp");
        assertFails(folder, "train.jsonl", "line 2", "not valid JSON");
    }
}
