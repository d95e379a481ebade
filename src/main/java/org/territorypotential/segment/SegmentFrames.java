package org.territorypotential.segment;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.territorypotential.forecast.ForecastJob;

/** The segment stage's transform: one wide row per geo unit with its features and its territory, dealer and opportunity. */
public final class SegmentFrames {
  private SegmentFrames() {}

  /** The columns every row has, first and in this order; then one column per feature (named as the feature). */
  public static final List<String> BASE = List.of("geo_unit_id", "territory_id", "dealer_id", "potential", "opportunity_gap",
      "growth");

  /** Derived features that are not demographics columns. */
  public static final List<String> DERIVED = List.of("population_density", "ev_share", "potential", "opportunity_gap",
      "growth", "demand");

  /**
   * Adds to the design stage's per-unit frame ({@code design.DesignFrames.units}: geo_unit_id,
   * area_km2, demand, territory_id, rate) the unit's opportunity, its features and its dealer.
   * potential = demand x rate (the score stage's attainable rate of the unit's territory);
   * current_pace = the brand's registrations in the last 3 complete months x 4; opportunity_gap =
   * potential - current_pace; growth = demand / industry registrations of the 12 complete months
   * before the run date - 1 (null without); ev_share = registrations of an EV fuel type / all located
   * registrations of the market window (null without); segment_share_&lt;seg&gt; = the segment's share
   * of the trailing 12 months; population_density = population / area_km2; any other feature is the
   * unit's demographics column of its newest year at or before the run year. dealer_id: the brand's
   * PMA dealer of the unit. Features whose source is absent are null columns (the caller drops them).
   *
   * @param monthly gold monthly_registrations: geo_unit_id, segment, brand, month, registrations
   * @param located silver registrations_located (geo_unit_id, registration_date, fuel_type)
   * @param demographics bronze demographics, or null
   */
  public static Dataset<Row> units(Dataset<Row> designUnits, Dataset<Row> monthly, Dataset<Row> located,
      Dataset<Row> demographics, Dataset<Row> assignment, String brand, List<String> features, List<String> evFuelTypes,
      LocalDate windowStart, LocalDate asOf) {
    LocalDate last = ForecastJob.lastCompleteMonth(asOf);
    Column trailing = col("month").geq(lit(Date.valueOf(last.minusMonths(11)))).and(col("month").leq(lit(Date.valueOf(last))));
    Column pace = col("month").geq(lit(Date.valueOf(last.minusMonths(2)))).and(col("month").leq(lit(Date.valueOf(last))));
    List<Column> aggs = new ArrayList<>(List.of(
        sum(when(trailing, col("registrations")).otherwise(0)).cast("double").as("industry_trailing_12"),
        sum(when(pace.and(upper(col("brand")).equalTo(brand)), col("registrations")).otherwise(0)).cast("double")
            .as("brand_last_3_months")));
    List<String> shares = features.stream().filter(f -> f.startsWith(SegmentParams.SEGMENT_SHARE)).toList();
    for (String f : shares) {
      String seg = f.substring(SegmentParams.SEGMENT_SHARE.length()).toUpperCase(Locale.ROOT);
      aggs.add(sum(when(trailing.and(upper(col("segment")).equalTo(seg)), col("registrations")).otherwise(0)).cast("double")
          .as("_n_" + f));
    }
    Dataset<Row> hist = monthly.groupBy("geo_unit_id").agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
    Dataset<Row> u = designUnits.join(hist, new String[] {"geo_unit_id"}, "left")
        .withColumn("potential", col("demand").multiply(col("rate")))
        .withColumn("current_pace", when(col("brand_last_3_months").isNull(), 0.0).otherwise(col("brand_last_3_months")).multiply(4.0))
        .withColumn("opportunity_gap", col("potential").minus(col("current_pace")))
        .withColumn("growth", when(col("industry_trailing_12").gt(0), col("demand").divide(col("industry_trailing_12")).minus(1.0)));
    for (String f : shares) {
      u = u.withColumn(f, when(col("industry_trailing_12").gt(0), col("_n_" + f).divide(col("industry_trailing_12"))));
    }
    if (features.contains("ev_share")) {
      Date d = Date.valueOf(asOf);
      Dataset<Row> ev = located.where(col("geo_unit_id").isNotNull()
              .and(col("registration_date").between(lit(Date.valueOf(windowStart)), lit(d))))
          .groupBy("geo_unit_id").agg(sum(when(upper(col("fuel_type")).isin(evFuelTypes.toArray()), 1).otherwise(0))
              .divide(count(lit(1))).as("ev_share"));
      u = u.join(ev, new String[] {"geo_unit_id"}, "left");
    }
    List<String> demo = features.stream().filter(f -> !DERIVED.contains(f) && !shares.contains(f)).toList();
    boolean density = features.contains("population_density");
    List<String> demoCols = new ArrayList<>(demo);
    if (density && !demoCols.contains("population")) {
      demoCols.add("population");
    }
    List<String> present = demographics == null ? List.of()
        : demoCols.stream().filter(c -> List.of(demographics.columns()).contains(c)).toList();
    if (!present.isEmpty()) {
      List<Column> sel = new ArrayList<>(List.of(col("geo_unit_id")));
      present.forEach(c -> sel.add(col(c).cast("double").as(c)));
      Dataset<Row> dm = demographics.where(col("year").leq(asOf.getYear()))
          .withColumn("_newest", max("year").over(Window.partitionBy("geo_unit_id")))
          .where(col("year").equalTo(col("_newest"))).select(sel.toArray(new Column[0]));
      u = u.join(dm, new String[] {"geo_unit_id"}, "left");
    }
    if (density) {
      u = u.withColumn("population_density", present.contains("population")
          ? when(col("area_km2").gt(0), col("population").divide(col("area_km2"))) : lit(null).cast("double"));
    }
    Dataset<Row> dealer = assignment.where(col("method").equalTo("pma").and(upper(col("brand")).equalTo(brand)))
        .select(col("geo_unit_id"), col("dealer_id"));
    u = u.join(dealer, new String[] {"geo_unit_id"}, "left");
    List<Column> out = new ArrayList<>();
    BASE.forEach(c -> out.add(col(c)));
    for (String f : features) {
      if (!BASE.contains(f)) {
        out.add((List.of(u.columns()).contains(f) ? col(f).cast("double") : lit(null).cast("double")).as(f));
      }
    }
    return u.select(out.toArray(new Column[0])).orderBy("geo_unit_id");
  }
}
