package org.territorypotential.score;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.rank;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.territorypotential.forecast.ForecastJob;

/**
 * Territory potential scores as pure transforms (docs/scores.md has every formula). One row per
 * territory (configured territory, the brand's dealer PMAs, optionally every geo unit) x segment,
 * plus an all-segment row ({@code segment = 'ALL'}).
 */
public final class Scores {
  /** The all-segment row's segment. */
  public static final String ALL = "ALL";
  /** Region of territories without one (PMAs, units): they are ranked among themselves. */
  public static final String NO_REGION = "ALL";

  /**
   * @param forecast gold demand_forecast rows of one run date and scope (unit level is used):
   *     series_id (= geo_unit_id), level, segment, horizon, forecast
   * @param monthly gold monthly_registrations of the run date: geo_unit_id, segment, brand, month, registrations
   * @param assignment silver territory_assignment: geo_unit_id, territory_id, method, brand, region
   * @param demographics bronze demographics (geo_unit_id, year, households, median_household_income), or null
   */
  public record Inputs(Dataset<Row> forecast, Dataset<Row> monthly, Dataset<Row> assignment, Dataset<Row> demographics) {}

  private Scores() {}

  /** Territory membership: territory_type, territory_id, region, geo_unit_id. */
  public static Dataset<Row> territories(Dataset<Row> assignment, Dataset<Row> unitIds, ScoreParams p) {
    Dataset<Row> configured = assignment.where(col("method").equalTo(ScoreParams.CONFIGURED))
        .select(lit(ScoreParams.CONFIGURED).as("territory_type"), col("territory_id"),
            coalesce(col("region"), lit(NO_REGION)).as("region"), col("geo_unit_id"));
    Dataset<Row> pmas = assignment.where(col("method").equalTo(ScoreParams.PMA).and(upper(col("brand")).equalTo(p.brand())))
        .select(lit(ScoreParams.PMA).as("territory_type"), col("territory_id"), lit(NO_REGION).as("region"), col("geo_unit_id"));
    Dataset<Row> all = configured.unionByName(pmas);
    if (p.unitTerritories()) {
      all = all.unionByName(unitIds.select(lit(ScoreParams.UNIT).as("territory_type"), col("geo_unit_id").as("territory_id"),
          lit(NO_REGION).as("region"), col("geo_unit_id")));
    }
    return all.distinct();
  }

  /** Whether the forecast's segments are the market's (per-segment rows) or not (only the ALL row). */
  public static boolean perSegment(Dataset<Row> forecastUnits, Dataset<Row> monthly) {
    Set<String> f = new HashSet<>();
    forecastUnits.select("segment").distinct().collectAsList().forEach(r -> f.add(r.getString(0)));
    Set<String> m = new HashSet<>();
    monthly.select("segment").distinct().collectAsList().forEach(r -> m.add(r.getString(0)));
    return m.containsAll(f);
  }

