package io.kif4j.datasets;

import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
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
        String m = refusal(() -> Task.open(folder).load(Split.TRAIN));
        for (String f : fragments) {
            assertTrue(m.contains(f), "message lacks \"" + f + "\": " + m);
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
        String m = refusal(() -> Task.open(folder).load(Split.TEST));
        assertTrue(m.contains("test.jsonl") && m.contains("no test split"), m);
    }

    @Test
    void badTaskJson() throws IOException {
        Path folder = task("{\"labels\": \"yes\"}", GOOD);
        String m = refusal(() -> Task.open(folder));
        assertTrue(m.contains("task.json") && m.contains("field \"labels\""), m);
        m = taskJsonRefusal(folder, "{\"labels\": [\"a\"], ");
        assertTrue(m.contains("task.json") && m.contains("not valid JSON"), m);
        m = taskJsonRefusal(folder, "{\"splits\": {\"validation\": {\"count\": 3}}}");
        assertTrue(m.contains("unknown split \"validation\""), m);
    }

    @Test
    void ordersNamingAMissingTask() throws IOException {
        task(LABELS, GOOD);
        Files.writeString(dir.resolve("orders.json"), "{\"orders\": {\"1\": [\"t\", \"u\"]}}");
        String m = refusal(() -> FolderBenchmark.open(dir, dir.resolve("orders.json")));
        assertTrue(m.contains("orders.json") && m.contains("orders.1") && m.contains("no task \"u\""), m);
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
        String m = refusal(() -> Task.open(folder));
        assertTrue(m.startsWith(folder.resolve("task.json").toString()), m);
        Files.write(folder.resolve("task.json"), new byte[] {'{', '"', 't', 'a', 's', 'k', '"', ':', '"', (byte) 0xC3, '(', '"', '}'});
        m = refusal(() -> Task.open(folder));
        assertTrue(m.startsWith(folder.resolve("task.json").toString())
                && m.contains("not valid JSON"), m);
        assertTrue(!m.contains("\n"), m);
    }

    @Test
    void splitCountOfTheWrongTypeOrNegative() throws IOException {
        Path folder = task("{\"splits\": {\"train\": {\"count\": -1}}}", GOOD);
        String m = refusal(() -> Task.open(folder));
        assertTrue(m.contains("splits.train.count") && m.contains("non-negative"), m);
        m = taskJsonRefusal(folder, "{\"splits\": {\"train\": {\"count\": \"2\"}}}");
        assertTrue(m.contains("splits.train.count"), m);
    }

    @Test
    void ordersFileOfTheWrongShape() throws IOException {
        task(LABELS, GOOD);
        Path orders = dir.resolve("orders.json");
        Files.writeString(orders, "{\"orders\": {\"1\": \"t\"}}");
        String m = refusal(() -> FolderBenchmark.open(dir, orders));
        assertTrue(m.startsWith(orders.toString()) && m.contains("orders.1"), m);
        Files.writeString(orders, "[]");
        m = refusal(() -> FolderBenchmark.open(dir, orders));
        assertTrue(m.startsWith(orders.toString()), m);
        Files.writeString(orders, "{\"orders\": {\"1\": [\"t\", \"t\"]}}");
        m = refusal(() -> FolderBenchmark.open(dir, orders));
        assertTrue(m.contains("twice"), m);
    }

    @Test
    void truncatedLastLine() throws IOException {
        Path folder = task(LABELS, GOOD + "{\"id\": \"b\", \"inp");
        assertFails(folder, "train.jsonl", "line 2", "not valid JSON");
    }

    /** The message of the input error that opening {@code folder} must throw once its task.json is {@code json}. */
    private static String taskJsonRefusal(Path folder, String json) throws IOException {
        Files.writeString(folder.resolve("task.json"), json);
        return refusal(() -> Task.open(folder));
    }

    /** The message of the input error {@code call} must throw. */
    private static String refusal(Executable call) {
        return assertThrows(KifInputException.class, call).getMessage();
    }
}
