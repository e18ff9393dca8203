package io.kif4j.datasets.prompt;

import io.kif4j.datasets.Benchmarks;
import io.kif4j.datasets.Example;
import io.kif4j.datasets.FolderBenchmark;
import io.kif4j.datasets.SharedData;
import io.kif4j.datasets.Split;
import io.kif4j.datasets.Task;
import io.kif4j.datasets.TaskInfo;
import io.kif4j.common.KifInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Golden prompts. The expected KIF strings are the authors' own records (WoodScene/Recurrent_KIF
 * data_longsequence/test/*_T5.json, WoodScene/bilevel data_superni/test/task363_T5.json), one per family.
 */
class PromptTemplatesTest {

    static FolderBenchmark longSeq;
    static FolderBenchmark superNi;
    static final PromptTemplates TEMPLATES = PromptTemplates.builtIn();

    @BeforeAll
    static void open() {
        longSeq = Benchmarks.longSequence(SharedData.data());
        superNi = Benchmarks.superNi(SharedData.data());
    }

    static final Map<String, String[]> KIF_T5_GOLDEN = Map.of(
            "rte", new String[]{"rte-test-5", "What is the logical relationship between the \"sentence 1\" and the \"sentence 2\"? Choose one from the option. Option: contradiction, entailment.\nsentence 1: The girl was found in Drummondville.\nsentence 2: Drummondville contains the girl.\nAnswer:"},
            "cb", new String[]{"cb-test-14", "What is the logical relationship between the \"sentence 1\" and the \"sentence 2\"? Choose one from the option. Option: entailment, contradiction, neutral.\nsentence 1: A: Your turn. B: Okay. Uh, I don't think they should abolish it.\nsentence 2: they should abolish it\nAnswer:"},
            "qqp", new String[]{"qqp-test-1388", "Whether the \"first sentence\" and the \"second sentence\" have the same meaning? Choose one from the option. Option: False, True.\nfirst sentence: What is a Euro?\nsecond sentence: What is euro?\nAnswer:"},
            "sst2", new String[]{"sst2-test-266", "What is the sentiment of the following paragraph? Choose one from the option. Option: Good, Bad.\nText: bad . \nAnswer:"},
            "agnews", new String[]{"agnews-test-1431", "What is the topic of the following paragraph? Choose one from the option. Option: World, Sports, Business, Science or Technology.\nTitle: Partner: Free Verisign SSL Certificate\nText: Don't miss the opportunity! Obtain a FREE SSL Trial ID today.\n\nAnswer:"},
            "boolq", new String[]{"boolq-test-2644", "According to the following passage, is the question true or false? Choose one from the option. Option: True, False.\nquestion: are they going to make a punisher season 2\npassage: The Punisher (season 2) -- The season is set for release in 2019.\nAnswer:"},
            "copa", new String[]{"copa-test-32", "According to the following passage, is the question true or false? Choose one from the option. Option: A, B.\nWhich sentence is the cause of \"I coughed.\"? Choose one between A and B.\nA: I inhaled smoke.\nB: I lowered my voice.\nAnswer:"},
            "wic", new String[]{"wic-test-239", "Given a word and two sentences, whether the word is used with the same sense in both sentence? Choose one from the option. Option: True, False.\nword: curd\nBean curd.\nLemon curd.\nAnswer:"},
            "multirc", new String[]{"multirc-test-2147", "According to the following passage and question, is the candidate answer true or false? Choose one from the option. Option: False, True.\nparagraph: Susan wanted to have a birthday party. She called all of her friends. She has five friends. Her mom said that Susan can invite them all to the party. Her first friend could not go to the party because she was sick. Her second friend was going out of town. Her third friend was not so sure if her parents would let her. The fourth friend said maybe. The fifth friend could go to the party for sure. Susan was a little sad. On the day of the party, all five friends showed up. Each friend had a present for Susan. Susan was happy and sent each friend a thank you card the next week. \nquestion: How many people did Susan call?\ncandidate answer: 5\nAnswer:"});

    @Test
    void kifT5PromptsEqualTheAuthorsFilesForEveryLongSequenceFamily() {
        PromptTemplate kif = TEMPLATES.get(PromptTemplates.KIF);
        KIF_T5_GOLDEN.forEach((taskName, golden) -> {
            Task task = longSeq.task(taskName);
            Example e = byId(task, Split.TEST, golden[0]);
            assertEquals(golden[1], kif.render(task.info(), e).text(), taskName);
        });
    }

    @Test
    void kifSuperNiPromptEqualsTheAuthorsFile() {
        Task task363 = superNi.task("task363_sst2_polarity_classification");
        Example e = byId(task363, Split.TEST, "task363-ad12e4dba8814ad9b3e2196fff3b065f");
        assertEquals("[INS] In this task, you are given sentences from movie reviews. The task is to classify a sentence as \"POS\" if the sentiment of the sentence is positive or as \"NEG\" if the sentiment of the sentence is negative\n [IN] Campanella 's competent direction and his excellent cast overcome the obstacles of a predictable outcome and a screenplay that glosses over Rafael 's evolution .\n [OUT] ",
                TEMPLATES.get(PromptTemplates.KIF).render(task363.info(), e).text());
    }

