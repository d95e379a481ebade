package org.territorypotential.lake;

import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** A small gold fixture: market_data_quality rows in 2 files. */
public final class GoldTablesTestFixtures {
  private GoldTablesTestFixtures() {}

  /** Four checks "0".."3" with affected = id, base 10 and the given share; run_id and as_of set. */
  public static Dataset<Row> quality(SparkSession spark, LocalDate asOf, String run, double share) {
    return spark.sql("SELECT CAST(id AS STRING) AS check_name, id AS affected, 10L AS base, CAST(" + share + " AS DOUBLE) AS share,"
        + " 'fixture' AS description, '" + run + "' AS run_id, DATE'" + asOf + "' AS as_of FROM range(4)").repartition(2);
  }
}
