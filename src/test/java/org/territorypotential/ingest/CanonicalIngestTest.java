package org.territorypotential.ingest;

import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The canonical adapter and every validation rule, on fixture files with planted bad rows whose
 * reasons are known row by row; the reconciliation read = accepted + quarantined; reruns; and
 * the failures that must write nothing.
 */
// IngestFaultTest reuses CanonicalIngestTest's static fixture fields: never both at once (junit-platform.properties)
@ResourceLock("CanonicalIngestTest.fixture")
class CanonicalIngestTest {
  static final LocalDate AS_OF = LocalDate.parse("2024-06-30");
  static SparkSession spark;
  static File files;

  // 26 registrations: 10 planted rows (2 good, 8 bad), then 16 good ones (2 of them GAMMA, not in the reference).
  static final String REGISTRATIONS = String.join("\n",
      "registration_id,registration_date,make,model,segment,longitude,latitude,zip,geo_unit_id,extra_note",
      "R1,2024-01-15,Aurora,Alpha,SMALL_SUV,-122.3,47.6,98101,,x",
      "R2,2024-02-01,aurora,alpha,,,,98102,,",
      "R3,2024-13-45,Aurora,Alpha,,-122.3,47.6,,,",
      "R4,2024-01-15,,Alpha,,-122.3,47.6,,,",
      "R5,2024-01-15,Aurora,Alpha,,200,47.6,,,",
      "R6,2024-01-15,Aurora,Alpha,,,,,,",
      "R1,2024-03-01,Aurora,Beta,,-122.3,47.6,,,",
      "R7,2024-01-15,Aurora,Alpha,,abc,47.6,,,",
      "R8,2024-01-15,Aurora,Alpha,,-122.3,47.6,,,,EXTRA,MORE",
      "R9,2024-09-01,Aurora,Alpha,,-122.3,47.6,,,") + "\n" + goodRows(10, 16);

