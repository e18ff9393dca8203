package io.kif4j.weights.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import io.kif4j.common.Json;
import io.kif4j.common.KifInputException;
import io.kif4j.weights.WeightSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** A checkpoint split into shards, read through HF's {@code model.safetensors.index.json} weight map. */
public final class ShardedSafetensors implements WeightSource {

    private final Path index;
    private final Map<String, SafetensorsFile> byTensor;

    private ShardedSafetensors(Path index, Map<String, SafetensorsFile> byTensor) {
        this.index = index;
        this.byTensor = byTensor;
    }

    public static ShardedSafetensors open(Path index) {
        JsonNode root = Json.read(index);
        JsonNode map = root.get("weight_map");
        if (map == null || !map.isObject()) {
            throw KifInputException.of(index, "missing field 'weight_map' (an object of tensor name -> shard file)");
        }
        Path dir = index.toAbsolutePath().getParent();
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        for (var it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isTextual()) {
                throw KifInputException.of(index, "weight_map['" + e.getKey() + "'] must be a file name");
            }
            String file = e.getValue().asText();
            Path shardPath = dir.resolve(file).normalize();
            if (!shardPath.startsWith(dir) || file.contains("/") || file.contains("\\")) {
                throw KifInputException.of(index, "weight_map['" + e.getKey() + "'] = '" + file
                        + "' is not a file in the checkpoint folder");
            }
            SafetensorsFile shard = shards.computeIfAbsent(file, f -> SafetensorsFile.open(shardPath));
            if (!shard.names().contains(e.getKey())) {
                throw KifInputException.of(shardPath, "index " + index.getFileName() + " says it holds tensor '"
                        + e.getKey() + "', but it does not");
            }
            byTensor.put(e.getKey(), shard);
        }
        for (SafetensorsFile shard : shards.values()) {
            for (String name : shard.names()) {
                if (!byTensor.containsKey(name)) {
                    throw KifInputException.of(shard.path(), "tensor '" + name + "' is not listed in " + index.getFileName());
                }
            }
        }
        return new ShardedSafetensors(index, Collections.unmodifiableMap(byTensor));
    }

    @Override
    public Set<String> names() {
        return byTensor.keySet();
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile f = byTensor.get(name);
        if (f == null) {
            throw KifInputException.of(index, "no tensor named '" + name + "'");
        }
        return f;
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public INDArray load(String name) {
        return shard(name).load(name);
    }

    @Override
    public String toString() {
        return index.toString();
    }
}
