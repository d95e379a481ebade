package org.territorypotential.design;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.territorypotential.geo.Locate;
import org.territorypotential.geo.Territories;
import org.territorypotential.market.Market;
import org.territorypotential.market.MarketParams;

/**
 * A what-if through the market stage's own code: the scenario's open dealers, the brand's PMAs
 * again by {@link Territories#pmas} (the locate stage's nearest-dealer rule: Sedona KNN,
 * great-circle distance), then expected registrations and effectiveness by
 * {@link Market#dealerPerformance}, before (the stored assignment) and after; every scenario and
 * brand in one pass ({@link #evaluate}).
 */
final class WhatIfMarket {
  private WhatIfMarket() {}

  /** One dealer's terms of dealer_performance: PMA units, industry, expected, actual, effectiveness. */
  record Figures(long pmaUnits, long industryRegistrations, double expectedRegistrations, long actualRegistrations,
      Long actualSales, Double registrationEffectiveness, Double salesEffectiveness) {
    static final Figures NONE = new Figures(0, 0, 0.0, 0, null, null, null);
  }

  /**
   * What the what-ifs share: the market's dealer-independent frames, the open dealers of the
   * market's brands, the stored territory assignment and the units at the locate level.
   */
  record Context(Market.Base base, Dataset<Row> open, Dataset<Row> assignment, Dataset<Row> unitsAtLevel, MarketParams params,
      double mdaRadiusKm, List<Dataset<Row>> cached) {
    static Context of(Market.Inputs in, MarketParams p, double mdaRadiusKm) {
      List<Dataset<Row>> cached = new ArrayList<>();
      Market.Base base = Market.base(in, p, cached);
      Dataset<Row> open = Territories.filterOpenDealers(in.dealersLocated(), p.asOf(), in.pmaBrands());
      return new Context(base, open, in.territoryAssignment(), in.geoUnits().where(col("level").equalTo(in.level())), p,
          mdaRadiusKm, cached);
    }

    void unpersist() {
      cached.forEach(Dataset::unpersist);
    }
  }

  /** A scenario's market outcome for its brand: figures and unit -> PMA dealer, before and after. */
  record Outcome(Map<String, Figures> before, Map<String, Figures> after, Map<String, String> pmaBefore,
      Map<String, String> pmaAfter) {
    Figures before(String dealerId) {
      return before.getOrDefault(dealerId, Figures.NONE);
    }

    Figures after(String dealerId) {
      return after.getOrDefault(dealerId, Figures.NONE);
    }
  }

  /** A scenario to evaluate and its brand (upper case). */
  record Request(WhatIf.Scenario scenario, String brand) {}

  /**
   * Joins a run's key to the ids it scopes (a control character: no id, unit or area spells it).
   * Every key that {@link Market#dealerPerformance} groups or joins on (dealer, unit, benchmark
   * and local area) carries its run's key, so the runs are disjoint copies of the market in one plan.
   */
  static final String SEP = "\u001f";

