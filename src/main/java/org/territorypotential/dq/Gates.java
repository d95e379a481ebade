package org.territorypotential.dq;

import java.io.PrintStream;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * Runs the configured checks ({@code tp.dq.checks}) on the rows a stage staged (committed, not yet
 * published), appends one row per check to {@code dq_results}, and throws {@link GateFailed} when a
 * blocking check failed: the Runner then publishes nothing.
 */
public final class Gates {
  private Gates() {}

  static final StructType SCHEMA = Table.DQ_RESULTS.schema();

  /** A blocking check failed on the staged rows: nothing of the run is published, the downstream stages do not run. */
  public static final class GateFailed extends RuntimeException {
    public GateFailed(String message) {
      super(message);
    }
  }

  /** {@link #run(Lake, AppConfig, RunContext, String, Set, java.util.Map, PrintStream)} on the tables' newest versions. */
  public static List<Evaluator.Result> run(Lake lake, AppConfig cfg, RunContext run, String stage, Set<Table> tables,
      PrintStream out) {
    return run(lake, cfg, run, stage, tables, java.util.Map.of(), out);
  }

  /**
   * Evaluates the stage's checks on the rows it staged ({@code staged}: table -> the Delta version the
   * run committed, not yet published; a table of the stage the run did not write is read at its
   * newest version), records them, prints one line per non-passing check; throws on a blocking failure.
   */
  public static List<Evaluator.Result> run(Lake lake, AppConfig cfg, RunContext run, String stage, Set<Table> tables,
      java.util.Map<Table, Long> staged, PrintStream out) {
    List<Check> checks = new ArrayList<>();
    for (Check c : Check.parseAll(cfg.getStringList("tp.dq.checks"))) {
      if (tables.contains(c.table()) && (staged.containsKey(c.table()) || lake.exists(c.table()))) {
        if (c.refTable() != null && !(staged.containsKey(c.refTable()) || lake.exists(c.refTable()))) {
          throw new org.territorypotential.config.ConfigError("tp.dq.checks: '" + c.spec() + "': " + c.refTable() + " does not exist yet");
        }
        checks.add(c);
      }
    }
    // the checks of one table are evaluated together (one aggregate for the simple kinds); the
    // tables at once, up to tp.lake.parallel-writes (their queries' fixed driver cost overlaps)
    java.util.Map<Table, List<Check>> byTable = new java.util.LinkedHashMap<>();
    checks.forEach(c -> byTable.computeIfAbsent(c.table(), t -> new ArrayList<>()).add(c));
    List<List<Evaluator.Result>> perTable = org.territorypotential.ops.Parallel.map(List.copyOf(byTable.entrySet()),
        cfg.getInt("tp.lake.parallel-writes"), "tp-dq", e -> {
          Dataset<Row> table = rows(lake, e.getKey(), staged);
          return Evaluator.evaluateAll(e.getValue(), onDate(table, run.asOf()), () -> {
            Row prev = table.where(functions.col("as_of").lt(functions.lit(Date.valueOf(run.asOf()))))
                .agg(functions.max("as_of")).first();
            return prev.isNullAt(0) ? null : onDate(table, prev.getDate(0).toLocalDate());
          }, c -> onDate(rows(lake, c.refTable(), staged), run.asOf()), run.asOf());
        });
    // results in the configured order
    java.util.Map<Check, Evaluator.Result> byCheck = new java.util.IdentityHashMap<>();
    perTable.stream().flatMap(List::stream).forEach(r -> byCheck.put(r.check(), r));
    List<Evaluator.Result> results = checks.stream().map(byCheck::get).toList();
    if (results.isEmpty()) {
      return results;
    }
    record(lake, run, stage, results);
    int passed = 0;
    Evaluator.Result firstFail = null;
    for (Evaluator.Result r : results) {
      if (r.status().equals("pass")) {
        passed++;
      } else {
        out.printf("  dq %s: %s %s: %s%n", r.status().toUpperCase(java.util.Locale.ROOT), r.check().table(), r.check().name(), r.detail());
        if (r.status().equals("fail") && firstFail == null) {
          firstFail = r;
        }
      }
    }
    out.printf("  dq: %d of %d checks passed%n", passed, results.size());
    if (firstFail != null) {
      throw new GateFailed("data-quality gate failed after " + stage + ": " + firstFail.check().table() + " "
          + firstFail.check().name() + ": " + firstFail.detail() + " (threshold " + firstFail.threshold() + ")");
    }
    return results;
  }

  /** The table at the version this run staged, else at its newest version. */
  private static Dataset<Row> rows(Lake lake, Table t, java.util.Map<Table, Long> staged) {
    Long v = staged.get(t);
    return v == null ? lake.read(t) : lake.readVersion(t, v);
  }

  private static Dataset<Row> onDate(Dataset<Row> rows, java.time.LocalDate asOf) {
    return rows.where(functions.col("as_of").equalTo(functions.lit(Date.valueOf(asOf))));
  }

  static void record(Lake lake, RunContext run, String stage, List<Evaluator.Result> results) {
    Timestamp now = Timestamp.from(Instant.now());
    List<Row> rows = new ArrayList<>();
    for (Evaluator.Result r : results) {
      double obs = r.observed();
      rows.add(RowFactory.create(run.runId(), stage, lake.sqlName(r.check().table()), r.check().name(), r.check().severity(),
          Double.isInfinite(obs) ? null : obs, r.threshold(), r.status(), r.detail(), now, Date.valueOf(run.asOf())));
    }
    lake.append(Table.DQ_RESULTS, lake.spark().createDataFrame(rows, SCHEMA));
  }
}
