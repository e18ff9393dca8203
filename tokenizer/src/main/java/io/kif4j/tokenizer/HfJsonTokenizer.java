package io.kif4j.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.common.KifInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Hugging Face {@code tokenizer.json} with a Unigram model (T5, mT5 and kin), reproducing the Rust
 * {@code tokenizers} pipeline in plain Java: split off added tokens, Precompiled normalizer, WhitespaceSplit and
 * Metaspace pre-tokenizers, Unigram, TemplateProcessing; decoding with the Metaspace decoder. Other component types
 * are refused with {@link Unsupported} rather than approximated, and {@link Tokenizers} runs such files through
 * the HF library itself ({@link DjlTokenizer}).
 *
 * <p>Unlike {@link SentencePieceTokenizer}, added tokens written literally in the text ("&lt;/s&gt;",
 * "&lt;extra_id_0&gt;") become their ids, as in HF's fast tokenizers. It stays the reader of the Unigram files it
 * covers because it needs no native code and the T5 references prove it line for line.
 */
public final class HfJsonTokenizer extends AbstractTokenizer {

    private static final Logger log = LoggerFactory.getLogger(HfJsonTokenizer.class);

    /** A component this port does not implement; {@link Tokenizers} then hands the file to {@link DjlTokenizer}. */
    static final class Unsupported extends KifInputException {
        Unsupported(Path file, String problem) {
            super(file + ": " + problem);
        }
    }

    private static final Pattern GRAPHEME = Pattern.compile("\\X");
    private static final double UNK_PENALTY = 10.0;

    /** An added token: matched in the raw text before normalization. */
    private record AddedToken(int id, String content, boolean special) {
    }

    /** A piece of text between pre-tokenizer steps; {@code atZero} when it begins the whole input. */
    private record Word(String text, boolean atZero) {
    }

    /** One pre-tokenizer step. */
    private interface PreTokenizer {
        List<Word> split(Word word);
    }

    private final Path file;
    private final String[] vocab;
    private final Map<String, Integer> tokenToId = new HashMap<>();
    private final int modelUnkId;
    private final Unigram unigram;
    private final List<AddedToken> added = new ArrayList<>();
    private final boolean[] specialId;
    private final List<CharsMap> normalizers = new ArrayList<>();
    private final List<PreTokenizer> preTokenizers = new ArrayList<>();
    private final int[] prefixIds;
    private final int[] suffixIds;
    private final Character decoderReplacement; // null: tokens are joined as they are
    private final boolean decoderStripsFirst;
    private final SpecialTokens special;

