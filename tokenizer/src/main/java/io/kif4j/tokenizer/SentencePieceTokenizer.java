package io.kif4j.tokenizer;

import io.kif4j.tokenizer.SentencePieceModelProto.Piece;
import io.kif4j.common.KifInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

import static io.kif4j.tokenizer.SentencePieceModelProto.BPE;
import static io.kif4j.tokenizer.SentencePieceModelProto.BYTE;
import static io.kif4j.tokenizer.SentencePieceModelProto.CONTROL;
import static io.kif4j.tokenizer.SentencePieceModelProto.NORMAL;
import static io.kif4j.tokenizer.SentencePieceModelProto.UNIGRAM;
import static io.kif4j.tokenizer.SentencePieceModelProto.UNKNOWN;
import static io.kif4j.tokenizer.SentencePieceModelProto.UNUSED;
import static io.kif4j.tokenizer.SentencePieceModelProto.USER_DEFINED;

/**
 * A SentencePiece model file ({@code tokenizer.model}, {@code spiece.model}) in plain Java: the normalizer
 * (precompiled charsmap, dummy prefix, extra-whitespace removal), BPE with byte fallback (LLaMA) and unigram
 * (T5) encoding, and SentencePiece's decoding, reproducing the reference library id for id.
 *
 * <p>Why not a library (checked with evidence, DJL sources read at tags v0.30.0 and v0.34.0):
 * <ul>
 *   <li>DJL's {@code ai.djl.sentencepiece:sentencepiece} 0.34.0 (JNI over the C++ library) does bundle its natives
 *       (1.5 MB for linux-x86_64; 1.7 MB jar for four platforms, plus DJL api 1.0 MB, JNA 2.0 MB, commons-compress
 *       1.1 MB, gson 0.3 MB) and never downloads them. Run offline against the reference files, its ids and pieces
 *       matched all 150 lines, but {@code decode} returned mojibake for 4-byte UTF-8 (emoji, lines 31-32 of the
 *       LLaMA and stories260K references): the JNI layer uses modified UTF-8. So it does not reproduce the
 *       references. Its {@code SpProcessor} constructor also calls home (EC2 metadata at 169.254.169.254, then a
 *       telemetry URL) unless DJL_OFFLINE or OPT_OUT_TRACKING is set.</li>
 *   <li>DJL's {@code ai.djl.huggingface:tokenizers} (18 MB jar) reads {@code tokenizer.json}, not SentencePiece
 *       files. kif4j uses it for those ({@link DjlTokenizer}), in DJL's offline mode: left alone it downloads a
 *       CUDA-flavoured native from publish.djl.ai when it detects a supported GPU ({@code LibUtils.copyJniLibrary})
 *       and calls home the same way.</li>
 * </ul>
 * This class, {@link SentencePieceModelProto}, {@link CharsMap} and {@link Unigram} (about 1,100 lines with
 * comments) need no native code and no network, and the tests prove them equal to the references on every line.
 *
 * <p>T5's 100 sentinels ({@code <extra_id_0>} .. {@code <extra_id_99>}) are not in {@code spiece.model}: as HF's
 * T5Tokenizer does, they take the ids above the model's pieces, {@code <extra_id_0>} the highest. Text is encoded
 * as SentencePiece does, so a literal "&lt;/s&gt;" in the text is split into ordinary pieces.
 */
public final class SentencePieceTokenizer extends AbstractTokenizer {

    private static final Logger log = LoggerFactory.getLogger(SentencePieceTokenizer.class);

    private static final String SPACE = "\u2581";
    private static final int UNK_PENALTY = 10;

    private final Path file;
    private final String[] pieces;   // the model's pieces, then the sentinels
    private final int[] types;
    private final float[] scores;
    private final int modelSize;     // pieces in the model file
    private final Map<String, Integer> normalPieces = new HashMap<>();   // NORMAL, USER_DEFINED, UNUSED
    private final Map<String, Integer> reservedPieces = new HashMap<>(); // CONTROL, UNKNOWN, BYTE
    private final Map<String, Integer> sentinels = new HashMap<>();
    private final List<byte[]> userDefined = new ArrayList<>();
    private final int unknownId;
    private final int[] byteIds;     // null without byte fallback
    private final SentencePieceModelProto proto;
    private final CharsMap charsMap; // null for the identity normalizer
    private final Unigram unigram;   // null for BPE
    private final SpecialTokens special;

