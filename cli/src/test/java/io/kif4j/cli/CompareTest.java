package io.kif4j.cli;

import io.kif4j.transformer.testing.Fixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `kif compare` over all ten methods of the papers' tables on a tiny config: a full table, every cell numeric. */
class CompareTest {

    @TempDir
    Path tmp;

    static final List<String> METHODS = List.of("seqlora", "inclora", "replay", "ewc", "olora", "kif", "kiflora", "kif-m",
            "kiflora-m", "recurrent-kif");

    @Test
    void compareWritesAFullNumericTableForAllTenMethods() throws Exception {
        Path config = tmp.resolve("tiny.json");
        Files.writeString(config, "{\"tasks\":[\"dbpedia\",\"agnews\"],\"train_per_task\":4,\"test_per_task\":2,"
                + "\"class_balanced\":false,\"epochs\":1,\"batch\":2,\"max_source_length\":32,\"max_target_length\":6,"
                + "\"eval_batch\":16,\"seed\":1,\"memory_ratio\":0.5,\"rkif_inner_steps\":1,\"rkif_outer_steps\":1}");
        System.setProperty("kif.shared", Fixture.shared().toString());
        Path out = tmp.resolve("cmp");
        CliTest.Run r = CliTest.run("compare", "--config", config.toString(), "--methods", String.join(",", METHODS),
                "--out", out.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> csv = Files.readAllLines(out.resolve("compare.csv"));
        String header = csv.get(0);
        for (String m : METHODS) {
            String row = csv.stream().filter(l -> l.startsWith(m + ",")).findFirst()
                    .orElseThrow(() -> new AssertionError("no row for " + m + " in " + csv));
            assertTrue(!row.contains(",,") && !row.contains("–") && !row.toLowerCase().contains("nan"),
                    m + ": every cell numeric: " + header + " / " + row);
        }
        String md = Files.readString(out.resolve("compare.md"));
        assertTrue(md.contains("✓") && md.contains("✗"), "replay column");
        assertTrue(Files.readString(out.resolve("compare.html")).contains("data:image/png;base64,"));
        // resumable: a second call finds every run done
        CliTest.Run again = CliTest.run("compare", "--config", config.toString(), "--methods", String.join(",", METHODS),
                "--out", out.toString());
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("done, skipped"));
    }
}
