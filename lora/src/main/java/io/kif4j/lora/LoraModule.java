package io.kif4j.lora;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The LoRA pair of one linear layer: ΔW = scaling · B·A.
 *
 * @param path HF module path, e.g. {@code model.layers.0.self_attn.q_proj}
 * @param a    lora_A [r, in]
 * @param b    lora_B [out, r]
 */
public record LoraModule(String path, INDArray a, INDArray b) {

    public static final String PEFT_PREFIX = "base_model.model.";

    public int rank() {
        return (int) a.size(0);
    }

    public long in() {
        return a.size(1);
    }

    public long out() {
        return b.size(0);
    }

    /** SameDiff variable name of A, e.g. {@code model.layers.0.self_attn.q_proj.lora_A.weight}. */
    public String aName() {
        return LoraKeys.a(path);
    }

    public String bName() {
        return LoraKeys.b(path);
    }

    /** PEFT's saved key: {@code base_model.model.<path>.lora_A.weight}. */
    public String peftA() {
        return PEFT_PREFIX + aName();
    }

    public String peftB() {
        return PEFT_PREFIX + bName();
    }

    /** scaling · B·A, [out, in]. */
    public INDArray delta(double scaling) {
        return b.mmul(a).muli(scaling);
    }
}
