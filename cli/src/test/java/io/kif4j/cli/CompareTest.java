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
        assertTrue(header.startsWith("method,replay,order,seed,run,status,n,ap,ap_std,fwt,fwt_std,bwt,bwt_std,forgetting"), header);
        for (String m : METHODS) {
            String row = csv.stream().filter(l -> l.startsWith(m + ",") && l.split(",")[3].equals("1")).findFirst()
                    .orElseThrow(() -> new AssertionError("no run row for " + m + " in " + csv));
            String[] cells = row.split(",", -1);
            assertEquals("complete", cells[5], row);
            for (int k : new int[]{7, 9, 11, 13}) {
                Double.parseDouble(cells[k]); // AP, FWT, BWT, forgetting: every one a number
            }
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
