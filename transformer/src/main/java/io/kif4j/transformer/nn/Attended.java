package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/** An attention layer's output [B·T, hidden] and the keys/values it attended to. */
public record Attended(SDVariable output, KeyValue cache) {
}
