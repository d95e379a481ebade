package org.territorypotential.score;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.forecast.ForecastJob;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The {@code score} job: reads the run date's industry demand forecast, monthly registrations,
 * territory assignment and demographics (recording their Delta versions), computes
 * {@code potential_scores} and {@code sales_goals} with {@link Scores} and {@link SalesGoals},
 * and replaces the run date's partition of both (docs/scores.md).
 */
public final class ScoreJob {
  private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);

  /** One territory line of the summary. */
  public record Line(String type, String territoryId, double potential, double pace, double gap, Double score, String band) {}

  public record Result(String runId, String brand, String modelVersion, Map<String, Long> versionsRead,
      Map<String, Long> rowsWritten, Map<String, Long> versionsWritten, List<Line> top) {}

  private ScoreJob() {}

  public static Result run(SparkSession spark, AppConfig cfg, RunContext run, int topN) {
    Lake lake = new Lake(spark, cfg);
    LocalDate asOf = run.asOf();
    ScoreParams p = ScoreParams.from(cfg, asOf);
    Map<String, Long> versions = new LinkedHashMap<>();
    Dataset<Row> forecast = lake.readPinned(Table.DEMAND_FORECAST, asOf, versions)
        .where(col("scope").equalTo(ForecastJob.SCOPE_INDUSTRY)).persist(StorageLevel.MEMORY_AND_DISK());
    Row fc = forecast.selectExpr("count(*)", "min(model_version)", "max(model_version)", "min(method)").first();
    if (fc.getLong(0) == 0) {
      throw org.territorypotential.lake.MissingInput.of("score", "the industry forecast of " + asOf + " in "
          + lake.sqlName(Table.DEMAND_FORECAST), "forecast --as-of " + asOf);
    }
    String modelVersion = fc.getString(1);
    String method = fc.getString(3);
    Dataset<Row> monthly = lake.readPinned(Table.MONTHLY_REGISTRATIONS, asOf, versions);
    Dataset<Row> assignment = lake.readPinned(Table.TERRITORY_ASSIGNMENT, asOf, versions);
    Dataset<Row> demographics = lake.exists(Table.DEMOGRAPHICS_BRONZE) ? lake.readPinned(Table.DEMOGRAPHICS_BRONZE, asOf, versions)
        : null;
    String inputVersions = Lake.versionsText(versions);
    LOG.info("score {} for {}: forecast {} ({}), inputs {}", asOf, p.brand(), modelVersion, method, inputVersions);

    Dataset<Row> scores = Scores.compute(new Scores.Inputs(forecast, monthly, assignment, demographics), p)
        .persist(StorageLevel.MEMORY_AND_DISK());
    Dataset<Row> goals = SalesGoals.compute(spark, scores, p);

    Map<String, Long> rowsWritten = new LinkedHashMap<>();
    Map<String, Long> versionsWritten = new LinkedHashMap<>();
    Lake.Lineage lineage = Lake.Lineage.of(run).withInputs(versions).withModel(modelVersion);
    for (Lake.Written w : lake.writeAll(List.of(
        new Lake.Request(Table.POTENTIAL_SCORES, scores.withColumn("brand", lit(p.brand())).withColumn("forecast_method", lit(method)),
            lineage),
        new Lake.Request(Table.SALES_GOALS, goals, lineage)))) {
      rowsWritten.put(w.sqlName(), w.rows());
      versionsWritten.put(w.sqlName(), w.version());
      LOG.info("{}: {} rows (version {})", w.sqlName(), w.rows(), w.version());
    }

    List<Line> top = new ArrayList<>();
    for (Row r : scores.where(col("segment").equalTo(Scores.ALL))
        .orderBy(col("opportunity_gap").desc(), col("territory_type"), col("territory_id")).limit(topN)
        .select("territory_type", "territory_id", "potential_units", "current_pace", "opportunity_gap", "score", "band")
        .collectAsList()) {
      top.add(new Line(r.getString(0), r.getString(1), r.getDouble(2), r.getDouble(3), r.getDouble(4),
          r.isNullAt(5) ? null : r.getDouble(5), r.getString(6)));
    }
    scores.unpersist();
    forecast.unpersist();
    return new Result(run.runId(), p.brand(), modelVersion, versions, rowsWritten, versionsWritten, top);
  }
}
