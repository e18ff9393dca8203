package io.kif4j.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kif4j.common.KifInputException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.BiConsumer;

/**
 * Reads a JSONL file strictly: UTF-8 only, one JSON object per line, no blank lines, and no line longer than a
 * limit, so that a corrupt or hostile file fails with a {@link KifInputException} naming the file and the line
 * rather than exhausting memory or surfacing a parser stack trace.
 */
public final class JsonlReader {

    /** 1 MiB: the longest line of the shipped benchmarks is 32 KB; a prompt of 512 tokens is a few KB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final int maxLineBytes;

    public JsonlReader() {
        this(DEFAULT_MAX_LINE_BYTES);
    }

    public JsonlReader(int maxLineBytes) {
        if (maxLineBytes <= 0) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Calls {@code consumer} with (1-based line number, JSON object) for every line of {@code file}.
     * Exceptions thrown by the consumer are passed through unchanged.
     */
    public void read(Path file, BiConsumer<Integer, JsonNode> consumer) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] chunk = new byte[1 << 16];
            ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
            int lineNo = 1;
            int n;
            while ((n = in.read(chunk)) > 0) {
                int from = 0;
                for (int i = 0; i < n; i++) {
                    if (chunk[i] == '\n') {
                        append(file, lineNo, line, chunk, from, i - from);
                        handleLine(file, lineNo, line.toByteArray(), utf8, consumer);
                        line.reset();
                        lineNo++;
                        from = i + 1;
                    }
                }
                append(file, lineNo, line, chunk, from, n - from);
            }
            if (line.size() > 0) {
                handleLine(file, lineNo, line.toByteArray(), utf8, consumer); // last line without a newline
            }
        } catch (NoSuchFileException e) {
            throw KifInputException.of(file, "file not found");
        } catch (IOException e) {
            throw KifInputException.of(file, "cannot read: " + e.getMessage(), e);
        }
    }

    /** Appends to the current line, failing before a 10 MB line is ever held in memory whole. */
    private void append(Path file, int lineNo, ByteArrayOutputStream line, byte[] chunk, int from, int len) {
        if (line.size() + len > maxLineBytes) {
            throw KifInputException.of(file, "line " + lineNo + ": longer than the limit of " + maxLineBytes + " bytes");
        }
        line.write(chunk, from, len);
    }

    private static void handleLine(Path file, int lineNo, byte[] bytes, CharsetDecoder utf8,
                                   BiConsumer<Integer, JsonNode> consumer) {
        int start = 0;
        int end = bytes.length;
        if (lineNo == 1 && end >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
            start = 3; // a UTF-8 byte-order mark, as some editors write
        }
        if (end > start && bytes[end - 1] == '\r') {
            end--; // CRLF line ends
        }
        ByteBuffer in = ByteBuffer.wrap(bytes, start, end - start);
        CharBuffer out = CharBuffer.allocate(end - start); // UTF-8 never decodes to more chars than bytes
        CoderResult result = utf8.reset().decode(in, out, true);
        if (!result.isError()) {
            result = utf8.flush(out);
        }
        if (result.isError()) {
            throw KifInputException.of(file, "line " + lineNo + ": not valid UTF-8 (byte "
                    + (in.position() - start + 1) + " of the line)");
        }
        String text = out.flip().toString();
        if (text.isBlank()) {
            throw KifInputException.of(file, "line " + lineNo + ": blank line (each line must hold one JSON object)");
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw KifInputException.of(file, "line " + lineNo + ": not valid JSON: "
                    + TaskInfo.firstLine(e.getOriginalMessage()));
        }
        if (node == null || !node.isObject()) {
            throw KifInputException.of(file, "line " + lineNo + ": must be a JSON object");
        }
        consumer.accept(lineNo, node);
    }

}
