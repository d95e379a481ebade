package org.territorypotential.forecast;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;

/**
 * The forecasting engine on a synthetic fixture with a planted pattern: four units in two
 * territories, 48 months, yearly growth 20% and a seasonal swing of +-40% peaking in April,
 * multiplicative noise of 5%. Tiny models (few shallow trees) keep it quick.
 */
class ForecastTest {
  static final int H = 6;
  static final LocalDate FIRST = LocalDate.parse("2019-01-01");
  static final int MONTHS = 48;

  static ForecastModel.Params small() {
    return new ForecastModel.Params("gbt", 30, 3, 0.2, 1.0, 32, 7, "squared", false, 1, 12);
  }

  /** 8 origins a month apart (the newest 3 held out), a fit for the tuning origins and one for the held-out ones. */
  static Forecaster.Settings settings(ForecastModel.Params p, List<String> candidates, boolean guard, int maxSeries) {
    return new Forecaster.Settings(H, 3, 12, 8, 1, 3, 5, p, candidates, new Panel.Tsb(0.1, 0.1), guard, maxSeries, 2,
        Evaluation.RECONCILIATIONS, 1500, true, HarmonicTrend.Settings.DEFAULT);
  }

  /** Unit series: base x 1.2^(t/12) x (1 + 0.4 cos(2 pi (month - 4) / 12)) x (1 + 5% noise), rounded. */
  static History.Result fixture() {
    SparkSession spark = TestSpark.session();
    Random rnd = new Random(11);
    String[][] units = {{"u1", "t1", "40"}, {"u2", "t1", "15"}, {"u3", "t2", "120"}, {"u4", "t2", "6"}};
    List<Row> rows = new ArrayList<>();
    for (String[] u : units) {
      double base = Double.parseDouble(u[2]);
      for (int t = 0; t < MONTHS; t++) {
        LocalDate m = FIRST.plusMonths(t);
        double season = 1 + 0.4 * Math.cos(2 * Math.PI * (m.getMonthValue() - 4) / 12.0);
        double v = base * Math.pow(1.2, t / 12.0) * season * (1 + 0.05 * rnd.nextGaussian());
        rows.add(RowFactory.create(u[0], Levels.UNIT, "A", Date.valueOf(m), (double) Math.max(0, Math.round(v))));
      }
    }
    StructType schema = new StructType().add("series_id", DataTypes.StringType).add("level", DataTypes.StringType)
        .add("segment", DataTypes.StringType).add("month", DataTypes.DateType).add("value", DataTypes.DoubleType);
    Dataset<Row> unitsDf = spark.createDataFrame(rows, schema);
    List<Row> h = new ArrayList<>();
    for (String[] u : units) {
      h.add(RowFactory.create(u[0], u[1], "S"));
    }
    Dataset<Row> hier = spark.createDataFrame(h, new StructType().add("series_id", DataTypes.StringType)
        .add("territory_id", DataTypes.StringType).add("state_id", DataTypes.StringType));
    return new History.Result(Reconcile.rollUp(unitsDf, hier), hier);
  }

  private static Forecaster.Outcome good;

  static synchronized Forecaster.Outcome good() {
    if (good == null) {
      good = Forecaster.run(fixture(), null, settings(small(), List.of("gbt", "glr"), true, 0), null);
    }
    return good;
  }

