package io.kif4j.lora;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One skill unit of a LoRA adapter (spec §2.2): a whole lora_A or lora_B matrix (KIF's matrix-level units), or
 * the rank-one pair {row i of A, column i of B} whose update is b_i a_iᵀ (KIFLoRA), with id
 * {@code <module path>|||i}.
 */
public record SkillUnit(String id, String module, Kind kind, int index) {

    public enum Kind { MATRIX_A, MATRIX_B, RANK_ONE }

    /** Matrix-level units: each lora_A and each lora_B, in module order (A before B). */
    public static List<SkillUnit> matrixLevel(LoraAdapter adapter) {
        List<SkillUnit> units = new ArrayList<>();
        for (LoraModule m : adapter.modules()) {
            units.add(new SkillUnit(m.aName(), m.path(), Kind.MATRIX_A, -1));
            units.add(new SkillUnit(m.bName(), m.path(), Kind.MATRIX_B, -1));
        }
        return units;
    }

    /**
     * Rank-one units (spec Eq. 3): B·A = Σ_i b_i a_iᵀ, so unit u_i = b_i a_iᵀ is column i of B with row i of A; r per
     * module, id {@code path|||i}.
     */
    public static List<SkillUnit> rankOne(LoraAdapter adapter) {
        List<SkillUnit> units = new ArrayList<>();
        for (LoraModule m : adapter.modules()) {
            for (int i = 0; i < m.rank(); i++) {
                units.add(new SkillUnit(LoraKeys.rankOne(m.path(), i), m.path(), Kind.RANK_ONE, i));
            }
        }
        return units;
    }

    /**
     * The parts of per-element tensors (keyed by LoRA variable name, shaped like A and B) that belong to this
     * unit, as views: {A} or {B} for matrix units, {row i of A, column i of B} for rank-one units. Writing into
     * a view writes into the tensor.
     */
    public INDArray[] parts(Map<String, INDArray> byVariable) {
        String a = LoraKeys.a(module);
        String b = LoraKeys.b(module);
        return switch (kind) {
            case MATRIX_A -> new INDArray[]{byVariable.get(a)};
            case MATRIX_B -> new INDArray[]{byVariable.get(b)};
            case RANK_ONE -> new INDArray[]{
                    byVariable.get(a).get(NDArrayIndex.point(index), NDArrayIndex.all()),
                    byVariable.get(b).get(NDArrayIndex.all(), NDArrayIndex.point(index))};
        };
    }
}
