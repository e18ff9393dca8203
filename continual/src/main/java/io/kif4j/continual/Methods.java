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

    /** A method's settings read from a config, and the method made from them. */
    private record Entry<S>(Function<RunConfig, S> settings, Function<S, ContinualMethod> create) {
        @SuppressWarnings("unchecked")
        ContinualMethod make(Object s) {
            return create.apply((S) s);
        }
    }

    /** A method by name and its own settings record (null for methods without settings), ready to create. */
    public record Choice(String name, Object settings) {
    }

    private static final Map<String, Entry<?>> REGISTRY = new LinkedHashMap<>();

    private static <S> void register(String name, Function<RunConfig, S> settings, Function<S, ContinualMethod> create) {
        REGISTRY.put(name, new Entry<>(settings, create));
    }

    private static void register(String name, java.util.function.Supplier<ContinualMethod> create) {
        register(name, c -> null, s -> create.get());
    }

    static {
        register("seqlora", SeqLoRA::new);
        register("inclora", GrowingLoRA::incLora);
        register("replay", Replay::new);
        register("ewc", Ewc.Settings::of, Ewc::new);
        register("olora", GrowingLoRA.OLoraSettings::of, GrowingLoRA::olora);
        register("kif", KifFamily.Settings::of, s -> KifFamily.of(KifFamily.Variant.KIF, false, s));
        register("kiflora", KifFamily.Settings::of, s -> KifFamily.of(KifFamily.Variant.KIFLORA, false, s));
        register("kif-m", KifFamily.Settings::of, s -> KifFamily.of(KifFamily.Variant.KIF, true, s));
        register("kiflora-m", KifFamily.Settings::of, s -> KifFamily.of(KifFamily.Variant.KIFLORA, true, s));
        register("recurrent-kif", RecurrentKif.Settings::of, RecurrentKif::new);
        register("weight-ensemble", FusionAblation.Settings::of, FusionAblation::weightEnsemble);
        register("ema", FusionAblation.Settings::of, FusionAblation::ema);
        for (MergingFusion.Combination m : MergingFusion.Combination.values()) {
            register(m.id(), FusionAblation.Settings::of, s -> FusionAblation.merging(s, m));
        }
        register("seqft", SeqFT::new);
        register("mtl", c -> Boolean.TRUE.equals(c.fullParameters), Mtl::new);
        register("single", Single::new);
    }

    private Methods() {
    }

    /** The method {@code name} with its settings read from {@code config}: checks the name before any weights load. */
    public static Choice choose(String name, RunConfig config) {
        return new Choice(name, entry(name).settings().apply(config));
    }

    public static ContinualMethod create(Choice choice) {
        return entry(choice.name()).make(choice.settings());
    }

    public static ContinualMethod create(String name, RunConfig config) {
        return create(choose(name, config));
    }

    private static Entry<?> entry(String name) {
        Entry<?> e = REGISTRY.get(name.toLowerCase(java.util.Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("unknown method '" + name + "' (known: " + String.join(", ", REGISTRY.keySet()) + ")");
        }
        return e;
    }

    public static java.util.Set<String> names() {
        return REGISTRY.keySet();
    }
}
