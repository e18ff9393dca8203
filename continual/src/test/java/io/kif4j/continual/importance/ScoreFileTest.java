package io.kif4j.continual.importance;

import io.kif4j.lora.SkillUnit;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two score-file formats, and Python's float repr for writing the authors' one. */
class ScoreFileTest {

    @TempDir
    Path dir;

    @Test
    void authorsNamesBecomeUnitIdsAndGoBackUnchanged() throws IOException {
        Path f = dir.resolve("scores.csv");
        Files.writeString(f, """
                Module_Name,Importance_Score
                base_model.model.encoder.block.0.layer.0.SelfAttention.q.lora_A.default.weight,1.5e-05
                base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight,0.25
                base_model.model.decoder.block.1.layer.1.EncDecAttention.v.|||3,nan
                """);
        ScoreFile s = ScoreFile.read(f, ScoreFile.Column.RAW);
        assertEquals(ScoreFile.Format.AUTHORS, s.format());
        assertEquals(List.of("encoder.block.0.layer.0.SelfAttention.q.lora_A.weight",
                "model.layers.1.self_attn.v_proj.lora_B.weight", "decoder.block.1.layer.1.EncDecAttention.v|||3"),
                List.copyOf(s.scores().keySet()));
        assertTrue(Double.isNaN(s.scores().get("decoder.block.1.layer.1.EncDecAttention.v|||3")));
        List<SkillUnit> u = s.units();
        assertEquals(SkillUnit.Kind.MATRIX_A, u.get(0).kind());
        assertEquals("model.layers.1.self_attn.v_proj", u.get(1).module());
        assertEquals(new SkillUnit("decoder.block.1.layer.1.EncDecAttention.v|||3",
                "decoder.block.1.layer.1.EncDecAttention.v", SkillUnit.Kind.RANK_ONE, 3), u.get(2));
        Path back = dir.resolve("back.csv");
        ScoreFile.writeAuthors(back, s.scores(), s.names());
        assertEquals(Files.readString(f), Files.readString(back));
        // Without the names, kif4j's ids get the authors' form with PEFT's adapter name.
        ScoreFile.writeAuthors(back, Map.of("a.q.lora_B.weight", 1.0), Map.of());
        assertEquals("Module_Name,Importance_Score\nbase_model.model.a.q.lora_B.default.weight,1.0\n", Files.readString(back));
    }

    @Test
    void kif4jUnitScoresGiveTheColumnAsked() throws IOException {
        Path f = dir.resolve("unit_scores.csv");
        ScoreFile.writeKif4j(f, Map.of("m.q|||0", 2e-7), Map.of("m.q|||0", 0.0), Map.of("m.q|||0", 0.75));
        assertEquals(2e-7, ScoreFile.read(f, ScoreFile.Column.RAW).scores().get("m.q|||0"));
        assertEquals(0.75, ScoreFile.read(f, ScoreFile.Column.CUMULATIVE).scores().get("m.q|||0"));
        assertEquals(ScoreFile.Format.KIF4J, ScoreFile.read(f, ScoreFile.Column.RAW).format());
    }

    @Test
    void badFilesAreOneLineNamingFileAndLine() throws IOException {
        for (String text : List.of("", "unit,score\nx,1\n", "Module_Name,Importance_Score\nq.lora_A.weight,1\n",
                "Module_Name,Importance_Score\nbase_model.model.m.q.lora_A.weight,one\n",
                "Module_Name,Importance_Score\nbase_model.model.m.q.lora_A.weight,1\nbase_model.model.m.q.lora_A.weight,2\n",
                "Module_Name,Importance_Score\nbase_model.model.m.q.|||x,1\n",
                "Module_Name,Importance_Score\nbase_model.model.m.q.lora_A.weight,1,2\n")) {
            Path f = dir.resolve("bad.csv");
            Files.writeString(f, text);
            KifInputException e = assertThrows(KifInputException.class, () -> ScoreFile.read(f, ScoreFile.Column.RAW), text);
            assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        }
    }

    @Test
    void pythonRepr() {
        assertEquals("7.175581531853427e-06", ScoreFile.pythonRepr(7.175581531853427e-06));
        assertEquals("0.4535196564656786", ScoreFile.pythonRepr(0.4535196564656786));
        assertEquals("1e-05", ScoreFile.pythonRepr(1e-5));
        assertEquals("0.0001", ScoreFile.pythonRepr(1e-4));
        assertEquals("1e+16", ScoreFile.pythonRepr(1e16));
        assertEquals("1234567890123456.0", ScoreFile.pythonRepr(1234567890123456.0));
        assertEquals("123.0", ScoreFile.pythonRepr(123));
        assertEquals("-2.5e-10", ScoreFile.pythonRepr(-2.5e-10));
        assertEquals("0.1", ScoreFile.pythonRepr(0.1));
        assertEquals("0.30000000000000004", ScoreFile.pythonRepr(0.1 + 0.2));
        assertEquals("0.0", ScoreFile.pythonRepr(0));
        assertEquals("nan", ScoreFile.pythonRepr(Double.NaN));
        assertEquals("1.0", ScoreFile.pythonRepr(1));
    }

    @Test
    void constantScoresNormaliseToZeroOrTheCodesNan() {
        Map<String, Double> flat = new java.util.LinkedHashMap<>(Map.of("a", 3.0, "b", 3.0));
        assertEquals(0.0, UnitScores.normalize(flat).get("a"));
        assertTrue(Double.isNaN(UnitScores.normalize(flat, UnitScores.ConstantScores.NAN).get("a")));
        Map<String, Double> prev = Map.of("a", 1.0, "b", 2.0);
        assertEquals(Map.of("a", 0.0, "b", 1.0), UnitScores.cumulative(prev, flat, 0.7));
        assertTrue(UnitScores.cumulative(prev, flat, 0.7, UnitScores.ConstantScores.NAN).values().stream()
                .allMatch(v -> v.isNaN()), "0.3·NaN + 0.7·p is NaN, and so is its Norm");
    }
}