    HfJsonTokenizer(Path file, JsonNode root, TokenizerConfig config) {
        this.file = file;
        JsonNode model = root.path("model");
        String type = model.path("type").asText("");
        if (!type.equals("Unigram")) {
            throw new Unsupported(file, "model type '" + type + "' is not supported (only Unigram)");
        }
        if (model.path("byte_fallback").asBoolean(false)) {
            throw new Unsupported(file, "Unigram byte_fallback is not supported");
        }
        JsonNode vocabNode = model.path("vocab");
        if (!vocabNode.isArray() || vocabNode.isEmpty()) {
            throw KifInputException.of(file, "model.vocab is missing or empty");
        }
        int n = vocabNode.size();
        List<AddedToken> addedList = readAddedTokens(root.path("added_tokens"));
        int size = n;
        for (AddedToken t : addedList) {
            // Ids are dense (checked below), so no added id can exceed this; checking it first keeps a lying id
            // from sizing the allocations.
            if (t.id() >= n + addedList.size()) {
                throw KifInputException.of(file, "added token '" + t.content() + "' has id " + t.id()
                        + ", beyond the " + n + " vocabulary pieces and " + addedList.size() + " added tokens");
            }
            size = Math.max(size, t.id() + 1);
        }
        vocab = new String[size];
        double[] scores = new double[n];
        double min = Double.POSITIVE_INFINITY;
        for (int id = 0; id < n; id++) {
            JsonNode e = vocabNode.get(id);
            if (!e.isArray() || e.size() != 2 || !e.get(0).isTextual() || !e.get(1).isNumber()) {
                throw KifInputException.of(file, "model.vocab[" + id + "] is not a [piece, score] pair");
            }
            vocab[id] = e.get(0).textValue();
            scores[id] = e.get(1).doubleValue();
            tokenToId.putIfAbsent(vocab[id], id);
            min = Math.min(min, scores[id]);
        }
        modelUnkId = model.path("unk_id").canConvertToInt() ? model.get("unk_id").intValue() : -1;
        if (modelUnkId < 0 || modelUnkId >= n) {
            throw KifInputException.of(file, "model.unk_id is missing or outside the vocabulary");
        }
        specialId = new boolean[size];
        for (AddedToken t : addedList) {
            if (vocab[t.id()] != null && !vocab[t.id()].equals(t.content())) {
                throw KifInputException.of(file, "added token " + t.id() + " '" + t.content()
                        + "' conflicts with vocabulary piece '" + vocab[t.id()] + "'");
            }
            vocab[t.id()] = t.content();
            tokenToId.putIfAbsent(t.content(), t.id());
            specialId[t.id()] = t.special();
            added.add(t);
        }
        for (int id = 0; id < size; id++) {
            if (vocab[id] == null) {
                throw KifInputException.of(file, "id " + id + " is neither in model.vocab nor in added_tokens");
            }
        }
        // HF's trie holds every vocabulary entry, special ones included, and unk costs min score - 10.
        boolean[] all = new boolean[n];
        Arrays.fill(all, true);
        unigram = new Unigram(Arrays.copyOf(vocab, n), scores, all, null, modelUnkId, min - UNK_PENALTY, 0, false);

        readNormalizer(root.path("normalizer"));
        readPreTokenizer(root.path("pre_tokenizer"));
        int[][] template = readPostProcessor(root.path("post_processor"));
        prefixIds = template[0];
        suffixIds = template[1];
        JsonNode decoder = root.path("decoder");
        if (decoder.isMissingNode() || decoder.isNull()) {
            decoderReplacement = null;
            decoderStripsFirst = false;
        } else if (decoder.path("type").asText("").equals("Metaspace")) {
            decoderReplacement = replacement(decoder);
            decoderStripsFirst = !prependScheme(decoder).equals("never");
        } else {
            throw new Unsupported(file, "decoder type '" + decoder.path("type").asText() + "' is not supported");
        }

        // encodeForModel follows the post_processor template; the config only names the special ids.
        SpecialTokens defaults = new SpecialTokens(id("<s>"), id("</s>"), id("<pad>"), modelUnkId, false, false);
        special = config.resolve(defaults, this::id, file);
        log.debug("{}: tokenizer.json Unigram, {} ids, {} added tokens, {}", file, size, added.size(), special);
    }

    private int id(String token) {
        Integer id = tokenToId.get(token);
        return id == null ? -1 : id;
    }

    // ---------------------------------------------------------------- reading the JSON

    private List<AddedToken> readAddedTokens(JsonNode list) {
        List<AddedToken> out = new ArrayList<>();
        if (list.isMissingNode() || list.isNull()) {
            return out;
        }
        if (!list.isArray()) {
            throw KifInputException.of(file, "added_tokens is not a list");
        }
        for (JsonNode t : list) {
            if (!t.path("id").canConvertToInt() || t.get("id").intValue() < 0 || !t.path("content").isTextual()
                    || t.get("content").textValue().isEmpty()) {
                throw KifInputException.of(file, "an added token lacks an id or content: " + t);
            }
            for (String flag : new String[] {"lstrip", "rstrip", "single_word", "normalized"}) {
                if (t.path(flag).asBoolean(false)) {
                    throw new Unsupported(file, "added token '" + t.get("content").textValue() + "' has "
                            + flag + "=true, which is not supported");
                }
            }
            out.add(new AddedToken(t.get("id").intValue(), t.get("content").textValue(), t.path("special").asBoolean(false)));
        }
        return out;
    }

    private void readNormalizer(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        String type = node.path("type").asText("");
        switch (type) {
            case "Sequence" -> node.path("normalizers").forEach(this::readNormalizer);
            case "Precompiled" -> {
                byte[] blob;
                try {
                    blob = Base64.getDecoder().decode(node.path("precompiled_charsmap").asText(""));
                } catch (IllegalArgumentException e) {
                    throw KifInputException.of(file, "Precompiled normalizer: charsmap is not base64");
                }
                normalizers.add(CharsMap.parse(blob, file));
            }
            default -> throw new Unsupported(file, "normalizer type '" + type + "' is not supported");
        }
    }

