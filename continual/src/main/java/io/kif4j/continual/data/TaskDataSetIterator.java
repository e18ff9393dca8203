package io.kif4j.continual.data;

import io.kif4j.lora.train.LoraTrainer;
import io.kif4j.transformer.ModelInputs;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.NoSuchElementException;

/**
 * A task's batches as an ND4J {@link MultiDataSetIterator}, for users who feed their own SameDiff graphs (e.g.
 * {@code sd.fit(iterator, epochs)} with placeholders mapped by {@code TrainingConfig.dataSetFeatureMapping}).
 * Every array is INT32 [B, T], as kif4j's batches give them:
 * <ul>
 *   <li>features: {@code input_ids}, and for T5 also {@code decoder_input_ids} (second feature, when the batch has it);</li>
 *   <li>feature masks: {@code attention_mask} for {@code input_ids} (null for the decoder input);</li>
 *   <li>labels: {@code labels}, −100 where no loss is taken (LLaMA: unshifted, as HF takes them).</li>
 * </ul>
 * Each {@link #reset()} moves to the next epoch, whose batches the source shuffles from its own seed, so the data are
 * those {@link LoraTrainer} trains on.
 */
public final class TaskDataSetIterator implements MultiDataSetIterator {

    private final LoraTrainer.Batches source;
    private int epoch;
    private List<ModelInputs> batches;
    private int next;
    private MultiDataSetPreProcessor preProcessor;

    public TaskDataSetIterator(LoraTrainer.Batches source) {
        this.source = source;
        this.batches = source.epoch(0);
    }

    /** The epoch whose batches {@link #next()} returns (0-based). */
    public int epoch() {
        return epoch;
    }

    /** One batch as a MultiDataSet, in the layout described above. */
    public static MultiDataSet toMultiDataSet(ModelInputs b) {
        boolean decoder = b.decoderInputIds() != null;
        INDArray[] features = decoder
                ? new INDArray[]{ints(b.inputIds()), ints(b.decoderInputIds())} : new INDArray[]{ints(b.inputIds())};
        INDArray[] masks = decoder ? new INDArray[]{ints(b.attentionMask()), null} : new INDArray[]{ints(b.attentionMask())};
        INDArray[] labels = b.labels() != null ? new INDArray[]{ints(b.labels())} : new INDArray[0];
        return new org.nd4j.linalg.dataset.MultiDataSet(features, labels, masks, null);
    }

    private static INDArray ints(int[][] v) {
        return Nd4j.createFromArray(v);
    }

    @Override
    public boolean hasNext() {
        return next < batches.size();
    }

    @Override
    public MultiDataSet next() {
        if (!hasNext()) {
            throw new NoSuchElementException("epoch " + epoch + " has " + batches.size() + " batches");
        }
        MultiDataSet m = toMultiDataSet(batches.get(next++));
        if (preProcessor != null) {
            preProcessor.preProcess(m);
        }
        return m;
    }

    /** The batch size is fixed by the task's batching; {@code num} is ignored, as DL4J's fixed-batch iterators do. */
    @Override
    public MultiDataSet next(int num) {
        return next();
    }

    @Override
    public void setPreProcessor(MultiDataSetPreProcessor preProcessor) {
        this.preProcessor = preProcessor;
    }

    @Override
    public MultiDataSetPreProcessor getPreProcessor() {
        return preProcessor;
    }

    @Override
    public boolean resetSupported() {
        return true;
    }

    @Override
    public boolean asyncSupported() {
        return true;
    }

    /** Starts the next epoch (the source shuffles each epoch differently). */
    @Override
    public void reset() {
        epoch++;
        batches = source.epoch(epoch);
        next = 0;
    }
}
