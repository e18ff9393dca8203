package io.kif4j.cli;

import io.kif4j.lora.LoraAdapter;
import io.kif4j.lora.MergedExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "export", description = "Merge a LoRA adapter into its base model and write a plain HuggingFace model "
        + "directory (config.json, model.safetensors, tokenizer files).")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "PEFT LoRA adapter directory to merge.")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output model directory.")
    Path out;

    @Override
    public Integer call() {
        MergedExport.export(model.dir(), LoraAdapter.load(adapter), out);
        System.out.println(out);
        return 0;
    }
}
