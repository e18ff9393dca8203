package io.kif4j.tokenizer;

import io.kif4j.common.KifInputException;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The few fields of SentencePiece's {@code ModelProto} (sentencepiece_model.proto) that encoding and decoding need,
 * read by hand from the protobuf wire format. Unknown fields are skipped, as protobuf does; defaults are the proto's.
 */
record SentencePieceModelProto(
        List<Piece> pieces,
        int modelType,
        boolean byteFallback,
        boolean treatWhitespaceAsSuffix,
        String unkPiece,
        String bosPiece,
        String eosPiece,
        String padPiece,
        String unkSurface,
        String normalizerName,
        byte[] precompiledCharsmap,
        boolean addDummyPrefix,
        boolean removeExtraWhitespaces,
        boolean escapeWhitespaces,
        boolean hasDenormalizer) {

    static final int UNIGRAM = 1;
    static final int BPE = 2;

    static final int NORMAL = 1;
    static final int UNKNOWN = 2;
    static final int CONTROL = 3;
    static final int USER_DEFINED = 4;
    static final int UNUSED = 5;
    static final int BYTE = 6;

    /** One vocabulary entry; its id is its index. */
    record Piece(String piece, float score, int type) {
    }

    static SentencePieceModelProto parse(Path file, byte[] data) {
        if (data.length == 0) {
            throw KifInputException.of(file, "empty file, not a SentencePiece model");
        }
        if (data[0] == '{' || data[0] == '[') {
            // A common mix-up (tokenizer.json or a config renamed); say so rather than "bad protobuf".
            throw KifInputException.of(file, "looks like JSON, not a SentencePiece model (binary protobuf)");
        }
        Builder b = new Builder();
        try {
            Reader r = new Reader(data, 0, data.length);
            while (r.more()) {
                int tag = r.tag();
                switch (tag) {
                    case (1 << 3) | 2 -> b.pieces.add(readPiece(r.sub()));
                    case (2 << 3) | 2 -> readTrainerSpec(r.sub(), b);
                    case (3 << 3) | 2 -> readNormalizerSpec(r.sub(), b);
                    case (5 << 3) | 2 -> {
                        r.sub();
                        b.hasDenormalizer = true;
                    }
                    default -> r.skip(tag);
                }
            }
        } catch (MalformedProto e) {
            throw KifInputException.of(file, "not a SentencePiece model: malformed protobuf (" + e.getMessage() + ")");
        }
        if (b.pieces.isEmpty()) {
            throw KifInputException.of(file, "not a SentencePiece model: it has no vocabulary pieces");
        }
        return new SentencePieceModelProto(List.copyOf(b.pieces), b.modelType, b.byteFallback,
                b.treatWhitespaceAsSuffix, b.unkPiece, b.bosPiece, b.eosPiece, b.padPiece, b.unkSurface,
                b.normalizerName, b.charsmap, b.addDummyPrefix, b.removeExtraWhitespaces, b.escapeWhitespaces,
                b.hasDenormalizer);
    }

    private static Piece readPiece(Reader r) {
        String piece = null;
        float score = 0f;
        int type = NORMAL;
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case (1 << 3) | 2 -> piece = r.string();
                case (2 << 3) | 5 -> score = r.float32();
                case (3 << 3) -> type = (int) r.varint();
                default -> r.skip(tag);
            }
        }
        if (piece == null || piece.isEmpty()) {
            throw new MalformedProto("a vocabulary piece has no text");
        }
        return new Piece(piece, score, type);
    }

    private static void readTrainerSpec(Reader r, Builder b) {
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case (3 << 3) -> b.modelType = (int) r.varint();
                case (24 << 3) -> b.treatWhitespaceAsSuffix = r.varint() != 0;
                case (35 << 3) -> b.byteFallback = r.varint() != 0;
                case (44 << 3) | 2 -> b.unkSurface = r.string();
                case (45 << 3) | 2 -> b.unkPiece = r.string();
                case (46 << 3) | 2 -> b.bosPiece = r.string();
                case (47 << 3) | 2 -> b.eosPiece = r.string();
                case (48 << 3) | 2 -> b.padPiece = r.string();
                default -> r.skip(tag);
            }
        }
    }

    private static void readNormalizerSpec(Reader r, Builder b) {
        while (r.more()) {
            int tag = r.tag();
            switch (tag) {
                case (1 << 3) | 2 -> b.normalizerName = r.string();
                case (2 << 3) | 2 -> b.charsmap = r.bytes();
                case (3 << 3) -> b.addDummyPrefix = r.varint() != 0;
                case (4 << 3) -> b.removeExtraWhitespaces = r.varint() != 0;
                case (5 << 3) -> b.escapeWhitespaces = r.varint() != 0;
                default -> r.skip(tag);
            }
        }
    }

    /** Field values as they are read, starting from the proto's defaults. */
    private static final class Builder {
        final List<Piece> pieces = new ArrayList<>();
        int modelType = UNIGRAM;
        boolean byteFallback;
        boolean treatWhitespaceAsSuffix;
        String unkPiece = "<unk>";
        String bosPiece = "<s>";
        String eosPiece = "</s>";
        String padPiece = "<pad>";
        String unkSurface = " \u2047 ";
        String normalizerName = "";
        byte[] charsmap = new byte[0];
        boolean addDummyPrefix = true;
        boolean removeExtraWhitespaces = true;
        boolean escapeWhitespaces = true;
        boolean hasDenormalizer;
    }

    private static final class MalformedProto extends RuntimeException {
        MalformedProto(String message) {
            super(message, null, false, false);
        }
    }

    /** Protobuf wire-format reader over data[pos, end), bounds-checked so garbage fails cleanly. */
    private static final class Reader {
        private final byte[] data;
        private int pos;
        private final int end;

        Reader(byte[] data, int pos, int end) {
            this.data = data;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            long tag = varint();
            int wireType = (int) (tag & 7);
            if (tag >>> 3 == 0 || tag > Integer.MAX_VALUE || wireType == 3 || wireType == 4 || wireType > 5) {
                throw new MalformedProto("invalid field tag " + tag + " before byte " + pos);
            }
            return (int) tag;
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw new MalformedProto("truncated varint at byte " + pos);
                }
                byte b = data[pos++];
                result |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return result;
                }
            }
            throw new MalformedProto("varint longer than 10 bytes at byte " + pos);
        }

        float float32() {
            need(4);
            float f = ByteBuffer.wrap(data, pos, 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
            pos += 4;
            return f;
        }

        Reader sub() {
            int len = length();
            Reader r = new Reader(data, pos, pos + len);
            pos += len;
            return r;
        }

        byte[] bytes() {
            int len = length();
            byte[] out = java.util.Arrays.copyOfRange(data, pos, pos + len);
            pos += len;
            return out;
        }

        String string() {
            int len = length();
            try {
                String s = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(data, pos, len)).toString();
                pos += len;
                return s;
            } catch (CharacterCodingException e) {
                throw new MalformedProto("string field is not UTF-8 at byte " + pos);
            }
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> {
                    need(8);
                    pos += 8;
                }
                case 2 -> {
                    int len = length(); // not "pos += length()": that reads pos before the length varint
                    pos += len;
                }
                case 5 -> {
                    need(4);
                    pos += 4;
                }
                default -> throw new MalformedProto("unsupported wire type " + (tag & 7));
            }
        }

        private int length() {
            long len = varint();
            if (len < 0 || len > end - pos) {
                throw new MalformedProto("field length " + len + " runs past the end at byte " + pos);
            }
            return (int) len;
        }

        private void need(int n) {
            if (end - pos < n) {
                throw new MalformedProto("truncated field at byte " + pos);
            }
        }
    }
}
