package io.kif4j.weights.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kif4j.common.KifInputException;
import io.kif4j.weights.WeightSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped reader of one {@code .safetensors} file.
 *
 * <p>Layout: 8 bytes little-endian header length N, N bytes of JSON, then the data. Everything in the header is
 * checked before any tensor is read, so a lying file fails here with a message naming it, and no allocation is
 * ever sized by an unchecked number: the header is bounded by the file size and every tensor by its offsets.
 * Floating tensors load as FLOAT (F16/BF16/F64 are converted), integer ones as their ND4J type.
 */
public final class SafetensorsFile implements WeightSource {

    /** Headers larger than this are refused: real ones are kilobytes; the bound keeps a lying length harmless. */
    static final long MAX_HEADER_BYTES = 100L << 20;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final long dataStart;
    private final long dataLength;
    private final Map<String, TensorInfo> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, long dataStart, long dataLength, Map<String, TensorInfo> tensors,
                            Map<String, String> metadata) {
        this.path = path;
        this.dataStart = dataStart;
        this.dataLength = dataLength;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    /** Opens and validates {@code path}; reads no tensor data yet. */
    public static SafetensorsFile open(Path path) {
        if (!Files.isRegularFile(path)) {
            throw KifInputException.of(path, "no such safetensors file");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw KifInputException.of(path, "not a safetensors file: " + size
                        + " bytes, shorter than the 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > size - 8) {
                throw KifInputException.of(path, "header length " + Long.toUnsignedString(headerLen)
                        + " does not fit the file of " + size + " bytes (truncated or not a safetensors file)");
            }
            if (headerLen > MAX_HEADER_BYTES) {
                throw KifInputException.of(path, "header length " + headerLen + " exceeds the limit of "
                        + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer headerBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headerBuf, 8);
            String headerText;
            try {
                headerText = StandardCharsets.UTF_8.newDecoder().decode(headerBuf.flip()).toString();
            } catch (CharacterCodingException e) {
                throw KifInputException.of(path, "header is not valid UTF-8");
            }
            long dataStart = 8 + headerLen;
            long dataLength = size - dataStart;
            return parseHeader(path, headerText, dataStart, dataLength);
        } catch (IOException e) {
            throw KifInputException.of(path, "cannot read: " + e.getMessage(), e);
        }
    }

    private static SafetensorsFile parseHeader(Path path, String headerText, long dataStart, long dataLength) {
        JsonNode root;
        try {
            root = JSON.readTree(headerText);
        } catch (JsonProcessingException e) {
            throw KifInputException.of(path, "header is not well-formed JSON: " + e.getOriginalMessage());
        }
        if (!(root instanceof ObjectNode obj)) {
            throw KifInputException.of(path, "header must be a JSON object");
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode v = e.getValue();
            if (name.equals("__metadata__")) {
                if (!v.isObject()) {
                    throw KifInputException.of(path, "__metadata__ must be an object of strings");
                }
                v.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            tensors.put(name, parseEntry(path, name, v, dataLength));
        }
        checkNoOverlap(path, tensors.values());
        return new SafetensorsFile(path, dataStart, dataLength, Collections.unmodifiableMap(tensors),
                Collections.unmodifiableMap(metadata));
    }

    private static TensorInfo parseEntry(Path path, String name, JsonNode v, long dataLength) {
        String where = "tensor '" + name + "'";
        if (!v.isObject()) {
            throw KifInputException.of(path, where + ": entry must be an object with dtype, shape, data_offsets");
        }
        JsonNode dt = v.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw KifInputException.of(path, where + ": missing field 'dtype'");
        }
        DType dtype = DType.parse(dt.asText()).orElseThrow(() -> KifInputException.of(path, where
                + ": unknown dtype '" + dt.asText() + "' (expected one of F32, F16, BF16, F64, I64, I32, I8, U8, BOOL)"));
        JsonNode sh = v.get("shape");
        if (sh == null || !sh.isArray()) {
            throw KifInputException.of(path, where + ": missing field 'shape' (an array of sizes)");
        }
        long[] shape = new long[sh.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.canConvertToLong() || !d.isIntegralNumber() || d.asLong() < 0) {
                throw KifInputException.of(path, where + ": shape entry " + i + " is '" + d + "', expected a size >= 0");
            }
            shape[i] = d.asLong();
        }
        JsonNode off = v.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber()
                || !off.get(1).isIntegralNumber()) {
            throw KifInputException.of(path, where + ": 'data_offsets' must be [begin, end]");
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin < 0 || end < begin || end > dataLength) {
            throw KifInputException.of(path, where + ": data_offsets [" + begin + ", " + end
                    + "] lie outside the data section of " + dataLength + " bytes");
        }
        TensorInfo info = new TensorInfo(name, dtype, shape, begin, end);
        long expected;
        try {
            expected = Math.multiplyExact(info.elementCount(), dtype.bytes);
        } catch (ArithmeticException e) {
            throw KifInputException.of(path, where + ": shape " + info.shapeString() + " overflows");
        }
        if (expected != end - begin) {
            throw KifInputException.of(path, where + ": shape " + info.shapeString() + " x " + dtype + " ("
                    + dtype.bytes + " bytes) needs " + expected + " bytes, but data_offsets give " + (end - begin));
        }
        return info;
    }

    private static void checkNoOverlap(Path path, Iterable<TensorInfo> infos) {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        for (int i = 1; i < sorted.size(); i++) {
            TensorInfo prev = sorted.get(i - 1);
            TensorInfo cur = sorted.get(i);
            if (cur.begin() < prev.end()) {
                throw KifInputException.of(path, "tensors '" + prev.name() + "' and '" + cur.name()
                        + "' overlap (data_offsets [" + prev.begin() + ", " + prev.end() + "] and ["
                        + cur.begin() + ", " + cur.end() + "])");
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    public Path path() {
        return path;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) {
            throw KifInputException.of(path, "no tensor named '" + name + "'");
        }
        return t;
    }

    /** The raw little-endian bytes of one tensor, memory-mapped. */
    public ByteBuffer bytes(String name) {
        TensorInfo t = info(name);
        if (t.byteLength() > Integer.MAX_VALUE) {
            throw KifInputException.of(path, "tensor '" + name + "' is larger than 2 GiB; split the checkpoint into shards");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            MappedByteBuffer mb = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + t.begin(), t.byteLength());
            return mb.order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw KifInputException.of(path, "cannot read tensor '" + name + "': " + e.getMessage(), e);
        }
    }

    @Override
    public INDArray load(String name) {
        TensorInfo t = info(name);
        ByteBuffer b = bytes(name);
        int n = Math.toIntExact(t.elementCount());
        long[] shape = t.shape();
        switch (t.dtype()) {
            case F32, F16, BF16, F64 -> {
                float[] values = toFloats(t.dtype(), b, n);
                checkFinite(name, values);
                return Nd4j.create(values, shape, 'c');
            }
            case I64 -> {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                return Nd4j.createFromArray(a).reshape(shape);
            }
            case I32 -> {
                int[] a = new int[n];
                b.asIntBuffer().get(a);
                return Nd4j.createFromArray(a).reshape(shape);
            }
            case I8, U8, BOOL -> {
                byte[] a = new byte[n];
                b.get(a);
                INDArray arr = Nd4j.createFromArray(a).reshape(shape);
                return t.dtype() == DType.U8 ? arr.castTo(DataType.UINT8)
                        : t.dtype() == DType.BOOL ? arr.castTo(DataType.BOOL) : arr;
            }
            default -> throw new IllegalStateException(t.dtype().toString());
        }
    }

    /**
     * Refuses NaN and ±infinity: training on a checkpoint that holds them is meaningless (every loss turns NaN), and
     * the one pass over values already in cache costs little next to reading them. F64 values beyond the float range
     * are caught here too, as they convert to infinity.
     */
    private void checkFinite(String name, float[] values) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw KifInputException.of(path, "tensor '" + name + "' holds " + values[i] + " at element " + i
                        + ": a checkpoint with non-finite weights is refused");
            }
        }
    }

    /** Converts any floating dtype to float32 values. */
    static float[] toFloats(DType dtype, ByteBuffer b, int n) {
        float[] out = new float[n];
        switch (dtype) {
            case F32 -> b.asFloatBuffer().get(out);
            case F64 -> {
                var db = b.asDoubleBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = (float) db.get(i);
                }
            }
            case F16 -> {
                var sb = b.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = DType.halfToFloat(sb.get(i));
                }
            }
            case BF16 -> {
                var sb = b.asShortBuffer();
                for (int i = 0; i < n; i++) {
                    out[i] = DType.bf16ToFloat(sb.get(i));
                }
            }
            default -> throw new IllegalArgumentException("not a floating dtype: " + dtype);
        }
        return out;
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