  @Test
  void forecastMetricsAndIntervalsHaveTheirShapes() {
    Forecaster.Outcome o = good();
    assertEquals(LocalDate.parse("2022-12-01"), o.origin());
    List<Row> f = o.forecast().collectAsList();
    assertEquals((4 + 2 + 1) * H, f.size(), "4 units + 2 territories + 1 state, H months each");
    for (Row r : f) {
      double fc = r.getAs("forecast");
      double l95 = r.getAs("lower_95");
      double l80 = r.getAs("lower_80");
      double u80 = r.getAs("upper_80");
      double u95 = r.getAs("upper_95");
      assertTrue(0 <= l95 && l95 <= l80 && l80 <= u80 && u80 <= u95, r.toString());
      assertTrue(l95 <= fc && fc <= u95, r.toString());
      int h = r.getAs("horizon");
      assertEquals(LocalDate.parse("2022-12-01").plusMonths(h), ((Date) r.getAs("target_month")).toLocalDate());
      assertEquals(o.published(r.getAs("level")), r.getAs("method"));
    }
    // metrics: 8 origins x H horizons x 3 levels x (2 candidates + 5 baselines + combination + harmonic_trend + top_down
    // + mint + published)
    assertEquals(8L * H * 3 * 12, o.metrics().count());
    assertTrue(Evaluation.RECONCILIATIONS.contains(o.choice().reconciliation())
        || Evaluation.MINT_SHARES.equals(o.choice().reconciliation()), o.choice().reconciliation());
    // origins: the newest whose H months are all known, then every month earlier; the newest 3 held out
    assertEquals(LocalDate.parse("2021-11-01"), o.origins().get(0));
    assertEquals(List.of(LocalDate.parse("2022-04-01"), LocalDate.parse("2022-05-01"), LocalDate.parse("2022-06-01")), o.heldOut());
    assertEquals(3L * H * 3 * 12, o.metrics().where("split = 'held_out'").count());
    for (Backtest.TrainWindow w : o.windows()) {
      // the tuning origins are forecast by the fit at the oldest origin, the held-out ones by the fit at the first held-out one
      assertEquals(w.origin().isBefore(LocalDate.parse("2022-04-01")) ? LocalDate.parse("2021-11-01") : LocalDate.parse("2022-04-01"),
          w.end(), "labels up to the fit's origin only, at or before " + w.origin());
      assertEquals(LocalDate.parse("2019-12-01"), w.start(), "first origin with 12 months of history");
    }
  }

  @Test
  void theModelRecoversThePlantedTrendAndSeasonalityAndBeatsTheBaselines() {
    Forecaster.Outcome o = good();
    Map<String, Double> held = Evaluation.overallWape(o.metricList(), Levels.UNIT, Evaluation.HELD_OUT);
    System.out.println("[forecast fixture] held-out unit WAPE " + held + "; published per level " + o.choice().byLevel());
    // the season-blind baselines lose to the chosen model on the held-out origins
    String m = o.choice().model();
    assertTrue(held.get(m) < held.get("last_value") && held.get(m) < held.get("moving_average"), held.toString());
    // The April peak is forecast above the January trough for every unit (seasonality recovered).
    Map<String, Map<Integer, Double>> byUnit = new HashMap<>();
    for (Row r : o.forecast().where(col("level").equalTo(Levels.UNIT)).collectAsList()) {
      byUnit.computeIfAbsent(r.getAs("series_id"), k -> new HashMap<>())
          .put(((Date) r.getAs("target_month")).toLocalDate().getMonthValue(), r.getAs("forecast"));
    }
    // Planted: April / January = 1.4 (x a little trend); a season-blind model gives about 1.05.
    byUnit.forEach((u, mm) -> assertTrue(mm.get(4) > 1.15 * mm.get(1), u + " " + mm));
  }

  @Test
  void unitForecastsSumToTerritoryAndState() {
    List<Row> f = good().forecast().collectAsList();
    Map<String, Double> sums = new HashMap<>();
    Map<String, Double> given = new HashMap<>();
    Map<String, String> territory = Map.of("u1", "t1", "u2", "t1", "u3", "t2", "u4", "t2");
    for (Row r : f) {
      String key = r.getAs("target_month").toString();
      String level = r.getAs("level");
      double v = r.getAs("forecast");
      String id = r.getAs("series_id");
      if (level.equals(Levels.UNIT)) {
        sums.merge("territory " + territory.get(id) + " " + key, v, Double::sum);
        sums.merge("state S " + key, v, Double::sum);
      } else {
        given.put(level + " " + id + " " + key, v);
      }
    }
    assertEquals(given.keySet(), sums.keySet());
    given.forEach((k, v) -> assertEquals(v, sums.get(k), 1e-9, k));
    // Backtests too: the state actual is the sum of the unit actuals.
    for (Evaluation.Metric m : good().metricList()) {
      if (m.level().equals(Levels.STATE) && m.method().equals("last_value")) {
        double units = good().metricList().stream().filter(x -> x.level().equals(Levels.UNIT) && x.method().equals("last_value")
            && x.origin().equals(m.origin()) && x.horizon() == m.horizon()).mapToDouble(Evaluation.Metric::actualSum).sum();
        assertEquals(units, m.actualSum(), 1e-9);
      }
    }
  }

