package io.kif4j.continual;

import io.kif4j.common.KifInputException;
import io.kif4j.common.testing.InputErrors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad run config files fail at read time with one line naming the file and the key. */
class RunConfigsTest {

    @TempDir
    Path tmp;

    Path file(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text);
    }

    void assertRejected(Path file, String... fragments) {
        KifInputException e = InputErrors.assertRejected(() -> RunConfigs.read(file), file, fragments);
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }

    @Test
    void jsonAndYamlConfigsRead() throws IOException {
        RunConfig j = RunConfigs.read(file("a.json", "{\"epochs\": 2, \"target\": [\"q\", \"v\"], \"lr\": 0.001}"));
        assertEquals(2, j.epochs);
        RunConfig y = RunConfigs.read(file("a.yaml", "epochs: 3\ntasks: [dbpedia, amazon]\n"));
        assertEquals(3, y.epochs);
        assertEquals(java.util.List.of("dbpedia", "amazon"), y.tasks);
    }

    @Test
    void unknownKey() throws IOException {
        assertRejected(file("u.json", "{\"epochz\": 3}"), "unknown key 'epochz'");
    }

    @Test
    void valueOfTheWrongTypeNamesTheKey() throws IOException {
        assertRejected(file("t.json", "{\"epochs\": \"many\"}"), "key 'epochs'");
        assertRejected(file("l.json", "{\"lr\": [1]}"), "key 'lr'");
        assertRejected(file("n.yaml", "tasks: {a: 1}\n"), "key 'tasks'");
    }

    @Test
    void nullForASettingWithADefault() throws IOException {
        // These were NullPointerExceptions deep inside the run (unboxing), after the model had loaded.
        assertRejected(file("e.json", "{\"batch\": null}"), "key 'batch' is null");
        assertRejected(file("s.yaml", "seed: ~\n"), "key 'seed' is null");
    }

    @Test
    void negativeOrZeroSizesAndOutOfRangeRatios() throws IOException {
        assertRejected(file("b.json", "{\"batch\": -4}"), "key 'batch' is -4", "at least 1");
        assertRejected(file("r.json", "{\"lora_r\": 0}"), "key 'lora_r' is 0");
        assertRejected(file("lr.json", "{\"lr\": -1}"), "key 'lr'", "positive");
        assertRejected(file("d.json", "{\"lora_dropout\": 1.0}"), "key 'lora_dropout'");
        assertRejected(file("m.json", "{\"memory_ratio\": 2}"), "key 'memory_ratio'");
        assertRejected(file("t.json", "{\"max_new_tokens\": 0}"), "key 'max_new_tokens'");
        assertRejected(file("x.json", "{\"tasks\": [\"a\", \"\"]}"), "key 'tasks'");
    }

    @Test
    void nonFiniteNumbersAreRefused() throws IOException {
        // Jackson's YAML refuses .nan and .inf itself; JSON's 1e999 reads as infinity and meets the range check.
        assertRejected(file("nan.yaml", "lr: .nan\n"), "key 'lr'");
        assertRejected(file("inf.json", "{\"tau\": 1e999}"), "key 'tau' is Infinity");
    }

    @Test
    void yamlTagsInstantiateNothing() throws IOException {
        // Jackson's YAML reads events, never objects: a Java type tag is at most a string or an error.
        Path f = file("tag.yaml", "model: !!java.io.File /etc/passwd\n");
        try {
            RunConfig c = RunConfigs.read(f);
            assertEquals("/etc/passwd", c.model);
        } catch (KifInputException e) {
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        }
    }

    @Test
    void zeroLengthAndMalformedFiles() throws IOException {
        assertRejected(file("z.json", ""), "");
        assertRejected(file("z.yaml", ""), "");
        assertRejected(file("bad.json", "{\"epochs\": "), "not a valid run config");
        assertRejected(file("bad.yaml", "epochs: 1: 2\n"), "not a valid run config");
        assertRejected(tmp.resolve("missing.json"), "config file not found");
    }
}
