package io.kif4j.lora.train;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.Listener;
import org.nd4j.autodiff.listeners.Loss;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.listeners.records.LossCurve;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.function.Supplier;

/**
 * Forwards the trainer's events to SameDiff {@link Listener}s, so those written for {@code SameDiff.fit} (e.g.
 * {@code ScoreListener}, {@code HistoryListener}, a user's own) see kif4j's training: epochStart, iterationDone with
 * the loss (named {@value #LOSS_NAME}) and epochEnd with the epoch's loss curve, all under
 * {@link Operation#TRAINING}. Events a SameDiff graph raises per op (opExecution, activationAvailable, preUpdate)
 * have no counterpart here: kif4j computes gradients through its own function and updates the LoRA arrays itself.
 */
public final class SameDiffListeners implements TrainingListener {

    public static final String LOSS_NAME = "loss";

    private final Supplier<SameDiff> graph;
    private final List<Listener> listeners;
    private LossCurve curve; // SameDiff's loss curve: one mean loss per epoch
    private long epochStartMillis;

    /**
     * @param graph the graph handed to the listeners, asked at each event: {@code model::trainingGraph} gives the
     *              graph the trainer is running (it is rebuilt when training starts)
     */
    public SameDiffListeners(Supplier<SameDiff> graph, Listener... listeners) {
        this.graph = graph;
        this.listeners = List.of(listeners);
    }

    private static At at(int epoch, int iteration) {
        return new At(epoch, iteration, 0, Thread.currentThread().getId(), null, Operation.TRAINING);
    }

    @Override
    public void onEpochStart(int epoch) {
        epochStartMillis = System.currentTimeMillis();
        for (Listener l : listeners) {
            if (l.isActive(Operation.TRAINING)) {
                l.epochStart(graph.get(), at(epoch, 0));
            }
        }
    }

    @Override
    public void iterationDone(Iteration it) {
        Loss loss = new Loss(List.of(LOSS_NAME), new double[]{it.loss()});
        for (Listener l : listeners) {
            if (l.isActive(Operation.TRAINING)) {
                l.iterationDone(graph.get(), at(it.epoch(), it.step()), null, loss);
            }
        }
    }

    @Override
    public void onEpochEnd(int epoch, double meanLoss) {
        double[] mean = {meanLoss};
        curve = curve == null ? new LossCurve(mean, List.of(LOSS_NAME)) : curve.addLossAndCopy(mean, List.of(LOSS_NAME));
        for (Listener l : listeners) {
            if (l.isActive(Operation.TRAINING)) {
                l.epochEnd(graph.get(), at(epoch, 0), curve, System.currentTimeMillis() - epochStartMillis);
            }
        }
    }
}
