package io.kif4j.cli;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.transformer.LanguageModel;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** An optional {@code --adapter}, shared by the commands that run a model with or without LoRA ({@code @Mixin}). */
final class AdapterOption {

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT LoRA adapter directory (default: none, the base model).")
    Path adapter;

    /** Attaches the adapter to {@code model} if one was given; returns it, or null. */
    LoraAdapter attachTo(LanguageModel model) {
        if (adapter == null) {
            return null;
        }
        LoraAdapter a = LoraAdapter.load(adapter);
        Lora.use(model, a, io.kif4j.lora.AttachedAdapter.Mode.EVAL).built();
        return a;
    }
}