    SentencePieceTokenizer(Path file, byte[] data, TokenizerConfig config, int defaultSentinels) {
        this.file = file;
        this.proto = SentencePieceModelProto.parse(file, data);
        List<Piece> list = proto.pieces();
        if (proto.modelType() != UNIGRAM && proto.modelType() != BPE) {
            throw KifInputException.of(file, "SentencePiece model type " + proto.modelType()
                    + " is not supported (only 1 = UNIGRAM and 2 = BPE)");
        }
        modelSize = list.size();
        int extra = config.extraIds(defaultSentinels);
        pieces = new String[modelSize + extra];
        types = new int[modelSize];
        scores = new float[modelSize];
        int unk = -1;
        byte[] byteSeen = new byte[256];
        int[] bytes = new int[256];
        for (int id = 0; id < modelSize; id++) {
            Piece p = list.get(id);
            pieces[id] = p.piece();
            types[id] = p.type();
            scores[id] = p.score();
            boolean normal = p.type() == NORMAL || p.type() == USER_DEFINED || p.type() == UNUSED;
            if ((normal ? normalPieces : reservedPieces).putIfAbsent(p.piece(), id) != null) {
                throw KifInputException.of(file, "piece '" + p.piece() + "' is defined twice");
            }
            switch (p.type()) {
                case NORMAL, USER_DEFINED, UNUSED, CONTROL -> {
                    if (p.type() == USER_DEFINED) {
                        userDefined.add(p.piece().getBytes(StandardCharsets.UTF_8));
                    }
                }
                case UNKNOWN -> {
                    if (unk >= 0) {
                        throw KifInputException.of(file, "two unknown pieces: " + unk + " and " + id);
                    }
                    unk = id;
                }
                case BYTE -> {
                    int b = pieceToByte(p.piece());
                    if (!proto.byteFallback() || b < 0) {
                        throw KifInputException.of(file, "byte piece '" + p.piece() + "' is invalid or byte_fallback is off");
                    }
                    byteSeen[b] = 1;
                    bytes[b] = id;
                }
                default -> throw KifInputException.of(file, "piece " + id + " has unknown type " + p.type());
            }
        }
        if (unk < 0) {
            throw KifInputException.of(file, "no unknown piece (<unk>) is defined");
        }
        unknownId = unk;
        if (proto.byteFallback()) {
            for (int b = 0; b < 256; b++) {
                if (byteSeen[b] == 0) {
                    throw KifInputException.of(file, "byte_fallback is on but piece <0x%02X> is missing".formatted(b));
                }
            }
            byteIds = bytes;
        } else {
            byteIds = null;
        }
        for (int i = 0; i < extra; i++) {
            int id = pieces.length - 1 - i;
            pieces[id] = "<extra_id_" + i + ">";
            sentinels.put(pieces[id], id);
        }
        charsMap = proto.precompiledCharsmap().length == 0 ? null : CharsMap.parse(proto.precompiledCharsmap(), file);
        if (proto.hasDenormalizer()) {
            log.warn("{}: its denormalizer_spec is ignored; decoded text may differ from SentencePiece's", file);
        }
        unigram = proto.modelType() == UNIGRAM ? buildUnigram() : null;

        SpecialTokens defaults = new SpecialTokens(
                typedId(proto.bosPiece(), CONTROL), typedId(proto.eosPiece(), CONTROL),
                typedId(proto.padPiece(), CONTROL), unknownId, false, false);
        special = config.resolve(defaults, this::pieceToId, file);
        log.debug("{}: SentencePiece {} model, {} pieces + {} sentinels, {}", file,
                unigram != null ? "unigram" : "BPE", modelSize, extra, special);
    }

    private Unigram buildUnigram() {
        double[] s = new double[modelSize];
        boolean[] inTrie = new boolean[modelSize];
        boolean[] user = new boolean[modelSize];
        float min = Float.MAX_VALUE;
        float max = Float.MIN_VALUE; // sic: SentencePiece starts from FLT_MIN, the smallest positive float
        for (int id = 0; id < modelSize; id++) {
            s[id] = scores[id];
            inTrie[id] = types[id] == NORMAL || types[id] == USER_DEFINED; // UNUSED is skipped by the lattice
            user[id] = types[id] == USER_DEFINED;
            if (types[id] == NORMAL) {
                min = Math.min(min, scores[id]);
                max = Math.max(max, scores[id]);
            }
        }
        return new Unigram(java.util.Arrays.copyOf(pieces, modelSize), s, inTrie, user, unknownId,
                min - (float) UNK_PENALTY, max, true);
    }

