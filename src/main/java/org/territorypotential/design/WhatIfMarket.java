package org.territorypotential.design;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.territorypotential.geo.Locate;
import org.territorypotential.geo.Territories;
import org.territorypotential.market.Market;
import org.territorypotential.market.MarketParams;

/**
 * A what-if through the market stage's own code: the scenario's open dealers, the brand's PMAs
 * again by {@link Territories#pmas} (the locate stage's nearest-dealer rule: Sedona KNN,
 * great-circle distance), then expected registrations and effectiveness by
 * {@link Market#dealerPerformance}, before (the stored assignment) and after.
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

  /**
   * Runs scenario {@code s} (x, y as longitude, latitude) for {@code brand} (upper case).
   * {@code before} holds the baseline of a brand already run (one market pass per brand).
   */
  static Outcome evaluate(Context c, WhatIf.Scenario s, String brand, Map<String, Outcome> before) {
    Dataset<Row> openBrand = c.open().where(upper(col("brand")).equalTo(brand));
    Outcome base = before.computeIfAbsent(brand, b -> {
      Map<String, Figures> f = figures(c, openBrand, c.assignment());
      Map<String, String> pma = pmaOf(c.assignment(), b);
      return new Outcome(f, f, pma, pma);
    });
    Dataset<Row> openAfter = scenarioDealers(openBrand, s, c.unitsAtLevel());
    Dataset<Row> assignmentAfter = scenarioAssignment(c.assignment(), openAfter, brand, c.unitsAtLevel(), c.mdaRadiusKm())
        .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
    c.cached().add(assignmentAfter);
    return new Outcome(base.before(), figures(c, openAfter, assignmentAfter), base.pmaBefore(), pmaOf(assignmentAfter, brand));
  }

  /**
   * The brand's open dealers after the scenario: without the closed dealer; the moved dealer at its
   * new point; the added one (named by its id). A moved or added dealer stands in the unit that
   * contains its point ({@link Locate#pointInPolygon}; none when outside every unit, and then its
   * benchmark area is its PMA's, as for any dealer outside the units).
   */
  static Dataset<Row> scenarioDealers(Dataset<Row> openBrand, WhatIf.Scenario s, Dataset<Row> unitsAtLevel) {
    Column me = col("dealer_id").equalTo(s.dealerId());
    switch (s.action()) {
      case "close":
        return openBrand.where(me.unary_$bang());
      case "move": {
        String unit = unitAt(unitsAtLevel, s.x(), s.y());
        return openBrand.withColumn("longitude", when(me, lit(s.x())).otherwise(col("longitude")))
            .withColumn("latitude", when(me, lit(s.y())).otherwise(col("latitude")))
            .withColumn("geo_unit_id", when(me, lit(unit).cast("string")).otherwise(col("geo_unit_id")));
      }
      case "add": {
        String unit = unitAt(unitsAtLevel, s.x(), s.y());
        List<String> spelled = brandValues(openBrand);
        Dataset<Row> added = openBrand.sparkSession().createDataFrame(List.of(RowFactory.create(s.dealerId(), s.dealerId(),
            spelled.isEmpty() ? s.brand() : spelled.get(0), s.x(), s.y(), unit)), StructType.fromDDL(
                "dealer_id string, name string, brand string, longitude double, latitude double, geo_unit_id string"));
        return openBrand.unionByName(added, true);
      }
      default:
        throw new IllegalArgumentException("what-if " + s.id() + ": action " + s.action());
    }
  }

  /** The stored assignment with the brand's PMA rows derived again from {@code openAfter} (the brand's dealers). */
  static Dataset<Row> scenarioAssignment(Dataset<Row> assignment, Dataset<Row> openAfter, String brand,
      Dataset<Row> unitsAtLevel, double mdaRadiusKm) {
    Column brandPma = col("method").equalTo(Territories.PMA).and(upper(col("brand")).equalTo(brand));
    Dataset<Row> kept = assignment.where(brandPma.unary_$bang().or(brandPma.isNull()));
    String[] cols = Territories.COLUMNS;
    Dataset<Row> pmas = Territories.pmas(unitsAtLevel, openAfter, brandValues(openAfter), mdaRadiusKm);
    return kept.selectExpr(cols).unionByName(pmas.selectExpr(cols));
  }

  /** The brand values as the dealers spell them (PMA rows carry the dealers' spelling). */
  private static List<String> brandValues(Dataset<Row> dealers) {
    return dealers.select("brand").distinct().collectAsList().stream().map(r -> r.getString(0)).sorted().toList();
  }

  /** The market stage's dealer performance of these dealers under this assignment, per dealer. */
  static Map<String, Figures> figures(Context c, Dataset<Row> dealers, Dataset<Row> assignment) {
    Dataset<Row> perf = Market.dealerPerformance(c.base(), dealers, assignment, c.params(), c.cached()).performance();
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

  /** The unit containing the point (the smallest id on a shared edge), or null. */
  static String unitAt(Dataset<Row> unitsAtLevel, double lon, double lat) {
    Dataset<Row> pt = unitsAtLevel.sparkSession().createDataFrame(List.of(RowFactory.create("p", lon, lat)),
        StructType.fromDDL(Locate.ID + " string, " + Locate.LON + " double, " + Locate.LAT + " double"));
    List<Row> hit = Locate.pointInPolygon(pt, unitsAtLevel, true).select("_pip_unit").collectAsList();
    return hit.isEmpty() ? null : hit.get(0).getString(0);
  }
}