  /**
   * Runs every scenario at once: one run per brand for the baseline (the stored assignment) and
   * one per scenario (its dealers, its PMAs by {@link Territories#pmas}), all through ONE call of
   * {@link Market#dealerPerformance} and one collect, so the Spark jobs do not grow with
   * scenarios x brands. Each run is a copy of the market frames whose dealer, unit and area ids
   * carry the run's key ({@link #SEP}): the market code's joins and groupings never mix two runs,
   * and each run's figures are those of the market code on that run alone. The open dealers are
   * collected once and every run's dealers are built on the driver (a local relation: the KNN
   * join's object side reads no table, so Sedona's filter-pushdown warning does not apply).
   * Returns scenario id -> outcome.
   */
  static Map<String, Outcome> evaluate(Context c, List<Request> requests) {
    if (requests.isEmpty()) {
      return Map.of();
    }
    SparkSession spark = c.open().sparkSession();
    List<Row> open = c.open().where(col("brand").isNotNull()).selectExpr(DEALER_COLUMNS).orderBy("dealer_id")
        .collectAsList();
    Map<String, String> unitOf = unitsAt(c.unitsAtLevel(), requests);
    Map<String, String> spelling = new HashMap<>(); // brand (upper case) -> as the dealers spell it
    for (Row r : open) {
      spelling.putIfAbsent(r.getString(2).toUpperCase(Locale.ROOT), r.getString(2));
    }
    // runs: "0:BRAND" the baseline of each brand, "1:ID" each scenario
    Map<String, String> brandOfRun = new LinkedHashMap<>();
    Map<String, List<Row>> dealersOfRun = new LinkedHashMap<>();
    for (Request q : requests) {
      List<Row> own = open.stream().filter(r -> r.getString(2).toUpperCase(Locale.ROOT).equals(q.brand())).toList();
      String base = "0:" + q.brand();
      if (!brandOfRun.containsKey(base)) {
        brandOfRun.put(base, q.brand());
        dealersOfRun.put(base, own);
      }
      String run = "1:" + q.scenario().id();
      if (brandOfRun.put(run, q.brand()) != null) {
        throw new IllegalArgumentException("what-if " + q.scenario().id() + ": the id is used twice");
      }
      dealersOfRun.put(run, scenarioDealers(own, q.scenario(), spelling.getOrDefault(q.brand(), q.brand()),
          unitOf.get(q.scenario().id())));
    }

    List<Row> marketDealers = new ArrayList<>();
    List<Row> knnDealers = new ArrayList<>();
    List<String> knnRuns = new ArrayList<>();
    for (Map.Entry<String, List<Row>> e : dealersOfRun.entrySet()) {
      String k = e.getKey() + SEP;
      for (Row r : e.getValue()) {
        marketDealers.add(RowFactory.create(k + r.getString(0), r.getString(1), r.getString(2), r.get(3), r.get(4),
            r.isNullAt(5) ? null : k + r.getString(5)));
        if (e.getKey().startsWith("1:")) {
          knnDealers.add(RowFactory.create(r.getString(0), e.getKey(), r.get(3), r.get(4)));
        }
      }
      if (e.getKey().startsWith("1:") && !e.getValue().isEmpty()) {
        knnRuns.add(e.getKey());
      }
    }
    Dataset<Row> dealers = spark.createDataFrame(marketDealers, StructType.fromDDL(DEALERS_DDL));

    // the PMAs of every run, their ids scoped by the run: baselines from the stored assignment,
    // scenarios by the locate stage's KNN rule (one KNN join per scenario, all in this one plan)
    String[] cols = Territories.COLUMNS;
    List<Dataset<Row>> parts = new ArrayList<>();
    for (Map.Entry<String, String> e : brandOfRun.entrySet()) {
      if (e.getKey().startsWith("0:")) {
        parts.add(scoped(c.assignment().where(col("method").equalTo(Territories.PMA)
            .and(upper(col("brand")).equalTo(e.getValue()))).selectExpr(cols), lit(e.getKey() + SEP)));
      }
    }
    if (!knnRuns.isEmpty()) {
      Dataset<Row> knn = spark.createDataFrame(knnDealers,
          StructType.fromDDL("dealer_id string, brand string, longitude double, latitude double"));
      Column spelled = lit(null).cast("string");
      for (String run : knnRuns) {
        String b = brandOfRun.get(run);
        spelled = when(col("brand").equalTo(run), lit(spelling.getOrDefault(b, b))).otherwise(spelled);
      }
      Dataset<Row> pmas = Territories.pmas(c.unitsAtLevel(), knn, knnRuns, c.mdaRadiusKm());
      // the run's key before the ids, the brand as the dealers spell it
      parts.add(scoped(pmas.withColumn("_run", concat(col("brand"), lit(SEP))).withColumn("brand", spelled), col("_run"))
          .selectExpr(cols));
    }
    Dataset<Row> assignment = parts.stream().reduce(Dataset::unionByName).orElseThrow()
        .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    c.cached().add(assignment);

    Map<String, Map<String, String>> pmaOfRun = new HashMap<>();
    for (Row r : assignment.select("geo_unit_id", "dealer_id").collectAsList()) {
      String[] u = r.getString(0).split(SEP, 2);
      pmaOfRun.computeIfAbsent(u[0], x -> new HashMap<>()).put(u[1], unscoped(r.getString(1)));
    }

    // the market's dealer-independent frames, one copy per run
    Column runs = explode(array(brandOfRun.keySet().stream().map(k -> lit(k + SEP)).toArray(Column[]::new)));
    Market.Base b = c.base();
    Dataset<Row> unitAreas = b.unitAreas().withColumn("_run", runs)
        .withColumn("geo_unit_id", concat(col("_run"), col("geo_unit_id")))
        .withColumn("benchmark_area_id", concat(col("_run"), col("benchmark_area_id")))
        .withColumn("local_area_id", concat(col("_run"), col("local_area_id"))).drop("_run");
    Dataset<Row> windowCounts = b.windowCounts().withColumn("_run", runs)
        .withColumn("geo_unit_id", concat(col("_run"), col("geo_unit_id"))).drop("_run");
    Dataset<Row> sales = b.salesInWindow().withColumn("_run", runs)
        .withColumn("customer_geo_unit_id", concat(col("_run"), col("customer_geo_unit_id")))
        .withColumn("selling_dealer_id", concat(col("_run"), col("selling_dealer_id"))).drop("_run");
    Market.Base scoped = new Market.Base(b.registrations(), b.windowRegistrations(), unitAreas, b.unitCounts(), windowCounts,
        sales);

    Map<String, Map<String, Figures>> figuresOfRun = new HashMap<>();
    for (Map.Entry<String, Figures> e : figures(c, scoped, dealers, assignment).entrySet()) {
      String[] d = e.getKey().split(SEP, 2);
      figuresOfRun.computeIfAbsent(d[0], x -> new HashMap<>()).put(d[1], e.getValue());
    }
    Map<String, Outcome> out = new LinkedHashMap<>();
    for (Request q : requests) {
      String base = "0:" + q.brand();
      String run = "1:" + q.scenario().id();
      out.put(q.scenario().id(), new Outcome(figuresOfRun.getOrDefault(base, Map.of()), figuresOfRun.getOrDefault(run, Map.of()),
          pmaOfRun.getOrDefault(base, Map.of()), pmaOfRun.getOrDefault(run, Map.of())));
    }
    return out;
  }

