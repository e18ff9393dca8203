package io.kif4j.continual;

import io.kif4j.continual.fusion.MergingFusion;
import io.kif4j.continual.methods.Ewc;
import io.kif4j.continual.methods.FusionAblation;
import io.kif4j.continual.methods.KifFamily;
import io.kif4j.continual.methods.RecurrentKif;
import io.kif4j.continual.methods.GrowingLoRA;
import io.kif4j.continual.methods.Replay;
import io.kif4j.continual.methods.SeqFT;
import io.kif4j.continual.methods.SeqLoRA;
import io.kif4j.continual.methods.Mtl;
import io.kif4j.continual.methods.Single;

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
        REGISTRY.put("kif", c -> KifFamily.of(KifFamily.Variant.KIF, false, c));
        REGISTRY.put("kiflora", c -> KifFamily.of(KifFamily.Variant.KIFLORA, false, c));
        REGISTRY.put("kif-m", c -> KifFamily.of(KifFamily.Variant.KIF, true, c));
        REGISTRY.put("kiflora-m", c -> KifFamily.of(KifFamily.Variant.KIFLORA, true, c));
        REGISTRY.put("recurrent-kif", RecurrentKif::new);
        REGISTRY.put("weight-ensemble", FusionAblation::weightEnsemble);
        REGISTRY.put("ema", FusionAblation::ema);
        for (MergingFusion.Combination m : MergingFusion.Combination.values()) {
            REGISTRY.put(m.id(), c -> FusionAblation.merging(c, m));
        }
        REGISTRY.put("seqft", c -> new SeqFT());
        REGISTRY.put("mtl", c -> new Mtl(Boolean.TRUE.equals(c.fullParameters)));
        REGISTRY.put("single", c -> new Single());
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