  /** Scores and their components (without lineage columns). */
  public static Dataset<Row> compute(Inputs in, ScoreParams p) {
    Dataset<Row> fcUnits = in.forecast().where(col("level").equalTo("unit").and(col("horizon").leq(12)));
    boolean perSegment = perSegment(fcUnits, in.monthly());
    Column seg = perSegment ? col("segment") : lit(ALL);

    Dataset<Row> demand = fcUnits.groupBy(col("series_id").as("geo_unit_id"), seg.as("segment"))
        .agg(sum("forecast").as("forecast_sum"), countDistinct("horizon").as("forecast_months"));
    LocalDate last = ForecastJob.lastCompleteMonth(p.asOf());
    Column inTrailing = col("month").geq(lit(Date.valueOf(last.minusMonths(11)))).and(col("month").leq(lit(Date.valueOf(last))));
    Column isBrand = upper(col("brand")).equalTo(p.brand());
    Column inPace = col("month").geq(lit(Date.valueOf(last.minusMonths(2))));
    Dataset<Row> hist = in.monthly().where(inTrailing).groupBy(col("geo_unit_id"), seg.as("segment")).agg(
        sum("registrations").cast("double").as("industry_trailing_12"),
        sum(when(isBrand, col("registrations")).otherwise(0)).cast("double").as("brand_trailing_12"),
        sum(when(isBrand.and(inPace), col("registrations")).otherwise(0)).cast("double").as("brand_last_3_months"));
    Dataset<Row> units = demand.join(hist, new String[] {"geo_unit_id", "segment"}, "full_outer")
        .na().fill(0.0, new String[] {"forecast_sum", "industry_trailing_12", "brand_trailing_12", "brand_last_3_months"})
        .withColumn("demand_next_12", col("forecast_sum").multiply(12.0)
            .divide(when(col("forecast_months").isNull().or(col("forecast_months").equalTo(0)), 12).otherwise(col("forecast_months"))));

    // Benchmark share: the brand's share of the segment over every unit of the run, trailing 12 months.
    Dataset<Row> bench = units.groupBy("segment").agg(sum("brand_trailing_12").as("_b"), sum("industry_trailing_12").as("_i"))
        .select(col("segment"), when(col("_i").gt(0), col("_b").divide(col("_i"))).as("benchmark_share"));

    Dataset<Row> unitIds = units.select("geo_unit_id").distinct();
    Dataset<Row> terr = territories(in.assignment(), unitIds, p);
    Dataset<Row> sizes = terr.groupBy("territory_type", "territory_id", "region").agg(countDistinct("geo_unit_id").as("geo_units"));

    Dataset<Row> bySeg = terr.join(units, "geo_unit_id")
        .groupBy("territory_type", "territory_id", "region", "segment").agg(
            sum("demand_next_12").as("demand_next_12"), max("forecast_months").as("forecast_months"),
            sum("industry_trailing_12").as("industry_trailing_12"), sum("brand_trailing_12").as("brand_trailing_12"),
            sum("brand_last_3_months").as("brand_last_3_months"))
        .join(bench, "segment")
        .withColumn("target_share", p.targetShare() > 0 ? lit(p.targetShare()) : lit(null).cast("double"))
        .withColumn("attainable_share", p.targetShare() > 0 ? lit(p.targetShare()) : coalesce(col("benchmark_share"), lit(0.0)))
        .withColumn("attainable_share_source", lit(p.targetShare() > 0 ? "target" : "benchmark"))
        .withColumn("potential_units", col("demand_next_12").multiply(col("attainable_share")));
    Dataset<Row> rows = bySeg;
    if (perSegment) {
      Dataset<Row> all = bySeg.groupBy("territory_type", "territory_id", "region").agg(
              sum("demand_next_12").as("demand_next_12"), max("forecast_months").as("forecast_months"),
              sum("industry_trailing_12").as("industry_trailing_12"), sum("brand_trailing_12").as("brand_trailing_12"),
              sum("brand_last_3_months").as("brand_last_3_months"), sum("potential_units").as("potential_units"))
          .withColumn("segment", lit(ALL))
          .withColumn("benchmark_share", lit(null).cast("double"))
          .withColumn("target_share", p.targetShare() > 0 ? lit(p.targetShare()) : lit(null).cast("double"))
          .withColumn("attainable_share", when(col("demand_next_12").gt(0), col("potential_units").divide(col("demand_next_12"))))
          .withColumn("attainable_share_source", lit(p.targetShare() > 0 ? "target" : "benchmark (segment mix)"));
      rows = bySeg.unionByName(all);
    }
    rows = rows.join(sizes, new String[] {"territory_type", "territory_id", "region"})
        .withColumn("actual_share", when(col("industry_trailing_12").gt(0),
            col("brand_trailing_12").divide(col("industry_trailing_12"))))
        .withColumn("current_pace", col("brand_last_3_months").multiply(4.0))
        .withColumn("opportunity_gap", col("potential_units").minus(col("current_pace")))
        .withColumn("growth", when(col("industry_trailing_12").gt(0),
            col("demand_next_12").divide(col("industry_trailing_12")).minus(1.0)));
    rows = rows.join(demographicIndex(terr, in.demographics(), p.asOf()), new String[] {"territory_type", "territory_id"},
        "left_outer");
    return scored(rows, p);
  }

  /**
   * Per territory: 100 x (households-weighted median household income of its units) / (the same
   * over every unit with demographics), from each unit's newest year at or before the run year.
   * A unit without a household count is weighted by its population instead.
   * Null without demographics.
   */
  public static Dataset<Row> demographicIndex(Dataset<Row> terr, Dataset<Row> demographics, LocalDate asOf) {
    if (demographics == null) {
      return terr.select("territory_type", "territory_id").distinct().withColumn("demographic_index", lit(null).cast("double"));
    }
    // weight: households, or the population where a source has no household count (the ACS county file)
    Column weight = demographics.schema().getFieldIndex("population").isDefined()
        ? coalesce(col("households"), col("population")) : col("households");
    Dataset<Row> d = demographics.withColumn("households", weight).where(col("year").leq(asOf.getYear())
            .and(col("households").gt(0)).and(col("median_household_income").isNotNull()))
        .withColumn("_newest", max("year").over(Window.partitionBy("geo_unit_id")))
        .where(col("year").equalTo(col("_newest")))
        .select(col("geo_unit_id"), col("households"), col("households").multiply(col("median_household_income")).as("_hi"));
    Row region = d.agg(sum("_hi"), sum("households")).first();
    if (region.isNullAt(1) || region.getDouble(1) <= 0) {
      return terr.select("territory_type", "territory_id").distinct().withColumn("demographic_index", lit(null).cast("double"));
    }
    double regionIncome = region.getDouble(0) / region.getDouble(1);
    return terr.join(d, "geo_unit_id").groupBy("territory_type", "territory_id")
        .agg(sum("_hi").divide(sum("households")).divide(regionIncome).multiply(100.0).as("demographic_index"));
  }