  /**
   * tp.forecast.model.max-training-series: with 2 of the 4 equal-length series in the sample,
   * every fit sees exactly half the training rows, while the backtests and the forecast still
   * cover all 4; the sample is the same however the rows are partitioned; and the examples of a
   * few origins (what scoring builds for every series) equal those origins' rows of the full frame.
   */
  @Test
  void aSampleOfSeriesTrainsTheModelWhileEverySeriesIsBacktestedAndForecast() {
    History.Result h = fixture();
    ForecastModel.Params tiny = new ForecastModel.Params("gbt", 3, 2, 0.3, 1.0, 32, 7, "squared", false, 1, 3);
    Forecaster.Outcome o = Forecaster.run(h, null, settings(tiny, List.of("gbt"), false, 2), null);
    assertEquals(4, o.training().series());
    assertEquals(2, o.training().sampled());
    Dataset<Row> all = Features.examples(h.units(), H, 3, 3, null);
    List<ForecastModel.Fitted> fits = o.training().fits();
    assertEquals(List.of("gbt@2021-11-01", "gbt@2022-04-01", "gbt@2022-12-01"), fits.stream().map(ForecastModel.Fitted::name).toList(),
        "the tuning fit, the held-out fit and the final fit");
    for (ForecastModel.Fitted f : fits) {
      long everySeries = Backtest.trainingRows(all, LocalDate.parse(f.name().substring(4)), 12).count();
      assertTrue(everySeries > 0);
      assertEquals(everySeries, 2 * f.rows(), f.name());
    }
    assertTrue(o.metricList().stream().filter(r -> Levels.UNIT.equals(r.level())).allMatch(r -> r.nSeries() == 4L),
        "every series is backtested");
    assertEquals(4L * H, o.forecast().where(col("level").equalTo(Levels.UNIT)).count(), "every series is forecast");
    assertEquals(Forecaster.trainingSample(h.units(), 2).collectAsList(),
        Forecaster.trainingSample(h.units().repartition(3).orderBy(col("value").desc()), 2).collectAsList());
    assertNull(Forecaster.trainingSample(h.units(), 4), "4 series fit in a sample of 4: no sample");

    List<LocalDate> few = List.of(o.origins().get(0), o.origin());
    Dataset<Row> some = Features.examples(h.units(), Features.stateTrends(h.units()), few, H, 3, 3, null);
    Dataset<Row> same = all.where(col("origin").isin(Date.valueOf(few.get(0)), Date.valueOf(o.origin())));
    assertEquals(2L * 4 * H, some.count());
    assertEquals(0, some.exceptAll(same).count() + same.exceptAll(some).count());
  }

