package io.kif4j.lora.train;

import io.kif4j.lora.LoraAdapter;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** An extra term of the training loss, built into the graph from the adapter's LoRA variables. */
@FunctionalInterface
public interface LossTerm {

    /** Name of the loss variable once extra terms are added. */
    String TOTAL = "loss_with_terms";

    /** The scalar term; {@code sd} holds the adapter's variables under their names. */
    SDVariable build(SameDiff sd, LoraAdapter adapter);
}