    // ---------------------------------------------------------------- encoding

    @Override
    public int[] encodeForModel(String text) {
        return special.wrap(encode(text));
    }

    @Override
    List<Token> tokenize(String text) {
        String normalized = normalize(text);
        List<Token> raw = unigram != null ? encodeUnigram(normalized) : encodeBpe(normalized);
        List<Token> out = new ArrayList<>(raw.size());
        boolean prevUnk = false;
        for (Token t : raw) {
            boolean unk = t.id() == unknownId;
            if (unk && byteIds != null) {
                for (byte b : t.piece().getBytes(StandardCharsets.UTF_8)) {
                    int id = byteIds[b & 0xFF];
                    out.add(new Token(pieces[id], id));
                }
            } else if (unk && prevUnk) {
                // A run of unknown characters becomes one unknown piece, as in SentencePiece.
                Token last = out.remove(out.size() - 1);
                out.add(new Token(last.piece() + t.piece(), unknownId));
            } else {
                out.add(t);
            }
            prevUnk = unk;
        }
        return out;
    }

    private List<Token> encodeUnigram(String normalized) {
        List<Token> out = new ArrayList<>();
        for (Unigram.Segment s : unigram.encode(normalized)) {
            out.add(new Token(normalized.substring(s.start(), s.end()), s.id()));
        }
        return out;
    }

    /** SentencePiece's BPE: repeatedly merge the adjacent pair forming the best-scoring piece, leftmost first. */
    private List<Token> encodeBpe(String normalized) {
        List<String> sym = new ArrayList<>();
        List<Boolean> frozen = new ArrayList<>();
        byte[] utf8 = userDefined.isEmpty() ? null : normalized.getBytes(StandardCharsets.UTF_8);
        for (int i = 0, bytePos = 0; i < normalized.length(); ) {
            int len = Character.charCount(normalized.codePointAt(i));
            boolean user = false;
            if (utf8 != null) {
                int userBytes = longestUserDefined(utf8, bytePos);
                if (userBytes > 0) {
                    len = new String(utf8, bytePos, userBytes, StandardCharsets.UTF_8).length();
                    user = true;
                }
            }
            String s = normalized.substring(i, i + len);
            sym.add(s);
            frozen.add(user);
            i += len;
            bytePos += s.getBytes(StandardCharsets.UTF_8).length;
        }
        int n = sym.size();
        if (n == 0) {
            return List.of();
        }
        String[] piece = sym.toArray(new String[0]);
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        record Pair(int left, int right, float score, int size) {
        }
        PriorityQueue<Pair> agenda = new PriorityQueue<>(
                Comparator.comparingDouble((Pair p) -> -p.score()).thenComparingInt(Pair::left));
        Map<String, String[]> revMerge = new HashMap<>();
        java.util.function.BiConsumer<Integer, Integer> maybeAdd = (l, r) -> {
            if (l == -1 || r == -1 || frozen.get(l) || frozen.get(r)) {
                return;
            }
            String merged = piece[l] + piece[r];
            Integer id = normalPieces.get(merged);
            if (id == null) {
                return;
            }
            agenda.add(new Pair(l, r, scores[id], merged.length()));
            if (types[id] == UNUSED) { // an unused piece is split back into its parts at the end
                revMerge.put(merged, new String[] {piece[l], piece[r]});
            }
        };
        for (int i = 1; i < n; i++) {
            maybeAdd.accept(i - 1, i);
        }
        while (!agenda.isEmpty()) {
            Pair top = agenda.poll();
            // Stale: one side was merged away since this pair was queued.
            if (piece[top.left()].isEmpty() || piece[top.right()].isEmpty()
                    || piece[top.left()].length() + piece[top.right()].length() != top.size()) {
                continue;
            }
            piece[top.left()] = piece[top.left()] + piece[top.right()];
            piece[top.right()] = "";
            next[top.left()] = next[top.right()];
            if (next[top.right()] >= 0) {
                prev[next[top.right()]] = top.left();
            }
            maybeAdd.accept(prev[top.left()], top.left());
            maybeAdd.accept(top.left(), next[top.left()]);
        }
        List<Token> out = new ArrayList<>();
        for (int i = 0; i != -1; i = next[i]) {
            resegment(piece[i], revMerge, out);
        }
        return out;
    }