    @Test
    void alpacaWrapsTheAuthorsLlamaInstructionAndInput() {
        // RKIF data_longsequence/test/sst-2.json: instruction "…Option: Good, Bad.\n", input "Text: bad . \nAnswer:",
        // wrapped by templates/alpaca.json prompt_input.
        Task sst2 = longSeq.task("sst2");
        Example e = byId(sst2, Split.TEST, "sst2-test-266");
        assertEquals("Below is an instruction that describes a task, paired with an input that provides further context. "
                        + "Write a response that appropriately completes the request.\n\n### Instruction:\n"
                        + "What is the sentiment of the following paragraph? Choose one from the option. Option: Good, Bad.\n"
                        + "\n\n### Input:\nText: bad . \nAnswer:\n\n### Response:\n",
                TEMPLATES.get(PromptTemplates.ALPACA).render(sst2.info(), e).text());
        Task task363 = superNi.task("task363_sst2_polarity_classification");
        String p = TEMPLATES.get(PromptTemplates.ALPACA).render(task363.info(), "It 's fun .").text();
        assertEquals("Below is an instruction that describes a task, paired with an input that provides further context. "
                + "Write a response that appropriately completes the request.\n\n### Instruction:\n"
                + task363.info().definition() + "\n\n### Input:\nIt 's fun .\n\n### Response:\n", p);
    }

    @Test
    void oloraPromptIsTheTaskJsonTemplateBehindTheTaskAndDatasetPrefix() {
        PromptTemplate olora = TEMPLATES.get(PromptTemplates.OLORA);
        for (TaskInfo info : longSeqInfos()) {
            String oloraTemplate = taskJsonString(info, "olora_prompt_template");
            String expected = "Task:" + info.family() + "\nDataset:" + info.dataset() + "\n" + oloraTemplate.replace("{0}", "XYZ");
            assertEquals(expected, olora.render(info, "XYZ").text(), info.name());
        }
        assertEquals("Task:SC\nDataset:SST-2\nWhat is the sentiment of the following paragraph? Choose one from the option.\n"
                + "Option: Good, Bad \nText: bad . \nAnswer:", olora.render(longSeq.task("sst2").info(), "Text: bad . ").text());
        assertEquals("Task:COPA\nDataset:COPA\nQ\nAnswer:", olora.render(longSeq.task("copa").info(), "Q").text());
    }

    @Test
    void familyInstructionsOfTheResourceEqualTaskJsonInstructions() {
        PromptTemplate olora = TEMPLATES.get(PromptTemplates.OLORA);
        for (TaskInfo info : longSeqInfos()) {
            String fromTaskJson = taskJsonString(info, "olora_instruction");
            if (fromTaskJson != null) {
                assertEquals(fromTaskJson, olora.instructionFor(info) + "\n", info.name());
            }
        }
    }

    @Test
    void shortTemplateHasNoOptionsAndKeepsItsCue() {
        Task cb = longSeq.task("cb");
        Prompt p = TEMPLATES.get(PromptTemplates.SHORT).render(cb.info(), "sentence 1: a\nsentence 2: b");
        assertEquals("sentence 1: a\nsentence 2: b\nAnswer:", p.text());
        assertEquals(TruncationMode.INPUT, TEMPLATES.get(PromptTemplates.SHORT).truncation());
        assertEquals(TruncationMode.RIGHT, TEMPLATES.get(PromptTemplates.KIF).truncation());
    }

    @Test
    void bracesInTheInputAreNotPlaceholders() {
        TaskInfo cb = longSeq.task("cb").info();
        String text = TEMPLATES.get(PromptTemplates.KIF).render(cb, "x {options} {input} y").text();
        assertTrue(text.endsWith("\nx {options} {input} y\nAnswer:"), text);
    }

    @Test
    void aTaskWithNeitherLabelsNorDefinitionCannotBeRendered() {
        TaskInfo bare = new TaskInfo(SharedData.data(), "bare", null, null, "bare", List.of(), Map.of(), Map.of(),
                null, null, null, List.of());
        KifInputException e = assertThrows(KifInputException.class,
                () -> TEMPLATES.get(PromptTemplates.KIF).render(bare, "x"));
        assertTrue(e.getMessage().contains("\"labels\""), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TEMPLATES.get("nope"));
    }

    static Example byId(Task task, Split split, String id) {
        return task.load(split).stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow(() -> new AssertionError(id));
    }

    static String taskJsonString(TaskInfo info, String field) {
        try {
            var node = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(info.folder().resolve(TaskInfo.FILE_NAME).toFile()).get(field);
            return node == null || node.isNull() ? null : node.asText();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Every Long Sequence task's info, in the benchmark's order. */
    private List<TaskInfo> longSeqInfos() {
        return longSeq.taskNames().stream().map(n -> longSeq.task(n).info()).toList();
    }
}
