package io.kif4j.bench;

import io.kif4j.transformer.nn.Gradients;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Map;

/** A benchmark of one SameDiff graph's backward pass: the subclass's setup builds {@link #graph} and its inputs. */
public abstract class GraphBenchmark extends KifBenchmark {

    SameDiff graph;
    Map<String, INDArray> inputs;

    /** The gradients of the graph's "loss" with respect to {@code variables}. */
    Object backward(String... variables) {
        return Gradients.compute(graph, inputs, List.of("loss"), List.of(variables)).gradients();
    }
}
