package org.territorypotential.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
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
 * The segment stage in the shared demo (its first run: every CRM row is added): one segment per
 * unit, profiles that cover every unit, campaign lists ranked by opportunity gap within the
 * configured size and minimum, and the CRM export files beside the table.
 */
class SegmentJobTest {
  @Test
  void theDemoSegmentsEveryUnitAndWritesCampaignListsAndTheCrmExport() throws Exception {
    DemoFixture demo = DemoFixture.get();
    SparkSession spark = TestSpark.session();
    File lakeDir = new File(TestSpark.dir(DemoFixture.DB), "lake");
    AppConfig cfg = TestSpark.config(DemoFixture.DB, Map.of("tp.lakehouse", lakeDir.getAbsolutePath()));
    Lake lake = new Lake(spark, cfg);
    LocalDate asOf = LocalDate.parse(DemoFixture.AS_OF);
    long units = lake.read(Table.TERRITORY_DESIGN, asOf).selectExpr("count(DISTINCT geo_unit_id)").first().getLong(0);

    Row u = lake.read(Table.UNIT_SEGMENTS, asOf).selectExpr("count(*)", "count(DISTINCT geo_unit_id)",
        "count(DISTINCT segment_id)", "min(model_version)", "count(DISTINCT segment_name)").first();
    assertEquals(units, u.getLong(0), "one row per unit the design stage placed");
    assertEquals(units, u.getLong(1));
    Row p = lake.read(Table.SEGMENT_PROFILES, asOf).selectExpr("count(DISTINCT segment_id)", "min(k)", "max(k)",
        "sum(CASE WHEN feature = 'opportunity_gap' THEN units END)", "sum(CASE WHEN feature = 'opportunity_gap' THEN unit_share END)",
        "min(silhouette_curve)").first();
    assertEquals(u.getLong(2), p.getLong(0), "a profile per segment");
    assertEquals(p.getInt(1), p.getInt(2));
    assertEquals(u.getLong(2), (long) p.getInt(1), "k segments");
    assertEquals(u.getLong(2), u.getLong(4), "segment names are unique");
    assertEquals(units, p.getLong(3), "the profiles cover every unit");
    assertEquals(1.0, p.getDouble(4), 1e-9);
    assertTrue(u.getString(3).startsWith("kmeans-k" + p.getInt(1) + "-s42-"), u.getString(3));

    // campaign lists: at most 10 per territory x segment, potential >= 1, rank = order of the gap (ties: id)
    Dataset<Row> t = lake.read(Table.CAMPAIGN_TARGETS, asOf);
    t.createOrReplaceTempView("seg_targets");
    Row c = spark.sql("SELECT count(*), max(rank), min(potential), sum(CASE WHEN rank <> r THEN 1 ELSE 0 END),"
        + " sum(CASE WHEN reason IS NULL THEN 1 ELSE 0 END) FROM (SELECT *, row_number() OVER (PARTITION BY territory_id,"
        + " segment_id ORDER BY opportunity_gap DESC, geo_unit_id) AS r FROM seg_targets)").first();
    assertTrue(c.getLong(0) > 0, "the demo has campaign targets");
    assertTrue(c.getInt(1) <= 10, "list size");
    assertTrue(c.getDouble(2) >= 1.0, "minimum potential");
    assertEquals(0, c.getLong(3), "ranked by opportunity gap");
    assertEquals(0, c.getLong(4), "every target has its reason");

    Row crm = lake.read(Table.CRM_ASSIGNMENTS, asOf).selectExpr("count(*)", "sum(CASE WHEN change_type = 'added' THEN 1 ELSE 0 END)",
        "count(territory_id)", "count(owner)").first();
    assertEquals(units, crm.getLong(0));
    assertEquals(units, crm.getLong(1), "the first run adds every unit");
    assertEquals(crm.getLong(2), crm.getLong(3), "every unit with a territory has an owner");
    File dir = new File(lakeDir, "crm/" + asOf);
    File[] csv = new File(dir, "assignments.csv").listFiles((d, n) -> n.endsWith(".csv"));
    assertEquals(1, csv.length, "one CSV part file");
    List<String> lines = Files.readAllLines(csv[0].toPath());
    assertEquals("geo_unit_id,zip,territory_id,owner,dealer_id,segment_id,segment_name", lines.get(0));
    assertEquals(units + 1, lines.size());
    assertEquals(units, spark.read().parquet(new File(dir, "assignments.parquet").getPath()).count());

    String printed = demo.printed();
    int from = printed.indexOf("segment run ");
    System.out.println("[demo segment]\n" + (from < 0 ? printed : printed.substring(from, printed.indexOf("\n== ", from) < 0
        ? printed.length() : printed.indexOf("\n== ", from))));
    for (String s : List.of("silhouette curve:", "segment profiles", "sd vs region:", "top campaign targets", "CRM export")) {
      assertTrue(printed.contains(s), "the demo prints '" + s + "':\n" + printed);
    }
  }
}
