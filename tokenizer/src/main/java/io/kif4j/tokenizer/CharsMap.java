package io.kif4j.tokenizer;

import io.kif4j.common.KifInputException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;

/**
 * SentencePiece's {@code precompiled_charsmap} (also embedded in tokenizer.json as the "Precompiled" normalizer):
 * {@code <uint32 LE trie size><Darts-clone double-array trie over UTF-8 bytes><NUL-terminated replacements>}.
 * A trie value is the offset of the replacement text of the matched byte sequence.
 */
final class CharsMap {

    private final Path source;
    private final int[] units;
    private final byte[] replacements;
    private final ConcurrentHashMap<Integer, String> decoded = new ConcurrentHashMap<>();

    private CharsMap(Path source, int[] units, byte[] replacements) {
        this.source = source;
        this.units = units;
        this.replacements = replacements;
    }

    /** @param source the file it comes from, named in errors */
    static CharsMap parse(byte[] blob, Path source) {
        if (blob.length <= 4) {
            throw KifInputException.of(source, "precompiled_charsmap is too short (" + blob.length + " bytes)");
        }
        long trieSize = (blob[0] & 0xFFL) | (blob[1] & 0xFFL) << 8 | (blob[2] & 0xFFL) << 16 | (blob[3] & 0xFFL) << 24;
        if (trieSize == 0 || trieSize % 4 != 0 || trieSize > blob.length - 4) {
            throw KifInputException.of(source, "precompiled_charsmap trie size " + trieSize
                    + " does not fit its " + blob.length + "-byte blob");
        }
        int[] units = new int[(int) (trieSize / 4)];
        for (int i = 0; i < units.length; i++) {
            int p = 4 + 4 * i;
            units[i] = (blob[p] & 0xFF) | (blob[p + 1] & 0xFF) << 8 | (blob[p + 2] & 0xFF) << 16 | (blob[p + 3] & 0xFF) << 24;
        }
        byte[] replacements = java.util.Arrays.copyOfRange(blob, 4 + (int) trieSize, blob.length);
        return new CharsMap(source, units, replacements);
    }

    /**
     * The rule matching a prefix of {@code key[from, to)}: the longest one (SentencePiece's normalizer) or the
     * shortest one (Hugging Face's Precompiled normalizer). Returns {@code length << 32 | valueOffset}, or -1.
     */
    long match(byte[] key, int from, int to, boolean longest) {
        long found = -1;
        int node = offset(units[0]);
        for (int i = from; i < to; i++) {
            int c = key[i] & 0xFF;
            node ^= c;
            if (node < 0 || node >= units.length) {
                break;
            }
            int unit = units[node];
            if ((unit & 0x800000FF) != c) { // label(): a leaf unit has its MSB set and never equals a byte
                break;
            }
            node ^= offset(unit);
            if (((unit >>> 8) & 1) == 1 && node >= 0 && node < units.length) {
                found = (long) (i + 1 - from) << 32 | (units[node] & 0x7FFFFFFF);
                if (!longest) {
                    return found;
                }
            }
        }
        return found;
    }

    /** The replacement text at {@code valueOffset} (from {@link #match}). */
    String replacement(long match) {
        int at = (int) match;
        return decoded.computeIfAbsent(at, v -> {
            if (v >= replacements.length) {
                // Only found when a rule is used: the trie cannot be checked as a whole up front.
                throw KifInputException.of(source, "corrupt precompiled_charsmap: replacement offset " + v
                        + " past its " + replacements.length + " bytes");
            }
            int end = v;
            while (end < replacements.length && replacements[end] != 0) {
                end++;
            }
            return new String(replacements, v, end - v, StandardCharsets.UTF_8);
        });
    }

    private static int offset(int unit) {
        return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
    }
}