  /**
   * Percentile ranks (0..1) of the components within territory type x region x segment, the
   * composite score 0-100 (weighted mean of the available ranks), rank, percentile and band.
   */
  static Dataset<Row> scored(Dataset<Row> rows, ScoreParams p) {
    WindowSpec group = Window.partitionBy("territory_type", "region", "segment");
    Dataset<Row> r = rows
        .withColumn("pr_opportunity_gap", pctRank("opportunity_gap", group))
        .withColumn("pr_potential", pctRank("potential_units", group))
        .withColumn("pr_growth", pctRank("growth", group))
        .withColumn("pr_demographics", pctRank("demographic_index", group))
        .withColumn("weight_opportunity_gap", lit(p.wGap()))
        .withColumn("weight_potential", lit(p.wPotential()))
        .withColumn("weight_growth", lit(p.wGrowth()))
        .withColumn("weight_demographics", lit(p.wDemographics()));
    String[][] parts = {{"pr_opportunity_gap", "weight_opportunity_gap"}, {"pr_potential", "weight_potential"},
        {"pr_growth", "weight_growth"}, {"pr_demographics", "weight_demographics"}};
    Column num = lit(0.0);
    Column den = lit(0.0);
    for (String[] pw : parts) {
      num = num.plus(coalesce(col(pw[0]).multiply(col(pw[1])), lit(0.0)));
      den = den.plus(when(col(pw[0]).isNotNull(), col(pw[1])).otherwise(0.0));
    }
    r = r.withColumn("score", when(den.gt(0), num.divide(den).multiply(100.0)));
    r = r.withColumn("rank_in_region", row_number().over(group.orderBy(round(col("score"), RANK_DECIMALS).desc_nulls_last(), col("territory_id"))))
        .withColumn("territories_in_region", count(lit(1)).over(group))
        .withColumn("percentile_in_region", pctRank("score", group).multiply(100.0))
        .withColumn("band", when(col("score").geq(p.highAt()), "high").when(col("score").geq(p.mediumAt()), "medium")
            .when(col("score").isNotNull(), "low"));
    List<String> order = new ArrayList<>(List.of("territory_type", "territory_id", "region", "segment", "geo_units",
        "demand_next_12", "forecast_months", "industry_trailing_12", "brand_trailing_12", "actual_share", "benchmark_share",
        "target_share", "attainable_share", "attainable_share_source", "potential_units", "brand_last_3_months",
        "current_pace", "opportunity_gap", "growth", "demographic_index", "pr_opportunity_gap", "pr_potential", "pr_growth",
        "pr_demographics", "weight_opportunity_gap", "weight_potential", "weight_growth", "weight_demographics", "score",
        "rank_in_region", "territories_in_region", "percentile_in_region", "band"));
    return r.select(order.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new));
  }

  /**
   * Decimals a component is rounded to before it is ranked. Its value is a sum of doubles whose
   * order depends on the partitioning (local[*] against a cluster, another shuffle setting): equal
   * values then differ in the last bits, and an unrounded rank ordered them by that noise. On
   * ClusterRunIT's region (3 Dec 2026) one configured territory scored 55 on the cluster and 20
   * locally with the same potential, pace and gap.
   */
  static final int RANK_DECIMALS = 9;

  /**
   * Percentile rank in 0..1 among the rows of the window where the value is not null: (rank - 1)
   * / (n - 1) with ties sharing the lowest rank; 0.5 when only one row has a value; null for a
   * null value. Values equal to {@link #RANK_DECIMALS} decimals tie.
   */
  static Column pctRank(String c, WindowSpec group) {
    Column n = count(col(c)).over(group);
    Column nulls = count(lit(1)).over(group).minus(n);
    Column rk = rank().over(group.orderBy(round(col(c), RANK_DECIMALS).asc_nulls_first()));
    return when(col(c).isNull(), lit(null).cast("double"))
        .when(n.equalTo(1), lit(0.5))
        .otherwise(rk.minus(1).minus(nulls).cast("double").divide(n.minus(1)));
  }
}