    private void readPreTokenizer(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return;
        }
        String type = node.path("type").asText("");
        switch (type) {
            case "Sequence" -> node.path("pretokenizers").forEach(this::readPreTokenizer);
            case "WhitespaceSplit" -> preTokenizers.add(HfJsonTokenizer::whitespaceSplit);
            case "Metaspace" -> {
                char replacement = replacement(node);
                String scheme = prependScheme(node);
                boolean split = node.path("split").asBoolean(true);
                preTokenizers.add(w -> metaspace(w, replacement, scheme, split));
            }
            default -> throw new Unsupported(file, "pre_tokenizer type '" + type + "' is not supported");
        }
    }

    private char replacement(JsonNode node) {
        String r = node.path("replacement").asText("\u2581");
        if (r.length() != 1) {
            throw KifInputException.of(file, "Metaspace replacement '" + r + "' is not one character");
        }
        return r.charAt(0);
    }

    private static String prependScheme(JsonNode node) {
        if (node.has("prepend_scheme")) {
            return node.get("prepend_scheme").asText("always");
        }
        // Files written before prepend_scheme existed have add_prefix_space.
        return node.path("add_prefix_space").asBoolean(true) ? "always" : "never";
    }

    /** The ids the "single" template puts before and after the text. */
    private int[][] readPostProcessor(JsonNode node) {
        if (node.isMissingNode() || node.isNull()) {
            return new int[][] {{}, {}};
        }
        if (!node.path("type").asText("").equals("TemplateProcessing")) {
            throw new Unsupported(file, "post_processor type '" + node.path("type").asText() + "' is not supported");
        }
        List<Integer> before = new ArrayList<>();
        List<Integer> after = new ArrayList<>();
        boolean seenText = false;
        for (JsonNode item : node.path("single")) {
            if (item.has("Sequence")) {
                seenText = true;
            } else if (item.has("SpecialToken")) {
                String name = item.get("SpecialToken").path("id").asText();
                JsonNode ids = node.path("special_tokens").path(name).path("ids");
                if (!ids.isArray() || ids.isEmpty()) {
                    throw KifInputException.of(file, "post_processor special token '" + name + "' has no ids");
                }
                List<Integer> side = seenText ? after : before;
                ids.forEach(i -> side.add(i.intValue()));
            }
        }
        for (int id : concat(before, after)) {
            if (id < 0 || id >= vocab.length) {
                throw KifInputException.of(file, "post_processor adds id " + id + ", outside the vocabulary");
            }
        }
        return new int[][] {
                before.stream().mapToInt(Integer::intValue).toArray(),
                after.stream().mapToInt(Integer::intValue).toArray()};
    }

    private static List<Integer> concat(List<Integer> a, List<Integer> b) {
        List<Integer> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    // ---------------------------------------------------------------- encoding

    @Override
    public int[] encodeForModel(String text) {
        int[] ids = encode(text);
        int[] out = new int[prefixIds.length + ids.length + suffixIds.length];
        System.arraycopy(prefixIds, 0, out, 0, prefixIds.length);
        System.arraycopy(ids, 0, out, prefixIds.length, ids.length);
        System.arraycopy(suffixIds, 0, out, prefixIds.length + ids.length, suffixIds.length);
        return out;
    }

    @Override
    List<Token> tokenize(String text) {
        List<Token> out = new ArrayList<>();
        int pos = 0;
        while (pos <= text.length()) {
            // Leftmost-longest match of an added token, as the aho-corasick split in HF does.
            int at = text.length();
            AddedToken match = null;
            for (AddedToken t : added) {
                int i = text.indexOf(t.content(), pos);
                if (i >= 0 && (i < at || (i == at && match != null && t.content().length() > match.content().length()))) {
                    at = i;
                    match = t;
                }
            }
            if (at > pos) {
                tokenizeText(text.substring(pos, at), pos == 0, out);
            }
            if (match == null) {
                break;
            }
            out.add(new Token(match.content(), match.id()));
            pos = at + match.content().length();
        }
        return out;
    }

    private void tokenizeText(String text, boolean atStart, List<Token> out) {
        for (CharsMap map : normalizers) {
            text = precompiled(map, text);
        }
        List<Word> words = List.of(new Word(text, atStart));
        for (PreTokenizer step : preTokenizers) {
            List<Word> next = new ArrayList<>();
            words.forEach(w -> next.addAll(step.split(w)));
            words = next;
        }
        for (Word w : words) {
            String word = w.text();
            StringBuilder unknown = null;
            for (Unigram.Segment s : unigram.encode(word)) {
                String piece = word.substring(s.start(), s.end());
                if (s.id() == modelUnkId) { // HF fuses a run of unknowns into one token
                    unknown = unknown == null ? new StringBuilder(piece) : unknown.append(piece);
                    continue;
                }
                if (unknown != null) {
                    addPiece(unknown.toString(), out);
                    unknown = null;
                }
                addPiece(piece, out);
            }
            if (unknown != null) {
                addPiece(unknown.toString(), out);
            }
        }
    }

    private void addPiece(String piece, List<Token> out) {
        Integer id = tokenToId.get(piece);
        out.add(new Token(piece, id == null ? modelUnkId : id));
    }

    /** HF's Precompiled normalizer: per grapheme cluster, the shortest rule matching it, else char by char. */
    static String precompiled(CharsMap map, String text) {
        StringBuilder out = new StringBuilder(text.length());
        Matcher g = GRAPHEME.matcher(text);
        while (g.find()) {
            String grapheme = g.group();
            byte[] utf8 = grapheme.getBytes(StandardCharsets.UTF_8);
            if (utf8.length < 6) {
                long m = map.match(utf8, 0, utf8.length, false);
                if (m >= 0) {
                    out.append(map.replacement(m));
                    continue;
                }
            }
            for (int i = 0; i < grapheme.length(); ) {
                int cp = grapheme.codePointAt(i);
                int len = Character.charCount(cp);
                byte[] ch = grapheme.substring(i, i + len).getBytes(StandardCharsets.UTF_8);
                long m = map.match(ch, 0, ch.length, false);
                if (m >= 0) {
                    out.append(map.replacement(m));
                } else {
                    out.appendCodePoint(cp);
                }
                i += len;
            }
        }
        return out.toString();
    }

    private static List<Word> whitespaceSplit(Word word) {
        String text = word.text();
        List<Word> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i <= text.length(); ) {
            int cp = i < text.length() ? text.codePointAt(i) : ' ';
            if (isWhitespace(cp)) {
                if (start >= 0) {
                    out.add(new Word(text.substring(start, i), word.atZero() && start == 0));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        return out;
    }

    private static List<Word> metaspace(Word word, char replacement, String scheme, boolean split) {
        String s = word.text().replace(' ', replacement);
        boolean prepend = scheme.equals("always") || (scheme.equals("first") && word.atZero());
        if (prepend && !s.isEmpty() && s.charAt(0) != replacement) {
            s = replacement + s;
        }
        if (!split) {
            return List.of(new Word(s, word.atZero()));
        }
        List<Word> out = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= s.length(); i++) {
            if (i == s.length() || s.charAt(i) == replacement) { // the replacement starts the next piece
                out.add(new Word(s.substring(start, i), word.atZero() && start == 0));
                start = i;
            }
        }
        return out;
    }

    /** Rust's char::is_whitespace: the Unicode White_Space property. */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }

    // ---------------------------------------------------------------- decoding

    /** HF's decode; skip_special_tokens drops the special added tokens (pad, eos, unk, sentinels). */
    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder out = new StringBuilder();
        boolean first = true;
        for (int id : ids) {
            checkDecodeId(id, vocab.length, file);
            if (specialId[id] && skipSpecialTokens) {
                continue;
            }
            String token = vocab[id];
            if (decoderReplacement != null) {
                token = first && decoderStripsFirst
                        ? token.replace(decoderReplacement.toString(), "")
                        : token.replace(decoderReplacement.charValue(), ' ');
            }
            out.append(token);
            first = false;
        }
        return out.toString();
    }

    @Override
    public int vocabSize() {
        return vocab.length;
    }

    @Override
    SpecialTokens special() {
        return special;
    }

    @Override
    public String toString() {
        return "HfJsonTokenizer[" + file + "]";
    }
}
