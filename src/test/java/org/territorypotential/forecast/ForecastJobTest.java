package org.territorypotential.forecast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The forecast job on the market stage's output: gold monthly_registrations (a fixture with
 * two brands, four units in two configured territories and a partial run month) to
 * demand_forecast and model_metrics, industry and one brand, a trained and a reused model.
 */
class ForecastJobTest {
  static final LocalDate AS_OF = LocalDate.parse("2022-04-15");

  static Map<String, String> settings(Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(Map.of(
        "tp.forecast.history", "registrations",
        "tp.forecast.horizon", "6",
        "tp.forecast.backtest.step-months", "2",
        "tp.forecast.model.trees", "4",
        "tp.forecast.backtest.refit-every-origins", "5",
        "tp.forecast.model.candidates", "[gbt]",
        "tp.forecast.publish-best-baseline-when-worse", "false",
        "tp.forecast.model.max-depth", "3"));
    m.putAll(extra);
    return m;
  }

  /** 40 months (Jan 2019 .. Apr 2022) of counts with trend and season; April 2022 is partial. */
  static void writeMonthly(Lake lake) {
    SparkSession spark = TestSpark.session();
    Random rnd = new Random(5);
    String[][] units = {{"u1", "t1", "30"}, {"u2", "t1", "12"}, {"u3", "t2", "60"}, {"u4", null, "5"}};
    List<Row> rows = new ArrayList<>();
    for (String[] u : units) {
      for (String brand : new String[] {"B1", "B2"}) {
        for (String segment : new String[] {"SUV", "CAR"}) {
          for (int t = 0; t < 40; t++) {
            LocalDate m = LocalDate.parse("2019-01-01").plusMonths(t);
            double season = 1 + 0.3 * Math.cos(2 * Math.PI * (m.getMonthValue() - 4) / 12.0);
            double v = Double.parseDouble(u[2]) * (brand.equals("B1") ? 0.3 : 0.7) * (segment.equals("SUV") ? 1.5 : 0.5)
                * Math.pow(1.1, t / 12.0) * season * (1 + 0.1 * rnd.nextGaussian());
            long n = Math.max(0, Math.round(v));
            if (n > 0) { // months without registrations have no row, as in the market stage
              rows.add(RowFactory.create(u[0], "c1", u[1], null, segment, brand, Date.valueOf(m), n, t == 39, "r0", "x@1",
                  Date.valueOf(AS_OF)));
            }
          }
        }
      }
    }
    StructType schema = new StructType().add("geo_unit_id", DataTypes.StringType).add("county_id", DataTypes.StringType)
        .add("territory_id", DataTypes.StringType).add("pma_territory_id", DataTypes.StringType)
        .add("segment", DataTypes.StringType).add("brand", DataTypes.StringType).add("month", DataTypes.DateType)
        .add("registrations", DataTypes.LongType).add("is_partial_month", DataTypes.BooleanType)
        .add("run_id", DataTypes.StringType).add("input_versions", DataTypes.StringType).add("as_of", DataTypes.DateType);
    org.territorypotential.TestTables.write(lake, Table.MONTHLY_REGISTRATIONS, spark.createDataFrame(rows, schema), AS_OF, null);
  }