  static String goodRows(int from, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String model = i < 2 ? "Gamma" : "Alpha";
      sb.append("R").append(from + i).append(",2024-0").append(1 + i % 6).append("-10,Aurora,").append(model)
          .append(",,").append(-122.0 - i * 0.01).append(",47.5,,U1,\n");
    }
    return sb.toString();
  }

  static final String DEALERS = String.join("\n",
      "dealer_id,name,brand,longitude,latitude,open_date,close_date",
      "D1,Aurora North,Aurora,-122.3,47.7,2010-01-01,",
      "D2,Aurora South,Aurora,-122.3,47.4,2012-05-01,",
      "D3,Aurora Gone,Aurora,-122.1,47.5,2015-01-01,2014-01-01") + "\n";

  static final String GEO_UNITS = String.join("\n",
      "geo_unit_id,level,name,parent_id,geometry",
      "U1,tract,One,C1,\"POLYGON ((-123 47, -121 47, -121 48, -123 48, -123 47))\"",
      "U2,tract,Broken,C1,\"POLYGON ((0 0, 1 1\"",
      "U3,planet,Odd,,\"POLYGON ((0 0, 1 0, 1 1, 0 0))\"") + "\n";

  static final String SEGMENTS = "make,model,segment\nAURORA,ALPHA,SMALL_SUV\nAURORA,BETA,MIDSIZE_SUV\n";

  @BeforeAll
  static void setUp() throws IOException {
    spark = TestSpark.session();
    files = TestSpark.dir("canonical");
    write("registrations.csv", REGISTRATIONS);
    write("dealers.csv", DEALERS);
    write("geo_units.csv", GEO_UNITS);
    write("segments.csv", SEGMENTS);
    write("registrations_semicolon.csv", REGISTRATIONS.replace(',', ';'));
    write("registrations_no_make.csv", REGISTRATIONS.replace("registration_date,make,", "registration_date,brand_name,"));
  }

  static void write(String name, String text) throws IOException {
    Files.writeString(new File(files, name).toPath(), text);
  }

  static AppConfig config(String name, Map<String, String> more) {
    Map<String, String> m = new HashMap<>();
    m.put("tp.ingest.source", "canonical");
    m.put("tp.ingest.max-quarantine-share", "1.0");
    m.put("tp.ingest.inputs.registrations.path", new File(files, "registrations.csv").getPath());
    m.put("tp.ingest.inputs.dealers.path", new File(files, "dealers.csv").getPath());
    m.put("tp.ingest.inputs.geo-units.path", new File(files, "geo_units.csv").getPath());
    m.put("tp.ingest.inputs.segments.path", new File(files, "segments.csv").getPath());
    m.put("tp.ingest.inputs.sales.path", "");
    m.put("tp.ingest.inputs.demographics.path", "");
    m.put("tp.ingest.inputs.territories.path", "");
    m.putAll(more);
    return TestSpark.config(name, m);
  }

  static Map<String, String> reasonsById(Lake lake, String source) {
    Map<String, String> out = new TreeMap<>();
    for (Row r : lake.read(Table.QUARANTINE, AS_OF).where("source = '" + source + "'")
        .selectExpr("coalesce(get_json_object(raw_record, '$.registration_id'), get_json_object(raw_record, '$.dealer_id'),"
            + " get_json_object(raw_record, '$.geo_unit_id'), substring_index(raw_record, ',', 1)) AS id", "reason")
        .collectAsList()) {
      out.merge(r.getString(0), r.getString(1), (a, b) -> a + " || " + b);
    }
    return out;
  }

  @Test
  void everyRuleQuarantinesWithItsReasonAndNothingIsLost() {
    AppConfig cfg = config("ing_rules", Map.of());
    IngestJob.Result res = IngestJob.run(spark, cfg, RunContext.start("ingest", AS_OF));
    Lake lake = new Lake(spark, cfg);

    IngestJob.InputCounts regs = res.input("registrations");
    assertEquals(26, regs.read());
    assertEquals(18, regs.accepted());
    assertEquals(8, regs.quarantined());
    assertEquals(regs.read(), regs.accepted() + regs.quarantined() + regs.excluded());
    assertEquals(18, lake.read(Table.REGISTRATIONS_BRONZE, AS_OF).count());

    Map<String, String> reasons = reasonsById(lake, "registrations");
    assertEquals("unparsable registration_date '2024-13-45'", reasons.get("R3"));
    assertEquals("missing make", reasons.get("R4"));
    assertEquals("longitude '200' outside -180..180", reasons.get("R5"));
    assertEquals("no location (no coordinates, geo_unit_id or zip)", reasons.get("R6"));
    assertTrue(reasons.get("R1").startsWith("duplicate registration_id (kept the first"), reasons.get("R1"));
    assertEquals("unparsable longitude 'abc'; only one of longitude/latitude given; no location (no coordinates, geo_unit_id or zip)",
        reasons.get("R7"));
    assertEquals("registration_date '2024-09-01' after the run date 2024-06-30", reasons.get("R9"));
    String malformed = reasons.entrySet().stream().filter(e -> e.getValue().startsWith("malformed row"))
        .map(Map.Entry::getKey).findFirst().orElse("none");
    assertTrue(malformed.contains("R8"), "the malformed line is kept raw: " + reasons);
    assertEquals(8, reasons.values().stream().mapToInt(v -> v.split(" \\|\\| ").length).sum());

    // the first R1 is the one kept; values are typed and normalised
    Row r1 = lake.read(Table.REGISTRATIONS_BRONZE, AS_OF).where("registration_id = 'R1'").first();
    assertEquals("ALPHA", r1.getAs("model"));
    assertEquals(java.sql.Date.valueOf("2024-01-15"), r1.getAs("registration_date"));
    assertEquals(-122.3, (double) r1.getAs("longitude"), 1e-12);
    Row r2 = lake.read(Table.REGISTRATIONS_BRONZE, AS_OF).where("registration_id = 'R2'").first();
    assertEquals("AURORA", r2.getAs("make"), "make is upper-cased");
    assertFalse(List.of(lake.read(Table.REGISTRATIONS_BRONZE).columns()).contains("extra_note"),
        "columns outside the contract are not carried into bronze");

    assertEquals(Map.of("D3", "close_date '2014-01-01' before open_date '2015-01-01'"), reasonsById(lake, "dealers"));
    Map<String, String> geo = reasonsById(lake, "geo_units");
    assertTrue(geo.get("U2").startsWith("unparsable geometry"), geo.toString());
    assertEquals("unknown level 'planet'", geo.get("U3"));
    assertEquals(1, lake.read(Table.GEO_UNITS_BRONZE, AS_OF).count());

    // segment coverage: the two GAMMA registrations have no segment and no reference row
    assertEquals(2, res.unmappedRegistrations());
    assertEquals(Map.of("AURORA GAMMA", 2L), res.topUnmapped());

    // reconciliation table agrees with the counts
    Row rec = lake.read(Table.INGEST_RECONCILIATION, AS_OF).where("source = 'registrations'").first();
    assertEquals(26L, (long) rec.getAs("rows_read"));
    assertEquals(18L + 8L, (long) rec.<Long>getAs("rows_accepted") + rec.<Long>getAs("rows_quarantined"));

    // tables are registered in the metastore with comments
    assertEquals(18, spark.sql("SELECT * FROM ing_rules_bronze.registrations").count());
    String comment = spark.sql("DESCRIBE ing_rules_bronze.registrations").where("col_name = 'registration_date'")
        .first().getAs("comment");
    assertEquals("Date the vehicle was registered", comment);
  }

  @Test
  void rerunLeavesIdenticalBronzeAndAnotherRunDateIsKept() {
    AppConfig cfg = config("ing_rerun", Map.of());
    Lake lake = new Lake(spark, cfg);
    IngestJob.run(spark, cfg, RunContext.start("ingest", AS_OF));
    Dataset<Row> first = lake.read(Table.REGISTRATIONS_BRONZE).drop("run_id", "ingested_at").localCheckpoint();
    long quarantineFirst = lake.read(Table.QUARANTINE).count();
    long versionFirst = lake.version(Table.REGISTRATIONS_BRONZE);

    IngestJob.run(spark, cfg, RunContext.start("ingest", AS_OF));
    Dataset<Row> second = lake.read(Table.REGISTRATIONS_BRONZE).drop("run_id", "ingested_at");
    assertEquals(first.count(), second.count());
    assertEquals(0, first.exceptAll(second).count());
    assertEquals(0, second.exceptAll(first).count());
    assertEquals(quarantineFirst, lake.read(Table.QUARANTINE).count(), "quarantine is replaced, not appended");
    assertTrue(lake.version(Table.REGISTRATIONS_BRONZE) > versionFirst, "the rerun is a new Delta version");

    LocalDate next = LocalDate.parse("2024-09-30");
    IngestJob.run(spark, cfg, RunContext.start("ingest", next));
    assertEquals(first.count(), lake.read(Table.REGISTRATIONS_BRONZE, AS_OF).count(), "the earlier run date is kept");
    assertEquals(first.count() + 1, lake.read(Table.REGISTRATIONS_BRONZE, next).count(),
        "R9 (2024-09-01) is no longer after the run date; nothing else changes");
  }

  @Test
  void overTheQuarantineLimitFailsAndWritesNothing() {
    AppConfig cfg = config("ing_limit", Map.of("tp.ingest.max-quarantine-share", "0.05"));
    IngestError e = assertThrows(IngestError.class, () -> IngestJob.run(spark, cfg, RunContext.start("ingest", AS_OF)));
    assertTrue(e.getMessage().contains("input 'registrations': 30.8% of rows quarantined"), e.getMessage());
    assertTrue(e.getMessage().contains("nothing was written"), e.getMessage());
    Lake lake = new Lake(spark, cfg);
    assertFalse(lake.exists(Table.REGISTRATIONS_BRONZE));
    assertFalse(lake.exists(Table.DEALERS_BRONZE));
    assertFalse(lake.exists(Table.QUARANTINE));
  }

  @Test
  void missingColumnWrongDelimiterAndMissingFileAreNamed() {
    IngestError col = assertThrows(IngestError.class, () -> IngestJob.run(spark,
        config("ing_nocol", Map.of("tp.ingest.inputs.registrations.path", new File(files, "registrations_no_make.csv").getPath())),
        RunContext.start("ingest", AS_OF)));
    assertTrue(col.getMessage().contains("lacks required column make"), col.getMessage());
    assertTrue(col.getMessage().contains("registrations_no_make.csv"), col.getMessage());

    IngestError delim = assertThrows(IngestError.class, () -> IngestJob.run(spark,
        config("ing_delim", Map.of("tp.ingest.inputs.registrations.path", new File(files, "registrations_semicolon.csv").getPath())),
        RunContext.start("ingest", AS_OF)));
    assertTrue(delim.getMessage().contains("looks delimited by ';'"), delim.getMessage());

    IngestError missing = assertThrows(IngestError.class, () -> IngestJob.run(spark,
        config("ing_nofile", Map.of("tp.ingest.inputs.dealers.path", "/nonexistent/dealers.csv")),
        RunContext.start("ingest", AS_OF)));
    assertEquals("input 'dealers': file not found: /nonexistent/dealers.csv", missing.getMessage());
    assertFalse(new Lake(spark, config("ing_nofile", Map.of())).exists(Table.REGISTRATIONS_BRONZE));
  }

  @Test
  void parquetInputsAreValidatedTheSameWay() {
    File parquet = new File(files, "registrations.parquet");
    spark.sql("SELECT * FROM VALUES ('P1', '2024-01-02', 'Aurora', 'Alpha', 10.5D, 47.0D),"
        + " ('P2', 'not a date', 'Aurora', 'Alpha', 10.5D, 47.0D), ('P3', '2024-03-04', 'Aurora', 'Beta', 11.0D, 47.0D)"
        + " AS t(registration_id, registration_date, make, model, longitude, latitude)")
        .coalesce(1).write().mode("overwrite").parquet(parquet.getPath());
    AppConfig cfg = config("ing_parquet", Map.of(
        "tp.ingest.inputs.registrations.path", parquet.getPath(),
        "tp.ingest.inputs.registrations.format", "parquet"));
    IngestJob.Result res = IngestJob.run(spark, cfg, RunContext.start("ingest", AS_OF));
    assertEquals(3, res.input("registrations").read());
    assertEquals(2, res.input("registrations").accepted());
    Row q = new Lake(spark, cfg).read(Table.QUARANTINE, AS_OF).where("source = 'registrations'").first();
    assertEquals("unparsable registration_date 'not a date'", q.getAs("reason"));
  }
}