    private void resegment(String w, Map<String, String[]> revMerge, List<Token> out) {
        int id = modelPieceId(w);
        String[] parts = types[id] == UNUSED ? revMerge.get(w) : null;
        if (parts == null) {
            out.add(new Token(w, id));
            return;
        }
        resegment(parts[0], revMerge, out);
        resegment(parts[1], revMerge, out);
    }

    private int longestUserDefined(byte[] text, int pos) {
        int best = 0;
        for (byte[] u : userDefined) {
            if (u.length > best && pos + u.length <= text.length
                    && java.util.Arrays.equals(text, pos, pos + u.length, u, 0, u.length)) {
                best = u.length;
            }
        }
        return best;
    }

    // ---------------------------------------------------------------- normalization

    /** SentencePiece's Normalizer::Normalize: charsmap rules, whitespace handling, then spaces as U+2581. */
    String normalize(String text) {
        byte[] in = text.getBytes(StandardCharsets.UTF_8);
        int pos = 0;
        String[] step = new String[1];
        boolean removeExtra = proto.removeExtraWhitespaces();
        if (removeExtra) {
            while (pos < in.length) {
                int len = normalizePrefix(in, pos, step);
                if (!step[0].equals(" ")) {
                    break;
                }
                pos += len;
            }
        }
        if (pos == in.length) {
            return "";
        }
        String space = proto.escapeWhitespaces() ? SPACE : " ";
        boolean dummy = proto.addDummyPrefix();
        StringBuilder out = new StringBuilder(in.length + 8);
        if (dummy && !proto.treatWhitespaceAsSuffix()) {
            out.append(space);
        }
        boolean prevSpace = removeExtra;
        while (pos < in.length) {
            pos += normalizePrefix(in, pos, step);
            String sp = step[0];
            int skip = 0;
            while (prevSpace && skip < sp.length() && sp.charAt(skip) == ' ') {
                skip++;
            }
            if (skip < sp.length()) {
                for (int i = skip; i < sp.length(); i++) {
                    char c = sp.charAt(i);
                    if (c == ' ') {
                        out.append(space);
                    } else {
                        out.append(c);
                    }
                }
                prevSpace = sp.endsWith(" ");
            }
            if (!removeExtra) {
                prevSpace = false;
            }
        }
        if (removeExtra) {
            while (out.length() >= space.length() && out.lastIndexOf(space) == out.length() - space.length()) {
                out.setLength(out.length() - space.length());
            }
        }
        if (dummy && proto.treatWhitespaceAsSuffix()) {
            out.append(space);
        }
        return out.toString();
    }

    /** Normalizes the text at {@code pos} into {@code out[0]}; returns the number of input bytes consumed. */
    private int normalizePrefix(byte[] in, int pos, String[] out) {
        if (!userDefined.isEmpty()) {
            int len = longestUserDefined(in, pos);
            if (len > 0) { // user-defined symbols are never normalized
                out[0] = new String(in, pos, len, StandardCharsets.UTF_8);
                return len;
            }
        }
        if (charsMap != null) {
            long m = charsMap.match(in, pos, in.length, true);
            if (m >= 0) {
                out[0] = charsMap.replacement(m);
                return (int) (m >>> 32);
            }
        }
        int len = validUtf8Length(in, pos, in.length);
        out[0] = len > 0 ? new String(in, pos, len, StandardCharsets.UTF_8) : "\uFFFD";
        return Math.max(len, 1);
    }

