package io.kif4j.grid;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kif4j.continual.RunConfig;
import io.kif4j.common.Json;

import java.io.Serializable;

/**
 * One cell of a comparison grid: a method on a task order with a seed, as one complete continual run. Plain strings
 * only, so a cell travels to a Spark task and on to a child JVM's command line unchanged.
 *
 * @param method     the method's name, e.g. "kiflora"
 * @param order      the order's name ("custom" for an explicit task list)
 * @param seed       the run's seed
 * @param configJson the cell's complete run config (snake_case JSON, as config files are written)
 */
public record GridCell(String method, String order, long seed, String configJson) implements Serializable {

    /** The run folder below the grid folder: {@code <method>/order-<order>/seed-<seed>}, as compare has always laid out. */
    public String dir() {
        return method + "/order-" + order + "/seed-" + seed;
    }

    /** A short name for progress lines and errors. */
    public String label() {
        return method + " order " + order + " seed " + seed;
    }

    static GridCell of(RunConfig c, String order) {
        try {
            return new GridCell(c.method, order, c.seed, Json.MAPPER.writeValueAsString(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a run config as JSON", e);
        }
    }

    /** The run config this cell runs. */
    public RunConfig config() {
        try {
            return Json.MAPPER.readValue(configJson, RunConfig.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("grid cell " + label() + ": not a run config: " + e.getOriginalMessage());
        }
    }
}
