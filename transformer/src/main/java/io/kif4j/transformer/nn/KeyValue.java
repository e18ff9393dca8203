package io.kif4j.transformer.nn;

import org.nd4j.autodiff.samediff.SDVariable;

/** Attention keys and values, [B, heads, K, head_dim] each: what a layer attended to, and a decoding loop caches. */
public record KeyValue(SDVariable key, SDVariable value) {
}
