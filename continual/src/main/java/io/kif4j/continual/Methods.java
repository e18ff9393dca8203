package io.kif4j.continual;

import io.kif4j.continual.methods.Ewc;
import io.kif4j.continual.methods.GrowingLoRA;
import io.kif4j.continual.methods.Replay;
import io.kif4j.continual.methods.SeqLoRA;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** The registry of continual methods: a new method is one class plus one line here. */
public final class Methods {

    private static final Map<String, Function<RunConfig, ContinualMethod>> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("seqlora", c -> new SeqLoRA());
        REGISTRY.put("inclora", c -> GrowingLoRA.incLora());
        REGISTRY.put("replay", c -> new Replay());
        REGISTRY.put("ewc", Ewc::new);
        REGISTRY.put("olora", GrowingLoRA::olora);
    }

    private Methods() {
    }

    public static ContinualMethod create(String name, RunConfig config) {
        var f = REGISTRY.get(name.toLowerCase(java.util.Locale.ROOT));
        if (f == null) {
            throw new IllegalArgumentException("unknown method '" + name + "' (known: " + String.join(", ", REGISTRY.keySet()) + ")");
        }
        return f.apply(config);
    }

    public static java.util.Set<String> names() {
        return REGISTRY.keySet();
    }
}
