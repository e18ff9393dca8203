package io.kif4j.cli;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.MergedExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", description = "Merge a LoRA adapter into its base model and write a plain HuggingFace model "
        + "directory (config.json, model.safetensors, tokenizer files).")
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--model", description = "Base model directory (default: the built-in stories260K).")
    Path model;

    @Option(names = "--adapter", required = true, description = "PEFT LoRA adapter directory.")
    Path adapter;

    @Option(names = "--out", required = true, description = "Output model directory.")
    Path out;

    @Override
    public Integer call() {
        MergedExport.export(model != null ? model : Defaults.model(), LoraAdapter.load(adapter), out);
        System.out.println(out);
        return 0;
    }
}