    /** Length of the valid UTF-8 character at {@code pos} (SentencePiece's DecodeUTF8), or 0 when invalid. */
    static int validUtf8Length(byte[] b, int pos, int end) {
        int c0 = b[pos] & 0xFF;
        if (c0 < 0x80) {
            return 1;
        }
        int need = (c0 & 0xE0) == 0xC0 ? 2 : (c0 & 0xF0) == 0xE0 ? 3 : (c0 & 0xF8) == 0xF0 ? 4 : 0;
        if (need == 0 || end - pos < need) {
            return 0;
        }
        int cp = c0 & (0x7F >> need);
        for (int i = 1; i < need; i++) {
            int c = b[pos + i] & 0xFF;
            if ((c & 0xC0) != 0x80) {
                return 0;
            }
            cp = cp << 6 | (c & 0x3F);
        }
        int min = need == 2 ? 0x80 : need == 3 ? 0x800 : 0x10000;
        boolean valid = cp >= min && (cp < 0xD800 || (cp >= 0xE000 && cp <= 0x10FFFF));
        return valid ? need : 0;
    }

    // ---------------------------------------------------------------- decoding

    /**
     * SentencePiece's decoding after dropping the special ids (bos, eos, pad, sentinels): control pieces vanish, the
     * unknown piece shows as the model's unk_surface (" ⁇ "), runs of byte pieces are read as UTF-8, and the
     * leading U+2581 of the dummy prefix is removed. Kept special ids and control pieces show as their text.
     */
    @Override
    public String decode(int[] ids, boolean skipSpecialTokens) {
        StringBuilder text = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        boolean bosWs = true;
        boolean bosWsSeen = false;
        for (int id : ids) {
            checkDecodeId(id, pieces.length, file);
            if (id >= modelSize || id == special.bos() || id == special.eos() || id == special.pad()) {
                if (!skipSpecialTokens) {
                    flushBytes(bytes, text);
                    text.append(pieces[id]);
                }
                continue;
            }
            if (types[id] == BYTE) {
                bytes.write(pieceToByte(pieces[id]));
                continue;
            }
            flushBytes(bytes, text);
            if (bosWsSeen || !text.isEmpty()) {
                bosWs = false;
            }
            bosWsSeen = false;
            String piece = pieces[id];
            if (types[id] == CONTROL) {
                if (!skipSpecialTokens) {
                    text.append(piece);
                }
                continue;
            }
            if (types[id] == UNKNOWN) {
                text.append(proto.unkSurface());
                continue;
            }
            if (bosWs && (proto.addDummyPrefix() || proto.removeExtraWhitespaces()) && piece.startsWith(SPACE)) {
                piece = piece.substring(SPACE.length());
                // With extra-whitespace removal every leading space piece is dropped, not just the first.
                bosWsSeen = !proto.removeExtraWhitespaces();
            }
            text.append(piece.replace(SPACE, " "));
        }
        flushBytes(bytes, text);
        return text.toString();
    }

    /** Appends pending byte pieces as UTF-8, one U+FFFD per invalid byte as SentencePiece does. */
    private static void flushBytes(ByteArrayOutputStream pending, StringBuilder text) {
        if (pending.size() == 0) {
            return;
        }
        byte[] b = pending.toByteArray();
        pending.reset();
        for (int pos = 0; pos < b.length; ) {
            int len = validUtf8Length(b, pos, b.length);
            if (len == 0) {
                text.append('\uFFFD');
                pos++;
            } else {
                text.append(new String(b, pos, len, StandardCharsets.UTF_8));
                pos += len;
            }
        }
    }

    // ---------------------------------------------------------------- vocabulary

    /** Id of {@code piece} (model pieces and sentinels), or -1. */
    int pieceToId(String piece) {
        Integer id = reservedPieces.get(piece);
        if (id == null) {
            id = normalPieces.get(piece);
        }
        if (id == null) {
            id = sentinels.get(piece);
        }
        return id == null ? -1 : id;
    }

    /** The piece text of {@code id}, sentinels included. */
    String idToPiece(int id) {
        return pieces[id];
    }

    /** SentencePiece's PieceToId: reserved pieces first, then normal ones, else unknown. */
    private int modelPieceId(String piece) {
        Integer id = reservedPieces.get(piece);
        if (id == null) {
            id = normalPieces.get(piece);
        }
        return id == null ? unknownId : id;
    }

    private int typedId(String piece, int type) {
        int id = modelPieceId(piece);
        return types[id] == type ? id : -1;
    }

    private static int pieceToByte(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            try {
                return Integer.parseInt(piece.substring(3, 5), 16);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    SpecialTokens special() {
        return special;
    }

    @Override
    public String toString() {
        return "SentencePieceTokenizer[" + file + "]";
    }
}
