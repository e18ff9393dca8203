package io.kif4j.continual.data;

import io.kif4j.datasets.batch.ModelFamily;
import io.kif4j.datasets.batch.TokenizedBatch;
import io.kif4j.transformer.LanguageModel;
import io.kif4j.transformer.ModelInputs;
import io.kif4j.transformer.family.Families;

import java.util.List;

/** Glue between the datasets' padded batches and the models' inputs. */
public final class ModelBatches {

    private ModelBatches() {
    }

    public static ModelFamily family(LanguageModel model) {
        return switch (Families.of(model).batching()) {
            case SEQ2SEQ -> ModelFamily.T5;
            case CAUSAL -> ModelFamily.LLAMA;
        };
    }

    public static ModelInputs inputs(TokenizedBatch b) {
        return new ModelInputs(b.inputIds(), b.attentionMask(), b.labels(), b.decoderInputIds(), null);
    }

    public static List<ModelInputs> inputs(List<TokenizedBatch> batches) {
        return batches.stream().map(ModelBatches::inputs).toList();
    }
}
