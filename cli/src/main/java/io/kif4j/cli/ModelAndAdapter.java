package io.kif4j.cli;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;

/** {@code --model} and an optional {@code --adapter}: the commands that run a model with or without LoRA ({@code @Mixin}). */
final class ModelAndAdapter {

    @Mixin
    ModelOption model;

    @Mixin
    AdapterOption adapter;

    /** A loaded model and the adapter attached to it for evaluation (null: the base model). */
    record Loaded(LanguageModel model, LoraAdapter adapter) {
    }

    Path dir() {
        return model.dir();
    }

    boolean hasAdapter() {
        return adapter.adapter != null;
    }

    Loaded load() {
        LanguageModel m = Models.load(dir());
        return new Loaded(m, adapter.attachTo(m));
    }
}
