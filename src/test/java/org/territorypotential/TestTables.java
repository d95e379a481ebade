package org.territorypotential;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StructField;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * Fixture rows into a table through the production write path ({@link Lake#write}): a fixture
 * names only the columns its test is about; the others of the declared schema are added as typed
 * nulls. The lineage is the fixture's own run id and run date.
 */
public final class TestTables {
  private TestTables() {}

  public static Lake.Written write(Lake lake, Table t, Dataset<Row> rows, LocalDate asOf, String runId, String predicate) {
    List<String> have = List.of(rows.columns());
    List<Column> cols = new ArrayList<>();
    for (StructField f : t.schema().fields()) {
      cols.add(have.contains(f.name()) ? functions.col(f.name()).cast(f.dataType()).as(f.name())
          : functions.lit(null).cast(f.dataType()).as(f.name()));
    }
    RunContext run = new RunContext(runId, "fixture", asOf, Instant.parse(asOf + "T06:00:00Z"));
    Lake.Lineage lineage = new Lake.Lineage(run, first(rows, "input_versions", "fixture"), first(rows, "model_version", "fixture"));
    return lake.write(t, rows.select(cols.toArray(new Column[0])), lineage, predicate);
  }

  /** The fixture's own value of a lineage column (its first row), else {@code otherwise}. */
  private static String first(Dataset<Row> rows, String column, String otherwise) {
    if (!List.of(rows.columns()).contains(column)) {
      return otherwise;
    }
    Row r = rows.select(column).first();
    return r == null || r.isNullAt(0) ? otherwise : r.getString(0);
  }

  /** As above; the run id is the fixture's own run_id column when it has one (its first row), else fixture-<as_of>. */
  public static Lake.Written write(Lake lake, Table t, Dataset<Row> rows, LocalDate asOf, String predicate) {
    return write(lake, t, rows, asOf, first(rows, "run_id", "fixture-" + asOf), predicate);
  }
}
