package io.kif4j.weights;

import io.kif4j.common.KifInputException;
import io.kif4j.weights.safetensors.DType;
import io.kif4j.weights.safetensors.SafetensorsFile;
import io.kif4j.weights.safetensors.SafetensorsWriter;
import io.kif4j.weights.safetensors.ShardedSafetensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafetensorsTest {

    @TempDir
    Path tmp;

    /** A safetensors file with the given header JSON and data bytes, written by hand. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length).array());
        out.writeBytes(h);
        out.writeBytes(data);
        return out.toByteArray();
    }

    Path write(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static byte[] le(short... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) {
            b.putShort(v);
        }
        return b.array();
    }

    @Test
    void roundTripIsExactAndByteIdentical() throws Exception {
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put("a.weight", Nd4j.rand(3, 5));
        t.put("b", Nd4j.createFromArray(1f, -2f, 3.5f));
        Path p = tmp.resolve("x.safetensors");
        SafetensorsWriter.write(p, t);
        SafetensorsFile f = SafetensorsFile.open(p);
        assertEquals(t.get("a.weight"), f.load("a.weight"));
        assertEquals(t.get("b"), f.load("b"));
        assertArrayEquals(new long[]{3, 5}, f.info("a.weight").shape());
        Map<String, INDArray> again = new LinkedHashMap<>();
        for (String n : f.names()) {
            again.put(n, f.load(n));
        }
        Path q = tmp.resolve("y.safetensors");
        SafetensorsWriter.write(q, again);
        assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(q));
        assertEquals(0, (Files.size(p) - 8 - f.info("a.weight").end() - 12) % 8, "header padded to 8 bytes");
    }

    @Test
    void halfAndBfloat16AreConvertedToFloat() throws Exception {
        // 1.0, -2.0, 65504 (max half), 2^-24 (smallest subnormal), -0
        byte[] half = le((short) 0x3c00, (short) 0xc000, (short) 0x7bff, (short) 0x0001, (short) 0x8000);
        // bf16 of 1.0, -2.5, 3.140625
        byte[] bf = le((short) 0x3f80, (short) 0xc020, (short) 0x4049);
        byte[] data = new byte[half.length + bf.length];
        System.arraycopy(half, 0, data, 0, half.length);
        System.arraycopy(bf, 0, data, half.length, bf.length);
        Path p = write("h.safetensors", file("{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[10,16]}}", data));
        SafetensorsFile f = SafetensorsFile.open(p);
        assertArrayEquals(new float[]{1f, -2f, 65504f, 0x1p-24f, -0f}, f.load("h").toFloatVector());
        assertArrayEquals(new float[]{1f, -2.5f, 3.140625f}, f.load("b").toFloatVector());
        assertEquals(1f, DType.halfToFloat((short) 0x3c00));
        // The conversions keep infinities and NaN; load refuses them (nonFiniteWeightsAreRefusedNamingTheTensor).
        assertEquals(Float.POSITIVE_INFINITY, DType.halfToFloat((short) 0x7c00));
        assertTrue(Float.isNaN(DType.halfToFloat((short) 0x7e00)));
        assertEquals(Float.NEGATIVE_INFINITY, DType.bf16ToFloat((short) 0xff80));
    }

    @Test
    void shardedCheckpointReadsThroughTheIndex() throws Exception {
        SafetensorsWriter.write(tmp.resolve("model-00001-of-00002.safetensors"), Map.of("x", Nd4j.ones(2)));
        SafetensorsWriter.write(tmp.resolve("model-00002-of-00002.safetensors"), Map.of("y", Nd4j.zeros(3)));
        Files.writeString(tmp.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{"
                + "\"x\":\"model-00001-of-00002.safetensors\",\"y\":\"model-00002-of-00002.safetensors\"}}");
        ShardedSafetensors s = ShardedSafetensors.open(tmp.resolve("model.safetensors.index.json"));
        assertEquals(Nd4j.ones(2), s.load("x"));
        assertEquals(3, s.load("y").length());
    }

    private void assertRejected(byte[] bytes, String... fragments) throws Exception {
        Path p = write("bad.safetensors", bytes);
        KifInputException e = assertThrows(KifInputException.class, () -> SafetensorsFile.open(p));
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
    }

    @Test
    void zeroLengthAndTruncatedFiles() throws Exception {
        assertRejected(new byte[0], "shorter than the 8-byte header length");
        byte[] good = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", new byte[8]);
        assertRejected(java.util.Arrays.copyOf(good, 20), "header length");
        assertRejected(java.util.Arrays.copyOf(good, good.length - 3), "outside the data section");
    }

    @Test
    void lyingOrNegativeHeaderLength() throws Exception {
        byte[] b = file("{}", new byte[0]);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 40);
        assertRejected(b, "does not fit the file");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -5);
        assertRejected(b, "does not fit the file");
    }

    @Test
    void malformedJsonAndEntries() throws Exception {
        assertRejected(file("{\"a\": [", new byte[0]), "not well-formed JSON");
        assertRejected(file("[1,2]", new byte[0]), "must be a JSON object");
        assertRejected(file("{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "'a'", "missing field 'dtype'");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]), "missing field 'shape'");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]), "shape entry 0");
    }

    @Test
    void unknownDtype() throws Exception {
        assertRejected(file("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]),
                "'a'", "unknown dtype 'F8_E4M3'");
    }

    @Test
    void shapeTimesDtypeMustEqualTheByteLength() throws Exception {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]),
                "'a'", "needs 12 bytes", "give 8");
    }

    /** Opening checks only the header; the values are checked as each tensor is loaded. */
    private void assertLoadRejected(String tensor, String dtype, byte[] data, String... fragments) throws Exception {
        Path p = write("w.safetensors", file("{\"" + tensor + "\":{\"dtype\":\"" + dtype + "\",\"shape\":["
                + data.length / (dtype.equals("F32") ? 4 : dtype.equals("F64") ? 8 : 2) + "],\"data_offsets\":[0,"
                + data.length + "]}}", data));
        SafetensorsFile f = SafetensorsFile.open(p);
        KifInputException e = assertThrows(KifInputException.class, () -> f.load(tensor));
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        assertTrue(e.getMessage().contains("'" + tensor + "'"), "names the tensor: " + e.getMessage());
        for (String frag : fragments) {
            assertTrue(e.getMessage().contains(frag), "'" + frag + "' in: " + e.getMessage());
        }
    }

    @Test
    void nonFiniteWeightsAreRefusedNamingTheTensor() throws Exception {
        ByteBuffer f32 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(2f).putFloat(Float.NaN);
        assertLoadRejected("layers.0.w", "F32", f32.array(), "NaN at element 2", "non-finite");
        assertLoadRejected("h", "F16", le((short) 0x3c00, (short) 0xfc00), "-Infinity at element 1");
        assertLoadRejected("b", "BF16", le((short) 0x7f80), "Infinity at element 0");
        // F64 beyond the float range would become infinity in float32: refused too.
        ByteBuffer f64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putDouble(1e300);
        assertLoadRejected("d", "F64", f64.array(), "Infinity at element 0");
    }

    @Test
    void overlappingAndOutOfRangeOffsets() throws Exception {
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]), "overlap");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[8]),
                "outside the data section");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[8]),
                "outside the data section");
    }

    @Test
    void headerThatIsNotUtf8OrWhoseShapeOverflows() throws Exception {
        byte[] b = file("{\"a\":1}", new byte[0]);
        b[9] = (byte) 0xff;
        assertRejected(b, "header is not valid UTF-8");
        assertRejected(file("{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],\"data_offsets\":[0,0]}}",
                new byte[0]), "'a'", "overflows");
        assertRejected(file("{\"__metadata__\":[1]}", new byte[0]), "__metadata__");
    }

    @Test
    void shardIndexPointingOutsideTheFolderOrLyingAboutItsShards() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("ckpt"));
        SafetensorsWriter.write(dir.resolve("s1.safetensors"), Map.of("x", Nd4j.ones(2)));
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"weight_map\":{\"x\":\"../s1.safetensors\"}}");
        KifInputException e = assertThrows(KifInputException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().startsWith(index.toString()) && e.getMessage().contains("not a file in the checkpoint folder"),
                e.getMessage());
        Files.writeString(index, "{\"weight_map\":{\"y\":\"s1.safetensors\"}}");
        e = assertThrows(KifInputException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("'y'") && e.getMessage().contains("does not"), e.getMessage());
        Files.writeString(index, "{\"weight_map\":{\"x\":7}}");
        e = assertThrows(KifInputException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("weight_map['x']"), e.getMessage());
        Files.writeString(index, "{\"weight_map\":{\"x\":\"missing.safetensors\"}}");
        e = assertThrows(KifInputException.class, () -> ShardedSafetensors.open(index));
        assertTrue(e.getMessage().contains("missing.safetensors") && e.getMessage().contains("no such"), e.getMessage());
    }
}
