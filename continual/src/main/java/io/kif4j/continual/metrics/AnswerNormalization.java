package io.kif4j.continual.metrics;

import java.util.Locale;

/** How a generated answer and its reference are cleaned before they are compared. */
public enum AnswerNormalization {

    /**
     * KIF's matching (TaSL {@code generate_*_T5.py}, RKIF/AIM {@code eval_*.py}): remove {@code </s>} and
     * {@code <pad>}, strip surrounding whitespace, lower-case.
     */
    KIF {
        @Override
        public String apply(String text) {
            return PythonText.strip(removeSpecialTokens(text)).toLowerCase(Locale.ROOT);
        }
    },

    /**
     * O-LoRA's (SuperNI {@code compute_metrics.normalize_answer}): after the special tokens are removed,
     * lower-case, delete ASCII punctuation ({@code string.punctuation}) and collapse runs of whitespace to one space.
     */
    OLORA {
        @Override
        public String apply(String text) {
            String lower = removeSpecialTokens(text).toLowerCase(Locale.ROOT);
            StringBuilder noPunct = new StringBuilder(lower.length());
            for (int i = 0; i < lower.length(); i++) {
                char c = lower.charAt(i);
                if (PUNCTUATION.indexOf(c) < 0) {
                    noPunct.append(c);
                }
            }
            return String.join(" ", PythonText.splitWhitespace(noPunct.toString()));
        }
    };

    /** Python's {@code string.punctuation}. */
    static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

    public abstract String apply(String text);

    static String removeSpecialTokens(String text) {
        return text.replace("</s>", "").replace("<pad>", "");
    }
}
