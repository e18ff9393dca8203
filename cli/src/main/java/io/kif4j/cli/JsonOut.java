package io.kif4j.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kif4j.common.Json;

import java.util.LinkedHashMap;
import java.util.Map;

/** One-line JSON for stdout. NaN is written as null, since JSON has no NaN. */
final class JsonOut {

    private JsonOut() {
    }

    static String object(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            Object v = keyValues[i + 1];
            if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
                v = null;
            }
            m.put((String) keyValues[i], v);
        }
        return write(m);
    }

    static String write(Object o) {
        try {
            return Json.MAPPER.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
