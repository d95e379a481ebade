package org.territorypotential.design;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.territorypotential.DemoFixture;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;

/**
 * The design stage on Spark: the adjacency self-join on four 1-degree squares in a 2 x 2 block
 * (4 rook edges: a shared meridian degree ~ 111.0 km, a shared parallel degree at 41 N ~ 84.1 km;
 * the diagonal pairs touch at a point only and are no edge), planned as an indexed spatial join; and the shared demo's design and
 * what-if tables (the demo runs the default scenario "rebalance" and the what-if
 * "close-largest").
 */
class DesignJobTest {
  @Test
  void adjacencyKeepsSharedEdgesOfPositiveLengthInOneRangeJoin() {
    SparkSession spark = TestSpark.session();
    Dataset<Row> units = spark.sql("SELECT id AS geo_unit_id, ST_AsBinary(ST_PolygonFromEnvelope(x, y, x + 1, y + 1)) AS geometry"
        + " FROM VALUES ('a', 0.0D, 40.0D), ('b', 1.0D, 40.0D), ('c', 0.0D, 41.0D), ('d', 1.0D, 41.0D) AS t(id, x, y)");
    Dataset<Row> adj = DesignFrames.adjacency(units);
    // small inputs are broadcast (BroadcastIndexJoin); without broadcast it is a RangeJoin; never a nested loop
    String plan = adj.queryExecution().executedPlan().toString();
    assertTrue(plan.contains("BroadcastIndexJoin") && !plan.contains("NestedLoop") && !plan.contains("Cartesian"), plan);
    String threshold = spark.conf().get("spark.sql.autoBroadcastJoinThreshold");
    spark.conf().set("spark.sql.autoBroadcastJoinThreshold", "-1");
    try {
      String unbroadcast = DesignFrames.adjacency(units).queryExecution().executedPlan().toString();
      assertTrue(unbroadcast.contains("RangeJoin"), unbroadcast);
    } finally {
      spark.conf().set("spark.sql.autoBroadcastJoinThreshold", threshold);
    }
    List<Row> rows = adj.orderBy("a_id", "b_id").collectAsList();
    assertEquals(List.of("a-b", "a-c", "b-d", "c-d"), rows.stream().map(r -> r.getString(0) + "-" + r.getString(1)).toList());
    // a-b and c-d share a meridian degree (40-41 N: 111.03 km, 41-42 N: 111.06 km on WGS84); a-c and b-d
    // one degree of the parallel at 41 N (84.1 km)
    double[] expected = {111.03, 84.1, 84.1, 111.06};
    for (int i = 0; i < 4; i++) {
      assertEquals(expected[i], rows.get(i).getDouble(2), 0.1, rows.get(i).toString());
    }

    // the rule for polygons simplified one by one (tp.design.adjacency-tolerance-m): the same block
    // with the east column moved 0.0002 degrees (about 17 m) east. The exact rule loses the two
    // east-west pairs; a 50 m tolerance finds them again, still in one indexed spatial join, and
    // neither rule makes the corner pairs (a-d, b-c) neighbours
    Dataset<Row> gap = spark.sql("SELECT id AS geo_unit_id, ST_AsBinary(ST_PolygonFromEnvelope(x, y, x + 1, y + 1)) AS geometry"
        + " FROM VALUES ('a', 0.0D, 40.0D), ('b', 1.0002D, 40.0D), ('c', 0.0D, 41.0D), ('d', 1.0002D, 41.0D) AS t(id, x, y)");
    assertEquals(List.of("a-c", "b-d"), pairs(DesignFrames.adjacency(gap)));
    Dataset<Row> tolerant = DesignFrames.adjacency(gap, 50);
    String tolerantPlan = tolerant.queryExecution().executedPlan().toString();
    assertTrue(tolerantPlan.contains("BroadcastIndexJoin") && !tolerantPlan.contains("NestedLoop")
        && !tolerantPlan.contains("Cartesian"), tolerantPlan);
    List<Row> found = tolerant.orderBy("a_id", "b_id").collectAsList();
    assertEquals(List.of("a-b", "a-c", "b-d", "c-d"), found.stream().map(r -> r.getString(0) + "-" + r.getString(1)).toList());
    assertEquals(111.03, found.get(0).getDouble(2), 0.2, "a's whole east side lies within 50 m of b");
    assertEquals(List.of("a-b", "a-c", "b-d", "c-d"), pairs(DesignFrames.adjacency(units, 50)),
        "touching at a corner only: no edge under the tolerance either");
  }

