package org.territorypotential.bench;

import java.io.File;
import java.io.PrintStream;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.spark.Sessions;

/**
 * The benchmark commands (jobs/tp bench-locate, bench-pipeline, bench-design, bench-serve). Benchmark code lives in its own
 * source set (src/bench/java, compiled with the tests into target/test-classes), so it is not in
 * the application jars; the launcher finds it by name from a source checkout.
 */
public final class BenchCommands {
  private BenchCommands() {}

  /** Runs {@code command}; throws when the benchmark's own cross-checks disagree. */
  public static void run(String command, AppConfig cfg, File conf, Map<String, String> overrides, LocalDate asOf,
      List<String> argv, PrintStream out) {
    switch (command) {
      case "bench-locate" -> {
        SparkSession spark = Sessions.create(cfg);
        LocateBench.Result r = LocateBench.run(spark, cfg, "jobs/tp " + String.join(" ", argv), out);
        if (!r.countsAgree()) {
          throw new IllegalStateException("bench-locate: Sedona and JTS located different numbers of points (see the checks)");
        }
      }
      case "bench-pipeline" -> {
        PipelineBench.Result r = PipelineBench.run(conf, overrides, asOf, argv, out);
        if (!r.checksAgree()) {
          throw new IllegalStateException("bench-pipeline: the plain-Java market pass and the market stage counted differently"
              + " (see the checks)");
        }
      }
      case "bench-design" -> {
        List<DesignBench.Line> lines = DesignBench.run(cfg, "jobs/tp " + String.join(" ", argv), out);
        if (lines.stream().anyMatch(l -> !l.contiguous())) {
          throw new IllegalStateException("bench-design: a designed territory is not contiguous (see the table)");
        }
        if (!cfg.getStringList("tp.bench.design.adjacency-polygons").isEmpty()) {
          List<DesignBench.AdjacencyLine> adj = DesignBench.adjacency(Sessions.create(cfg), cfg,
              "jobs/tp " + String.join(" ", argv), out);
          if (adj.stream().anyMatch(l -> l.edges() != l.gridEdges())) {
            throw new IllegalStateException("bench-design: the adjacency join found other edges than the grid has (see the table)");
          }
        }
      }
      case "bench-serve" -> {
        ServeBench.Result r;
        try {
          r = ServeBench.run(cfg, conf, overrides, asOf, argv, out);
        } catch (RuntimeException e) {
          throw e;
        } catch (Exception e) {
          throw new IllegalStateException("bench-serve: " + e.getMessage(), e);
        }
        if (!r.clean()) {
          throw new IllegalStateException("bench-serve: queries failed or the command run beside them failed (see above)");
        }
      }
      default -> throw new IllegalArgumentException("not a benchmark command: " + command);
    }
  }
}