  @Test
  void forecastsTheMarketHistoryPerScopeAndReusesTheSavedModel() {
    SparkSession spark = TestSpark.session();
    AppConfig cfg = TestSpark.config("fcjob", settings(Map.of()));
    Lake lake = new Lake(spark, cfg);

    writeMonthly(lake);
    long monthlyVersion = lake.version(Table.MONTHLY_REGISTRATIONS);
    org.territorypotential.ops.JobMeter.Snapshot s0 = org.territorypotential.ops.JobMeter.of(spark.sparkContext()).snapshot();
    ForecastJob.Result industry = ForecastJob.run(spark, cfg, RunContext.start("forecast", AS_OF));
    // the cost of a cold run (backtest fits and the final fit), printed for docs/BENCHMARKS.md
    System.out.println("[forecast cost] first run (cold backtest): "
        + org.territorypotential.ops.JobMeter.of(spark.sparkContext()).snapshot().minus(s0).describe());
    assertEquals("industry", industry.scope());
    assertEquals(LocalDate.parse("2022-03-01"), industry.outcome().origin(), "the partial run month is not history");
    assertFalse(industry.modelReused());
    // 4 units + 2 territories (u4 has none: it is its own) + 1 state = 7 series, x 2 segments x 6 horizons
    assertEquals((4 + 3 + 1) * 2 * 6, industry.forecastRows());
    Dataset<Row> fc = spark.table(lake.sqlName(Table.DEMAND_FORECAST));
    Row lineage = fc.selectExpr("min(input_versions)", "max(input_versions)", "min(model_version)", "count(distinct run_id)").first();
    assertEquals(lake.sqlName(Table.MONTHLY_REGISTRATIONS) + "@" + monthlyVersion, lineage.getString(0));
    assertEquals(lineage.getString(0), lineage.getString(1));
    assertEquals(industry.modelVersion(), lineage.getString(2));
    assertEquals(1L, lineage.getLong(3));
    assertEquals(0, fc.where("target_month <= DATE'2022-03-01' OR lower_95 > forecast OR forecast > upper_95").count());
    // territory t1 = u1 + u2, state = all units: bottom-up, per segment and month
    Row sums = spark.sql("SELECT sum(CASE WHEN level = 'territory' AND series_id = 't1' THEN forecast END),"
        + " sum(CASE WHEN level = 'unit' AND series_id IN ('u1', 'u2') THEN forecast END),"
        + " sum(CASE WHEN level = 'state' THEN forecast END), sum(CASE WHEN level = 'unit' THEN forecast END),"
        + " count(DISTINCT CASE WHEN level = 'state' THEN series_id END), min(CASE WHEN level = 'state' THEN series_id END)"
        + " FROM " + lake.sqlName(Table.DEMAND_FORECAST)).first();
    assertEquals(sums.getDouble(1), sums.getDouble(0), 1e-6);
    assertEquals(sums.getDouble(3), sums.getDouble(2), 1e-6);
    assertEquals(ForecastJob.STATE_ID, sums.getString(5));
    assertTrue(spark.table(lake.sqlName(Table.MODEL_METRICS)).where("scope = 'industry' AND level = 'unit' AND wape IS NOT NULL")
        .count() > 0);

    // the same run again: the stored backtest is reused and the run fits once (the final model)
    ForecastJob.Result again = ForecastJob.run(spark, cfg, RunContext.start("forecast", AS_OF));
    assertFalse(industry.outcome().reused());
    assertTrue(again.outcome().reused());
    assertEquals(1, again.outcome().training().fits().size(), again.outcome().training().fits().toString());
    assertEquals(industry.outcome().metricList(), again.outcome().metricList());

    // our brand's forecast with retrain = false: the saved model is reused, industry rows stay
    AppConfig brandCfg = TestSpark.config("fcjob", settings(Map.of("tp.forecast.brand", "b1", "tp.forecast.retrain", "false")));
    ForecastJob.Result b1 = ForecastJob.run(spark, brandCfg, RunContext.start("forecast", AS_OF));
    assertEquals("B1", b1.scope());
    assertTrue(b1.modelReused());
    assertEquals(again.modelVersion(), b1.modelVersion(), "the newest saved model");
    Row both = spark.sql("SELECT sum(CASE WHEN scope = 'industry' THEN forecast END), sum(CASE WHEN scope = 'B1' THEN forecast END),"
        + " count(*) FROM " + lake.sqlName(Table.DEMAND_FORECAST) + " WHERE level = 'state'").first();
    assertEquals(2L * 2 * 6, both.getLong(2), "industry and B1 state rows side by side");
    assertTrue(both.getDouble(1) < 0.5 * both.getDouble(0), "B1 has 30% of the industry: " + both);

    ConfigError bad = assertThrows(ConfigError.class, () -> ForecastJob.run(spark,
        TestSpark.config("fcjob", settings(Map.of("tp.forecast.brand", "x' OR 1=1 --"))), RunContext.start("forecast", AS_OF)));
    assertTrue(bad.getMessage().startsWith("configuration key 'tp.forecast.brand' must be a brand name"), bad.getMessage());
  }

  @Test
  void lastCompleteMonthLeavesOutAPartialRunMonth() {
    assertEquals(LocalDate.parse("2024-06-01"), ForecastJob.lastCompleteMonth(LocalDate.parse("2024-06-30")));
    assertEquals(LocalDate.parse("2024-05-01"), ForecastJob.lastCompleteMonth(LocalDate.parse("2024-06-29")));
    assertEquals(LocalDate.parse("2024-02-01"), ForecastJob.lastCompleteMonth(LocalDate.parse("2024-02-29")));
    assertEquals(LocalDate.parse("2024-01-01"), ForecastJob.lastCompleteMonth(LocalDate.parse("2024-02-01")));
  }
}