  private static List<String> pairs(Dataset<Row> adjacency) {
    return adjacency.orderBy("a_id", "b_id").collectAsList().stream().map(r -> r.getString(0) + "-" + r.getString(1)).toList();
  }

  @Test
  void theDemoWritesADesignThatIsContiguousAndNoLessBalancedAndAWhatIf() {
    DemoFixture demo = DemoFixture.get();
    SparkSession spark = TestSpark.session();
    AppConfig cfg = TestSpark.config(DemoFixture.DB, Map.of("tp.lakehouse",
        new File(TestSpark.dir(DemoFixture.DB), "lake").getAbsolutePath()));
    Lake lake = new Lake(spark, cfg);
    LocalDate asOf = LocalDate.parse(DemoFixture.AS_OF);
    Dataset<Row> design = lake.read(Table.TERRITORY_DESIGN, asOf);
    long units = lake.read(Table.GEO_UNITS_SILVER, asOf).where("level = 'tract'").count();
    Row d = design.selectExpr("count(*)", "count(DISTINCT geo_unit_id)", "count(DISTINCT territory_id)",
        "count(DISTINCT territory_before)", "sum(CASE WHEN is_moved THEN 1 ELSE 0 END)").first();
    assertEquals(units, d.getLong(0), "one row per unit");
    assertEquals(units, d.getLong(1));
    assertEquals(d.getLong(3), d.getLong(2), "territories=0 keeps the current territories");

    Dataset<Row> m = lake.read(Table.TERRITORY_DESIGN_METRICS, asOf);
    Row after = m.where("assignment = 'design'").selectExpr("max(components)", "min(components)", "max(abs(load_deviation))",
        "sum(units)", "sum(units_moved_in)", "sum(units_moved_out)").first();
    Row before = m.where("assignment = 'current'").selectExpr("max(abs(load_deviation))").first();
    assertEquals(1, after.getInt(0), "every designed territory is one piece");
    assertEquals(1, after.getInt(1));
    assertTrue(after.getDouble(2) <= before.getDouble(0) + 1e-9, "deviation after " + after.getDouble(2) + " before "
        + before.getDouble(0));
    assertEquals(units, after.getLong(3));
    assertEquals(d.getLong(4), after.getLong(4), "units moved in = rows moved");
    assertEquals(after.getLong(4), after.getLong(5), "every move is in one territory and out of another");

    Dataset<Row> w = lake.read(Table.WHATIF_RESULTS, asOf);
    Row wr = w.selectExpr("count(*)", "sum(pma_units_before)", "sum(pma_units_after)", "sum(pma_potential_before)",
        "sum(pma_potential_after)", "max(CASE WHEN is_scenario_dealer THEN pma_units_after END)",
        "max(CASE WHEN is_scenario_dealer THEN captured_after END)").first();
    assertTrue(wr.getLong(0) >= 2, "the closed dealer and at least one neighbour");
    assertEquals(wr.getLong(1), wr.getLong(2), "the closed dealer's units all go to other dealers of the brand");
    assertEquals(wr.getDouble(3), wr.getDouble(4), 1e-6 * Math.max(1, wr.getDouble(3)));
    assertEquals(0, wr.getInt(5));
    assertEquals(0.0, wr.getDouble(6), 1e-12);
    // the market code again: the closed dealer's expected goes to the neighbours, the brand's is conserved
    Row mk = w.selectExpr("max(CASE WHEN is_scenario_dealer THEN expected_registrations_before END)",
        "max(CASE WHEN is_scenario_dealer THEN expected_registrations_after END)", "sum(expected_registrations_change)",
        "min(brand_expected_before)", "max(brand_expected_after)",
        "sum(CASE WHEN registration_effectiveness_after IS NOT NULL AND abs(registration_effectiveness_after"
            + " - 100 * actual_registrations_after / expected_registrations_after) > 1e-9 THEN 1 ELSE 0 END)").first();
    assertTrue(mk.getDouble(0) > 0, "the closed dealer had expected registrations");
    assertEquals(0.0, mk.getDouble(1), 1e-12);
    assertEquals(0.0, mk.getDouble(2), 1e-6 * mk.getDouble(0), "what the closed dealer expected moves to the changed dealers");
    assertEquals(mk.getDouble(3), mk.getDouble(4), 1e-6 * mk.getDouble(3));
    assertEquals(0L, mk.getLong(5), "effectiveness = 100 x actual / expected");

    String printed = demo.printed();
    for (String s : List.of("before (current)", "after (design)", "k-means baseline", "units moved:", "what-if close-largest",
        "largest gain:", "market code: brand expected registrations")) {
      assertTrue(printed.contains(s), "the demo prints '" + s + "':\n" + printed);
    }
  }
}
