package io.kif4j.grid;

import java.io.Serializable;

/**
 * How one attempt at a cell ended.
 *
 * @param cell    the cell
 * @param status  {@link Status#DONE}, {@link Status#INVALID} (bad input: retrying cannot help) or {@link Status#FAILED}
 * @param message the cell's one-line error for INVALID and FAILED, else empty
 * @param seconds the attempt's wall time
 */
public record CellOutcome(GridCell cell, Status status, String message, double seconds) implements Serializable {

    public enum Status { DONE, INVALID, FAILED }
}
