package io.kif4j.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --model}, shared by the commands that load one model ({@code @Mixin}). */
final class ModelOption {

    @Option(names = "--model", paramLabel = "DIR",
            description = "HuggingFace model directory (default: the built-in stories260K, ../shared/weights/stories260K-hf).")
    Path model;

    /** The given directory, or the built-in default (checked to exist). */
    Path dir() {
        return model != null ? model : Defaults.model();
    }
}