  /** The columns of the open dealers the runs use, in this order. */
  private static final String[] DEALER_COLUMNS = {"dealer_id", "name", "brand", "longitude", "latitude", "geo_unit_id"};

  private static final String DEALERS_DDL =
      "dealer_id string, name string, brand string, longitude double, latitude double, geo_unit_id string";

  /** Assignment rows with the run's key (a column ending in {@link #SEP}) before their unit and dealer ids. */
  private static Dataset<Row> scoped(Dataset<Row> assignment, Column key) {
    return assignment.withColumn("geo_unit_id", concat(key, col("geo_unit_id")))
        .withColumn("dealer_id", concat(key, col("dealer_id")));
  }

  /** The id without its run's key (null stays null). */
  private static String unscoped(String id) {
    return id == null ? null : id.substring(id.indexOf(SEP) + 1);
  }

  /**
   * The brand's open dealers (rows of {@link #DEALER_COLUMNS}) after the scenario: without the
   * closed dealer; the moved dealer at its new point; the added one (named by its id, the brand as
   * the dealers spell it). A moved or added dealer stands in {@code unit}, the unit that contains
   * its point ({@link Locate#pointInPolygon}; null when outside every unit, and then its benchmark
   * area is its PMA's, as for any dealer outside the units).
   */
  static List<Row> scenarioDealers(List<Row> own, WhatIf.Scenario s, String spelledBrand, String unit) {
    List<Row> out = new ArrayList<>();
    for (Row r : own) {
      boolean me = r.getString(0).equals(s.dealerId());
      switch (s.action()) {
        case "close" -> {
          if (!me) {
            out.add(r);
          }
        }
        case "move" -> out.add(me ? RowFactory.create(r.getString(0), r.getString(1), r.getString(2), s.lon(), s.lat(), unit) : r);
        case "add" -> out.add(r);
        default -> throw new IllegalArgumentException("what-if " + s.id() + ": action " + s.action());
      }
    }
    if (s.action().equals("add")) {
      out.add(RowFactory.create(s.dealerId(), s.dealerId(), spelledBrand, s.lon(), s.lat(), unit));
    }
    return out;
  }

  /** The market stage's dealer performance of these dealers under this assignment and base, per dealer. */
  static Map<String, Figures> figures(Context c, Market.Base base, Dataset<Row> dealers, Dataset<Row> assignment) {
    Dataset<Row> perf = Market.dealerPerformance(base, dealers, assignment, c.params(), c.cached()).performance();
    Map<String, Figures> out = new HashMap<>();
    for (Row r : perf.select("dealer_id", "pma_units", "industry_registrations", "expected_registrations",
        "actual_registrations", "actual_sales", "registration_effectiveness", "sales_effectiveness").collectAsList()) {
      out.put(r.getString(0), new Figures(r.getLong(1), r.getLong(2), r.getDouble(3), r.getLong(4),
          r.isNullAt(5) ? null : r.getLong(5), r.isNullAt(6) ? null : r.getDouble(6), r.isNullAt(7) ? null : r.getDouble(7)));
    }
    return out;
  }

  /** Unit -> its PMA dealer of the brand. */
  static Map<String, String> pmaOf(Dataset<Row> assignment, String brand) {
    Map<String, String> out = new HashMap<>();
    for (Row r : assignment.where(col("method").equalTo(Territories.PMA).and(upper(col("brand")).equalTo(brand)))
        .select("geo_unit_id", "dealer_id").collectAsList()) {
      out.put(r.getString(0), r.getString(1));
    }
    return out;
  }

  /**
   * The unit containing each added or moved dealer's point (the smallest id on a shared edge), by
   * scenario id; none when outside every unit. One point-in-polygon query for all the scenarios.
   */
  static Map<String, String> unitsAt(Dataset<Row> unitsAtLevel, List<Request> requests) {
    List<Row> points = new ArrayList<>();
    for (Request q : requests) {
      if (!q.scenario().action().equals("close")) {
        points.add(RowFactory.create(q.scenario().id(), q.scenario().lon(), q.scenario().lat()));
      }
    }
    Map<String, String> out = new HashMap<>();
    if (points.isEmpty()) {
      return out;
    }
    Dataset<Row> pt = unitsAtLevel.sparkSession().createDataFrame(points,
        StructType.fromDDL(Locate.ID + " string, " + Locate.LON + " double, " + Locate.LAT + " double"));
    for (Row r : Locate.pointInPolygon(pt, unitsAtLevel, true).select("_pip_id", "_pip_unit").collectAsList()) {
      out.put(r.getString(0), r.getString(1));
    }
    return out;
  }
}
