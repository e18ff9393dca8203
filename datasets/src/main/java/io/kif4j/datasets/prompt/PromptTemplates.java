package io.kif4j.datasets.prompt;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kif4j.common.KifInputException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The prompt templates of a templates file: the built-in {@code templates.json} resource, or a user's. */
public final class PromptTemplates {

    /** KIF / Recurrent-KIF T5 prompts (default for T5). */
    public static final String KIF = "kif";
    /** O-LoRA's T5 prompt. */
    public static final String OLORA = "olora";
    /** SAPT's SuperNI prompt. */
    public static final String SAPT = "sapt";
    /** The Alpaca template (default for LLaMA). */
    public static final String ALPACA = "alpaca";
    /** No instruction or options; input truncated to fit (tiny LLaMA runs). */
    public static final String SHORT = "short";
    /** The input unchanged: for a user's own input/output pairs. */
    public static final String PLAIN = "plain";

    private static final String RESOURCE = "/io/kif4j/datasets/templates.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static volatile PromptTemplates builtIn;

    private final Map<String, PromptTemplate> templates;

    private PromptTemplates(Map<String, PromptTemplate> templates) {
        this.templates = templates;
    }

    /** The templates shipped in the jar. */
    public static PromptTemplates builtIn() {
        PromptTemplates t = builtIn;
        if (t == null) {
            try (InputStream in = PromptTemplates.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("resource " + RESOURCE + " missing from the jar");
                }
                t = parse(JSON.readTree(in), Path.of(RESOURCE));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read " + RESOURCE, e);
            }
            builtIn = t;
        }
        return t;
    }

    /** A user's templates file, in the format of the built-in one. */
    public static PromptTemplates load(Path file) {
        try {
            return parse(JSON.readTree(Files.readAllBytes(file)), file);
        } catch (IOException e) {
            throw KifInputException.of(file, "cannot read templates: " + e.getMessage(), e);
        }
    }

    public Set<String> names() {
        return templates.keySet();
    }

    public PromptTemplate get(String name) {
        PromptTemplate t = templates.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no prompt template \"" + name + "\" (templates: " + templates.keySet() + ")");
        }
        return t;
    }

    private static PromptTemplates parse(JsonNode root, Path file) {
        try {
            Map<String, String> instructions = strings(root.path("instructions").path("by_family"));
            Map<String, PromptTemplate> out = new LinkedHashMap<>();
            JsonNode templates = root.path("templates");
            if (!templates.isObject() || templates.isEmpty()) {
                throw new IllegalArgumentException("field \"templates\" missing or empty");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = templates.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                JsonNode t = e.getValue();
                String classification = text(t, "classification");
                String noInstruction = text(t, "classification_no_instruction");
                String definition = text(t, "definition");
                String prefix = text(t, "task_prefix");
                if (classification == null && definition == null) {
                    throw new IllegalArgumentException("template \"" + name + "\" has neither a classification nor a definition pattern");
                }
                if (classification != null) {
                    PromptTemplate.validatePattern("templates." + name + ".classification", classification, true);
                }
                if (noInstruction != null) {
                    PromptTemplate.validatePattern("templates." + name + ".classification_no_instruction", noInstruction, true);
                }
                if (definition != null) {
                    PromptTemplate.validatePattern("templates." + name + ".definition", definition, true);
                }
                if (prefix != null) {
                    PromptTemplate.validatePattern("templates." + name + ".task_prefix", prefix, false);
                }
                String truncation = t.path("truncation").asText("right");
                out.put(name, new PromptTemplate(name, t.path("description").asText(""), classification, noInstruction,
                        definition, prefix, strings(t.path("family_aliases")), instructions,
                        TruncationMode.valueOf(truncation.toUpperCase(Locale.ROOT))));
            }
            return new PromptTemplates(out);
        } catch (IllegalArgumentException e) {
            throw KifInputException.of(file, e.getMessage(), e);
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node != null && node.isObject()) {
            node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }
}
