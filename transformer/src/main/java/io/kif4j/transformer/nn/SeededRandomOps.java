package io.kif4j.transformer.nn;

import org.nd4j.autodiff.listeners.At;
import org.nd4j.autodiff.listeners.BaseListener;
import org.nd4j.autodiff.listeners.Operation;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.linalg.api.ops.OpContext;

/**
 * Makes SameDiff's random ops (LoRA dropout masks) reproducible. In 1.0.0-M2.1 the inference session gives each op
 * a fresh native context whose generator is not seeded from {@code Nd4j.getRandom()}, so masks differ from run to
 * run (pinned in SameDiffQuirksTest). This listener seeds every random op from (seed, op name) just before it runs:
 * the same seed gives the same masks in any process, whatever ran before, so a resumed run repeats an uninterrupted
 * one exactly.
 */
public final class SeededRandomOps extends BaseListener {

    private volatile long seed;

    public void setSeed(long seed) {
        this.seed = seed;
    }

    @Override
    public boolean isActive(Operation operation) {
        return true;
    }

    @Override
    public void preOpExecution(SameDiff sd, At at, SameDiffOp op, OpContext opContext) {
        if (op.getOp().getClass().getPackageName().startsWith("org.nd4j.linalg.api.ops.random")) {
            opContext.setRngStates(seed, mix(op.getName().hashCode()));
        }
    }

    private static long mix(long x) {
        x += 0x9E3779B97F4A7C15L;
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }
}
