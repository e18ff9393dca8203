package io.kif4j.continual.metrics;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The Porter stemmer as NLTK implements it in its default {@code NLTK_EXTENSIONS} mode, which is what Google's
 * {@code rouge_score} uses with {@code use_stemmer=True}. The rules and their order follow NLTK's
 * {@code nltk/stem/porter.py} step by step, including NLTK's departures from Porter (1980): the irregular-forms
 * table, {@code ies}/{@code ied} on 4-letter words, the {@code y → i} condition, {@code alli} first in step 2,
 * {@code fulli} and {@code logi}, and the 2-letter {@code *o} condition. Words of 1 or 2 letters are returned as
 * they are. Stateless and thread-safe.
 */
public final class PorterStemmer {

    private static final Map<String, String> IRREGULAR = new HashMap<>();

    static {
        irregular("sky", "sky", "skies");
        irregular("die", "dying");
        irregular("lie", "lying");
        irregular("tie", "tying");
        irregular("news", "news");
        irregular("inning", "innings", "inning");
        irregular("outing", "outings", "outing");
        irregular("canning", "cannings", "canning");
        irregular("howe", "howe");
        irregular("proceed", "proceed");
        irregular("exceed", "exceed");
        irregular("succeed", "succeed");
    }

    private static void irregular(String stem, String... forms) {
        for (String f : forms) {
            IRREGULAR.put(f, stem);
        }
    }

    /** The stem of {@code word}, lower-cased first. */
    public String stem(String word) {
        String stem = word.toLowerCase(Locale.ROOT);
        String irregular = IRREGULAR.get(word);
        if (irregular != null) {
            return irregular;
        }
        if (word.length() <= 2) {
            return stem;
        }
        stem = step1a(stem);
        stem = step1b(stem);
        stem = step1c(stem);
        stem = step2(stem);
        stem = step3(stem);
        stem = step4(stem);
        stem = step5a(stem);
        stem = step5b(stem);
        return stem;
    }

    // ---- conditions -------------------------------------------------------------------------------------------

    private static boolean isConsonant(String w, int i) {
        char c = w.charAt(i);
        if (c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') {
            return false;
        }
        if (c == 'y') {
            return i == 0 || !isConsonant(w, i - 1);
        }
        return true;
    }

    /** Porter's m: the number of vowel-consonant transitions. */
    private static int measure(String stem) {
        int m = 0;
        boolean previousVowel = false;
        for (int i = 0; i < stem.length(); i++) {
            boolean consonant = isConsonant(stem, i);
            if (consonant && previousVowel) {
                m++;
            }
            previousVowel = !consonant;
        }
        return m;
    }

    private static boolean positiveMeasure(String stem) {
        return measure(stem) > 0;
    }

    private static boolean containsVowel(String stem) {
        for (int i = 0; i < stem.length(); i++) {
            if (!isConsonant(stem, i)) {
                return true;
            }
        }
        return false;
    }

    /** *d: ends in a double consonant. */
    private static boolean endsDoubleConsonant(String w) {
        int n = w.length();
        return n >= 2 && w.charAt(n - 1) == w.charAt(n - 2) && isConsonant(w, n - 1);
    }

    /** *o: ends consonant-vowel-consonant, the last not w, x or y; NLTK also accepts a 2-letter vowel-consonant word. */
    private static boolean endsCvc(String w) {
        int n = w.length();
        if (n >= 3 && isConsonant(w, n - 3) && !isConsonant(w, n - 2) && isConsonant(w, n - 1)) {
            char last = w.charAt(n - 1);
            if (last != 'w' && last != 'x' && last != 'y') {
                return true;
            }
        }
        return n == 2 && !isConsonant(w, 0) && isConsonant(w, 1);
    }

    private static String cut(String w, String suffix) {
        return w.substring(0, w.length() - suffix.length());
    }

    // ---- rule lists -------------------------------------------------------------------------------------------

    private interface Condition {
        boolean test(String stem);
    }

    private record Rule(String suffix, String replacement, Condition condition) {
    }

    /** NLTK's {@code _apply_rule_list}: the first rule whose suffix matches decides; if its condition fails, no change. */
    private static String apply(String word, Rule... rules) {
        for (Rule r : rules) {
            if (word.endsWith(r.suffix)) {
                String stem = cut(word, r.suffix);
                return r.condition == null || r.condition.test(stem) ? stem + r.replacement : word;
            }
        }
        return word;
    }

    private static String step1a(String w) {
        if (w.endsWith("ies") && w.length() == 4) {
            return cut(w, "ies") + "ie";
        }
        return apply(w,
                new Rule("sses", "ss", null),
                new Rule("ies", "i", null),
                new Rule("ss", "ss", null),
                new Rule("s", "", null));
    }

