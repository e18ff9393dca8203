package io.kif4j.transformer.family;

import java.util.List;

/**
 * What a run on a model of one family uses when the user does not say.
 *
 * @param target        LoRA target modules (HF module names)
 * @param allLinear     every linear module name of a block, for "LoRA on everything"
 * @param template      prompt template name
 * @param taskType      PEFT's task_type for the adapters
 * @param eval          evaluation mode (generate or rank-labels)
 */
public record RunDefaults(List<String> target, List<String> allLinear, String template, String taskType,
                          int maxSourceLength, int maxTargetLength, String eval, int maxNewTokens) {

    public RunDefaults {
        target = List.copyOf(target);
        allLinear = List.copyOf(allLinear);
    }
}