  @Test
  void changingDataAfterTheOriginMovesNeitherFeaturesNorForecasts() {
    History.Result h = fixture();
    LocalDate origin = LocalDate.parse("2021-06-01");
    Dataset<Row> perturbed = h.units().withColumn("value",
        when(col("month").gt(lit(Date.valueOf(origin))), col("value").multiply(7).plus(100)).otherwise(col("value")));
    Dataset<Row> a = Features.examples(h.units(), H, 3, 12, null);
    Dataset<Row> b = Features.examples(perturbed, H, 3, 12, null);
    List<String> cols = new ArrayList<>(Features.KEYS);
    cols.add("months_of_history");
    Features.BASE.stream().filter(c -> !c.equals("horizon")).forEach(cols::add);
    String[] rest = cols.subList(1, cols.size()).toArray(new String[0]);
    Dataset<Row> atOrBefore = a.where(col("origin").leq(lit(Date.valueOf(origin)))).select(cols.get(0), rest);
    Dataset<Row> atOrBeforeB = b.where(col("origin").leq(lit(Date.valueOf(origin)))).select(cols.get(0), rest);
    assertEquals(0, atOrBefore.exceptAll(atOrBeforeB).count() + atOrBeforeB.exceptAll(atOrBefore).count(),
        "features at or before the origin changed when only later values changed");
    // ... while the labels after the origin did change (the perturbation is real).
    assertTrue(a.where(col("origin").equalTo(lit(Date.valueOf(origin)))).select("actual")
        .exceptAll(b.where(col("origin").equalTo(lit(Date.valueOf(origin)))).select("actual")).count() > 0);

    List<Double> fa = forecastsAt(a, origin);
    List<Double> fb = forecastsAt(b, origin);
    assertEquals(H * 4, fa.size());
    assertEquals(fa, fb, "the forecast from the origin moved when only data after it changed");
  }

  private static List<Double> forecastsAt(Dataset<Row> examples, LocalDate origin) {
    PipelineModel m = ForecastModel.fit(Backtest.trainingRows(examples, origin, 12), Features.BASE, small());
    return ForecastModel.predict(m, Backtest.scoringRows(examples, origin)).orderBy("series_id", "horizon")
        .select("model").collectAsList().stream().map(r -> r.getDouble(0)).toList();
  }

  @Test
  void registrationsBecomeSparseMonthlyCountsWithZerosInsideEachSeries() {
    SparkSession spark = TestSpark.session();
    StructType schema = new StructType().add("geo_unit_id", DataTypes.StringType).add("segment", DataTypes.StringType)
        .add("registration_date", DataTypes.DateType).add("territory_id", DataTypes.StringType);
    List<Row> regs = List.of(
        RowFactory.create("g1", "SUV", Date.valueOf("2023-01-05"), "T1"),
        RowFactory.create("g1", "SUV", Date.valueOf("2023-01-20"), "T1"),
        RowFactory.create("g1", "SUV", Date.valueOf("2023-03-31"), "T1"),
        RowFactory.create("g2", "CAR", Date.valueOf("2023-03-01"), "T1"),
        RowFactory.create("g2", null, Date.valueOf("2023-02-14"), "T1"),
        RowFactory.create("g3", "CAR", Date.valueOf("2023-01-02"), "T2"),
        RowFactory.create(null, "CAR", Date.valueOf("2023-01-02"), "T2"),
        RowFactory.create("g3", "CAR", Date.valueOf("2023-05-02"), "T2"));
    History.Result r = History.fromRegistrations(spark.createDataFrame(regs, schema), LocalDate.parse("2023-04-30"), "XX");
    Map<String, Double> got = new HashMap<>();
    for (Row row : r.series().collectAsList()) {
      got.put(row.getAs("level") + "/" + row.getAs("series_id") + "/" + row.getAs("segment") + "/" + row.getAs("month"),
          row.getAs("value"));
    }
    // Series (unit x segment with a registration), each from its first month to April (May is after the last month):
    // g1/SUV Jan-Apr, g2/CAR Mar-Apr, g2/UNCLASSIFIED Feb-Apr, g3/CAR Jan-Apr
    assertEquals(4 + 2 + 3 + 4, got.keySet().stream().filter(k -> k.startsWith("unit/")).count());
    assertEquals(2.0, got.get("unit/g1/SUV/2023-01-01"));
    assertEquals(0.0, got.get("unit/g1/SUV/2023-02-01"), "a month without registrations inside a series is 0, not absent");
    assertEquals(1.0, got.get("unit/g1/SUV/2023-03-01"));
    assertEquals(0.0, got.get("unit/g1/SUV/2023-04-01"));
    assertFalse(got.containsKey("unit/g1/CAR/2023-01-01"), "a unit x segment that never sold is no series (no dense panel)");
    assertFalse(got.containsKey("unit/g2/CAR/2023-02-01"), "no month before a series' first registration");
    assertEquals(1.0, got.get("unit/g2/CAR/2023-03-01"));
    assertEquals(1.0, got.get("unit/g2/UNCLASSIFIED/2023-02-01"));
    assertEquals(0.0, got.get("unit/g3/CAR/2023-04-01"));
    assertEquals(1.0, got.get("territory/T1/CAR/2023-03-01"));
    assertEquals(1.0, got.get("territory/T2/CAR/2023-01-01"), "the unlocated row is not counted");
    assertEquals(3.0, got.get("state/XX/SUV/2023-01-01") + got.get("state/XX/CAR/2023-01-01"));
    assertEquals(0.0, got.get("state/XX/CAR/2023-02-01"));
    // territories: T1 SUV 4 + CAR 2 + UNCLASSIFIED 3 months, T2 CAR 4; state: SUV 4, CAR 4, UNCLASSIFIED 3
    assertEquals(13 + 13 + 11, got.size());
  }