    private static String step1b(String w) {
        if (w.endsWith("ied")) {
            return cut(w, "ied") + (w.length() == 4 ? "ie" : "i");
        }
        if (w.endsWith("eed")) {
            String stem = cut(w, "eed");
            return measure(stem) > 0 ? stem + "ee" : w;
        }
        String stem = null;
        for (String suffix : new String[]{"ed", "ing"}) {
            if (w.endsWith(suffix)) {
                String candidate = cut(w, suffix);
                if (containsVowel(candidate)) {
                    stem = candidate;
                    break;
                }
            }
        }
        if (stem == null) {
            return w;
        }
        if (stem.endsWith("at") || stem.endsWith("bl") || stem.endsWith("iz")) {
            return stem + "e";
        }
        if (endsDoubleConsonant(stem)) {
            char last = stem.charAt(stem.length() - 1);
            return last != 'l' && last != 's' && last != 'z' ? stem.substring(0, stem.length() - 1) : stem;
        }
        return measure(stem) == 1 && endsCvc(stem) ? stem + "e" : stem;
    }

    private static String step1c(String w) {
        // NLTK: y -> i only after a consonant that is not the word's only letter ("happy" -> "happi", "enjoy" stays)
        if (w.endsWith("y")) {
            String stem = cut(w, "y");
            return stem.length() > 1 && isConsonant(stem, stem.length() - 1) ? stem + "i" : w;
        }
        return w;
    }

    private static String step2(String w) {
        if (w.endsWith("alli") && positiveMeasure(cut(w, "alli"))) {
            return step2(cut(w, "alli") + "al");
        }
        Condition m0 = PorterStemmer::positiveMeasure;
        return apply(w,
                new Rule("ational", "ate", m0),
                new Rule("tional", "tion", m0),
                new Rule("enci", "ence", m0),
                new Rule("anci", "ance", m0),
                new Rule("izer", "ize", m0),
                new Rule("bli", "ble", m0),
                new Rule("alli", "al", m0),
                new Rule("entli", "ent", m0),
                new Rule("eli", "e", m0),
                new Rule("ousli", "ous", m0),
                new Rule("ization", "ize", m0),
                new Rule("ation", "ate", m0),
                new Rule("ator", "ate", m0),
                new Rule("alism", "al", m0),
                new Rule("iveness", "ive", m0),
                new Rule("fulness", "ful", m0),
                new Rule("ousness", "ous", m0),
                new Rule("aliti", "al", m0),
                new Rule("iviti", "ive", m0),
                new Rule("biliti", "ble", m0),
                new Rule("fulli", "ful", m0),
                // the 'l' of "logi" stays with the stem, so "geo"+"logi" qualifies like "archaeo"+"logi"
                new Rule("logi", "log", stem -> positiveMeasure(w.substring(0, w.length() - 3))));
    }

    private static String step3(String w) {
        Condition m0 = PorterStemmer::positiveMeasure;
        return apply(w,
                new Rule("icate", "ic", m0),
                new Rule("ative", "", m0),
                new Rule("alize", "al", m0),
                new Rule("iciti", "ic", m0),
                new Rule("ical", "ic", m0),
                new Rule("ful", "", m0),
                new Rule("ness", "", m0));
    }

    private static String step4(String w) {
        Condition m1 = stem -> measure(stem) > 1;
        return apply(w,
                new Rule("al", "", m1),
                new Rule("ance", "", m1),
                new Rule("ence", "", m1),
                new Rule("er", "", m1),
                new Rule("ic", "", m1),
                new Rule("able", "", m1),
                new Rule("ible", "", m1),
                new Rule("ant", "", m1),
                new Rule("ement", "", m1),
                new Rule("ment", "", m1),
                new Rule("ent", "", m1),
                new Rule("ion", "", stem -> measure(stem) > 1 && (stem.endsWith("s") || stem.endsWith("t"))),
                new Rule("ou", "", m1),
                new Rule("ism", "", m1),
                new Rule("ate", "", m1),
                new Rule("iti", "", m1),
                new Rule("ous", "", m1),
                new Rule("ive", "", m1),
                new Rule("ize", "", m1));
    }

    private static String step5a(String w) {
        if (w.endsWith("e")) {
            String stem = cut(w, "e");
            int m = measure(stem);
            if (m > 1 || (m == 1 && !endsCvc(stem))) {
                return stem;
            }
        }
        return w;
    }

    private static String step5b(String w) {
        if (w.endsWith("ll") && measure(w.substring(0, w.length() - 1)) > 1) {
            return w.substring(0, w.length() - 1);
        }
        return w;
    }
}
