package io.kif4j.lora.train;

import io.kif4j.lora.Lora;
import io.kif4j.lora.LoraAdapter;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.Models;
import io.kif4j.transformer.testing.Fixture;

/** The first LLaMA fixture's model with its PEFT adapter attached: what the trainer tests train. */
record FixtureTraining(Fixture fixture, LanguageModel model, LoraAdapter adapter) {

    static FixtureTraining llama() {
        Fixture f = Fixture.all("llama").get(0);
        LanguageModel model = Models.load(f.dir());
        LoraAdapter adapter = LoraAdapter.load(f.dir().resolve("lora"));
        Lora.attach(model, adapter);
        return new FixtureTraining(f, model, adapter);
    }
}