  @Test
  void countyHistoryBecomesClippedMonthlyNetNewPerCountyAndEvType() {
    SparkSession spark = TestSpark.session();
    StructType schema = new StructType().add("month_end", DataTypes.DateType).add("state", DataTypes.StringType)
        .add("county", DataTypes.StringType).add("vehicle_use", DataTypes.StringType).add("bev", DataTypes.LongType)
        .add("phev", DataTypes.LongType);
    List<Row> rows = List.of(
        RowFactory.create(Date.valueOf("2020-01-31"), "WA", "King", "Passenger", 100L, 50L),
        RowFactory.create(Date.valueOf("2020-01-31"), "WA", "King", "Truck", 10L, 5L),
        RowFactory.create(Date.valueOf("2020-02-29"), "WA", "King", "Passenger", 120L, 49L),
        RowFactory.create(Date.valueOf("2020-02-29"), "WA", "King", "Truck", 12L, 5L),
        RowFactory.create(Date.valueOf("2020-03-31"), "WA", "King", "Passenger", 125L, 60L),
        RowFactory.create(Date.valueOf("2020-03-31"), "WA", "King", "Truck", 12L, 5L),
        RowFactory.create(Date.valueOf("2020-01-31"), "WA", "Adams", "Passenger", 3L, 1L),
        RowFactory.create(Date.valueOf("2020-02-29"), "WA", "Adams", "Passenger", 4L, 1L),
        RowFactory.create(Date.valueOf("2020-03-31"), "WA", "Adams", "Passenger", 4L, 3L),
        RowFactory.create(Date.valueOf("2020-02-29"), "CA", "Orange", "Passenger", 400L, 1L),
        RowFactory.create(Date.valueOf("2020-03-31"), "CA", "Orange", "Passenger", 900L, 1L));
    History.Result r = History.fromCountyHistory(spark.createDataFrame(rows, schema), Map.of("Adams", "East"), null);
    Map<String, Double> got = new HashMap<>();
    for (Row row : r.series().collectAsList()) {
      got.put(row.getAs("level") + "/" + row.getAs("series_id") + "/" + row.getAs("segment") + "/" + row.getAs("month"),
          row.getAs("value"));
    }
    assertEquals(22.0, got.get("unit/King/BEV/2020-02-01"), "Passenger + Truck, difference of the stock");
    assertEquals(0.0, got.get("unit/King/PHEV/2020-02-01"), "a fall in stock (-1) is clipped at 0");
    assertEquals(11.0, got.get("unit/King/PHEV/2020-03-01"));
    assertEquals(2.0, got.get("unit/Adams/PHEV/2020-03-01"));
    assertEquals(1.0, got.get("territory/East/BEV/2020-02-01"));
    assertEquals(22.0, got.get("territory/King/BEV/2020-02-01"), "a county not in the map is its own territory");
    assertEquals(23.0, got.get("state/WA/BEV/2020-02-01"), "WA only: Orange (CA) is left out");
    assertEquals(2 * 2 * 2 + 2 * 2 * 2 + 2 * 2, got.size(), "first month dropped");
  }
}
