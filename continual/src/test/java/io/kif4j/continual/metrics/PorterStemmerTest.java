package io.kif4j.continual.metrics;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Expected stems from NLTK 3.8 {@code PorterStemmer()} (default NLTK_EXTENSIONS mode). */
class PorterStemmerTest {

    static final String[][] NLTK = {
            {"caresses", "caress"}, {"ponies", "poni"}, {"ties", "tie"}, {"caress", "caress"}, {"cats", "cat"},
            {"feed", "feed"}, {"agreed", "agre"}, {"plastered", "plaster"}, {"bled", "bled"}, {"motoring", "motor"},
            {"sing", "sing"}, {"conflated", "conflat"}, {"troubled", "troubl"}, {"sized", "size"}, {"hopping", "hop"},
            {"tanned", "tan"}, {"falling", "fall"}, {"hissing", "hiss"}, {"fizzed", "fizz"}, {"failing", "fail"},
            {"filing", "file"}, {"happy", "happi"}, {"sky", "sky"}, {"relational", "relat"}, {"conditional", "condit"},
            {"rational", "ration"}, {"valenci", "valenc"}, {"hesitanci", "hesit"}, {"digitizer", "digit"},
            {"conformabli", "conform"}, {"radicalli", "radic"}, {"differentli", "differ"}, {"vileli", "vile"},
            {"analogousli", "analog"}, {"vietnamization", "vietnam"}, {"predication", "predic"}, {"operator", "oper"},
            {"feudalism", "feudal"}, {"decisiveness", "decis"}, {"hopefulness", "hope"}, {"callousness", "callous"},
            {"formaliti", "formal"}, {"sensitiviti", "sensit"}, {"sensibiliti", "sensibl"}, {"triplicate", "triplic"},
            {"formative", "form"}, {"formalize", "formal"}, {"electriciti", "electr"}, {"electrical", "electr"},
            {"hopeful", "hope"}, {"goodness", "good"}, {"revival", "reviv"}, {"allowance", "allow"},
            {"inference", "infer"}, {"airliner", "airlin"}, {"gyroscopic", "gyroscop"}, {"adjustable", "adjust"},
            {"defensible", "defens"}, {"irritant", "irrit"}, {"replacement", "replac"}, {"adjustment", "adjust"},
            {"dependent", "depend"}, {"adoption", "adopt"}, {"homologou", "homolog"}, {"communism", "commun"},
            {"activate", "activ"}, {"angulariti", "angular"}, {"homologous", "homolog"}, {"effective", "effect"},
            {"bowdlerize", "bowdler"}, {"probate", "probat"}, {"rate", "rate"}, {"cease", "ceas"},
            {"controll", "control"}, {"roll", "roll"}, {"running", "run"}, {"runs", "run"}, {"run", "run"},
            {"dying", "die"}, {"lying", "lie"}, {"tying", "tie"}, {"news", "news"}, {"innings", "inning"},
            {"inning", "inning"}, {"outings", "outing"}, {"canning", "canning"}, {"skies", "sky"}, {"flies", "fli"},
            {"dies", "die"}, {"spied", "spi"}, {"died", "die"}, {"enjoy", "enjoy"}, {"spy", "spi"}, {"fly", "fli"},
            {"try", "tri"}, {"archaeology", "archaeolog"}, {"geology", "geolog"}, {"theology", "theolog"},
            {"generously", "gener"}, {"generalization", "gener"}, {"hopelessness", "hopeless"}, {"trying", "tri"},
            {"tried", "tri"}, {"cries", "cri"}, {"crying", "cri"}, {"agreement", "agreement"},
            {"organization", "organ"}, {"sensational", "sensat"}, {"traditional", "tradit"}, {"cared", "care"},
            {"caring", "care"}, {"proceed", "proceed"}, {"exceed", "exceed"}, {"succeed", "succeed"}, {"howe", "howe"},
            {"syzygy", "syzygi"}, {"toy", "toy"}, {"yelp", "yelp"}, {"queueing", "queue"}, {"hopefully", "hope"},
            {"possibly", "possibl"}, {"probably", "probabl"}, {"fully", "fulli"}, {"summarization", "summar"},
            {"summaries", "summari"}, {"classification", "classif"}, {"sentiment", "sentiment"},
            {"positive", "posit"}, {"negative", "neg"}, {"neutral", "neutral"}, {"entailment", "entail"},
            {"contradiction", "contradict"}, {"2019", "2019"}, {"abc123s", "abc123"}, {"oed", "o"}, {"ied", "i"},
            {"aed", "a"}, {"eed", "eed"}, {"bed", "bed"}, {"ying", "ying"}, {"being", "be"}, {"string", "string"},
    };

    @Test
    void stemsAsNltkDoes() {
        PorterStemmer stemmer = new PorterStemmer();
        for (String[] pair : NLTK) {
            assertEquals(pair[1], stemmer.stem(pair[0]), pair[0]);
        }
    }

    @Test
    void shortWordsAreUnchangedButLowerCased() {
        PorterStemmer stemmer = new PorterStemmer();
        assertEquals("is", stemmer.stem("is"));
        assertEquals("as", stemmer.stem("As"));
        assertEquals("run", stemmer.stem("Running"));
    }
}
