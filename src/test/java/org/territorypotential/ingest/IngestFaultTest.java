package org.territorypotential.ingest;

import org.junit.jupiter.api.parallel.ResourceLock;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * Faulty inputs after a good run (issue 7 item 6, the cheap part): a file truncated mid-row is
 * quarantined row by row; an empty (header-only) input and one that shrank by more than
 * tp.ingest.max-shrink are held back before any write (InputGuard) unless allowed; a missing
 * required column and a 0-byte file (not even a header) fail clearly; an extra column is ignored;
 * none of them touches what an earlier run published.
 */
// IngestFaultTest reuses CanonicalIngestTest's static fixture fields: never both at once (junit-platform.properties)
@ResourceLock("CanonicalIngestTest.fixture")
class IngestFaultTest {
  private static final LocalDate LATER = LocalDate.parse("2024-07-31");

  private static List<Row> published(Lake lake) {
    return lake.read(Table.REGISTRATIONS_BRONZE, CanonicalIngestTest.AS_OF).drop("ingested_at", "run_id")
        .orderBy("registration_id").collectAsList();
  }

  @Test
  void faultyInputsNeverDamageWhatIsPublished() throws IOException {
    CanonicalIngestTest.spark = TestSpark.session();
    CanonicalIngestTest.files = TestSpark.dir("faults");
    File f = CanonicalIngestTest.files;
    String header = "registration_id,registration_date,make,model,segment,longitude,latitude,zip,geo_unit_id,extra_note\n";
    String good = header + CanonicalIngestTest.goodRows(10, 6);
    CanonicalIngestTest.write("registrations.csv", good);
    CanonicalIngestTest.write("dealers.csv", CanonicalIngestTest.DEALERS);
    CanonicalIngestTest.write("geo_units.csv", CanonicalIngestTest.GEO_UNITS);
    CanonicalIngestTest.write("segments.csv", CanonicalIngestTest.SEGMENTS);
    // the last row cut in the middle of its fields, no newline: what a copy interrupted mid-write leaves
    CanonicalIngestTest.write("truncated.csv", good + "R99,2024-05-10,Aur");
    CanonicalIngestTest.write("empty.csv", header);
    CanonicalIngestTest.write("nocol.csv", good.replace(",make,", ",brand_name,"));
    CanonicalIngestTest.write("zero.csv", "");

    AppConfig cfg = CanonicalIngestTest.config("faults", Map.of());
    Lake lake = new Lake(TestSpark.session(), cfg);
    IngestJob.run(TestSpark.session(), cfg, RunContext.start("ingest", CanonicalIngestTest.AS_OF));
    List<Row> before = published(lake);
    assertEquals(6, before.size());
    // extra column (extra_note is not in the contract): every row accepted, the column does not reach bronze
    assertTrue(!List.of(lake.read(Table.REGISTRATIONS_BRONZE, CanonicalIngestTest.AS_OF).columns()).contains("extra_note"));

    // 0-byte file: no header, so no contract column: clear failure, nothing written
    long v0 = lake.version(Table.REGISTRATIONS_BRONZE);
    IngestError z = assertThrows(IngestError.class, () -> IngestJob.run(TestSpark.session(),
        CanonicalIngestTest.config("faults", Map.of("tp.ingest.inputs.registrations.path", new File(f, "zero.csv").getPath())),
        RunContext.start("ingest", LATER)));
    assertTrue(z.getMessage().contains("lacks required column"), z.getMessage());
    assertEquals(v0, lake.version(Table.REGISTRATIONS_BRONZE), "a failed ingest commits nothing");
    assertEquals(before, published(lake));

    // missing column: clear failure, nothing written (same run date: the published partition stays as it was)
    long v = lake.version(Table.REGISTRATIONS_BRONZE);
    IngestError e = assertThrows(IngestError.class, () -> IngestJob.run(TestSpark.session(),
        CanonicalIngestTest.config("faults", Map.of("tp.ingest.inputs.registrations.path", new File(f, "nocol.csv").getPath())),
        RunContext.start("ingest", CanonicalIngestTest.AS_OF)));
    assertTrue(e.getMessage().contains("lacks required column make"), e.getMessage());
    assertEquals(v, lake.version(Table.REGISTRATIONS_BRONZE), "a failed ingest commits nothing");
    assertEquals(before, published(lake));

    // truncated mid-row (next run date): the complete rows are accepted, the cut one quarantined with its reason
    IngestJob.Result t = IngestJob.run(TestSpark.session(),
        CanonicalIngestTest.config("faults", Map.of("tp.ingest.inputs.registrations.path", new File(f, "truncated.csv").getPath())),
        RunContext.start("ingest", LATER));
    IngestJob.InputCounts regs = t.inputs().stream().filter(c -> c.input().equals("registrations")).findFirst().orElseThrow();
    assertEquals(7, regs.read());
    assertEquals(6, regs.accepted());
    assertEquals(1, regs.quarantined());
    String reason = lake.read(Table.QUARANTINE, LATER).where("source = 'registrations'").select("reason").first().getString(0);
    assertTrue(reason.startsWith("malformed row"), reason);
    assertEquals(before, published(lake), "the earlier run date still reads its rows");

    // empty (header only) on a rerun of LATER: held back before any write (exit 4 through the CLI),
    // so LATER keeps the truncated run's 6 rows; registrations is not in tp.ingest.may-be-empty
    long vLater = lake.version(Table.REGISTRATIONS_BRONZE);
    org.territorypotential.dq.Gates.GateFailed empty = assertThrows(org.territorypotential.dq.Gates.GateFailed.class,
        () -> IngestJob.run(TestSpark.session(),
            CanonicalIngestTest.config("faults", Map.of("tp.ingest.inputs.registrations.path", new File(f, "empty.csv").getPath())),
            RunContext.start("ingest", LATER)));
    assertTrue(empty.getMessage().contains("input 'registrations' has no rows")
        && empty.getMessage().contains("the published run of " + LATER + " read 7"), empty.getMessage());
    assertEquals(vLater, lake.version(Table.REGISTRATIONS_BRONZE), "a held-back ingest commits nothing");
    assertEquals(6, lake.read(Table.REGISTRATIONS_BRONZE, LATER).count());

    // shrunk by more than half (2 of 7 rows read): held back; with --allow-shrink (tp.ingest.allow-shrink) written
    CanonicalIngestTest.write("shrunk.csv", header + CanonicalIngestTest.goodRows(10, 2));
    Map<String, String> shrunk = Map.of("tp.ingest.inputs.registrations.path", new File(f, "shrunk.csv").getPath());
    org.territorypotential.dq.Gates.GateFailed shrink = assertThrows(org.territorypotential.dq.Gates.GateFailed.class,
        () -> IngestJob.run(TestSpark.session(), CanonicalIngestTest.config("faults", shrunk), RunContext.start("ingest", LATER)));
    assertTrue(shrink.getMessage().contains("input 'registrations' read 2 rows, 71.4% fewer than the 7 of the published run of "
        + LATER), shrink.getMessage());
    assertEquals(vLater, lake.version(Table.REGISTRATIONS_BRONZE), "a held-back ingest commits nothing");
    Map<String, String> allowed = new java.util.HashMap<>(shrunk);
    allowed.put("tp.ingest.allow-shrink", "true");
    IngestJob.run(TestSpark.session(), CanonicalIngestTest.config("faults", allowed), RunContext.start("ingest", LATER));
    assertEquals(2, lake.read(Table.REGISTRATIONS_BRONZE, LATER).count());
    assertEquals(before, published(lake));
    System.out.println("IngestFaultTest: truncated row quarantined as: " + reason + "; held back: " + empty.getMessage()
        + " | " + shrink.getMessage());
  }

  /**
   * Input rules (issue 23 item 3) on a run of their own date: a Latin-1 byte in a UTF-8 file, model
   * years beyond the plausible range and a column the contract does not know. Each bad row is
   * quarantined with the column and value as the file has them; decoded with the file's real
   * charset, the same bytes are accepted as the letter they are.
   */
  @Test
  void undecodableBytesAndImplausibleYearsAreQuarantinedByColumnAndValue() throws IOException {
    File dir = TestSpark.dir("input_rules");
    LocalDate asOf = LocalDate.parse("2024-08-31");
    String header = "registration_id,registration_date,make,model,model_year,longitude,latitude,geo_unit_id,extra_note\n";
    StringBuilder good = new StringBuilder();
    for (int i = 0; i < 5; i++) {
      good.append("G").append(i).append(",2024-0").append(1 + i).append("-10,Aurora,Alpha,2024,-122.1,47.5,U1,x\n");
    }
    byte[] latin1 = "B1,2024-05-10,Aur\u00e9ora,Alpha,2023,-122.1,47.5,U1,\n".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    String rest = "B2,2024-05-10,Aurora,Alpha,3024,-122.1,47.5,U1,\n" + "B3,2024-05-10,Aurora,Alpha,1890,-122.1,47.5,U1,\n";
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    bytes.write((header + good).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    bytes.write(latin1);
    bytes.write(rest.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    File regs = new File(dir, "registrations.csv");
    java.nio.file.Files.write(regs.toPath(), bytes.toByteArray());
    java.nio.file.Files.writeString(new File(dir, "dealers.csv").toPath(), CanonicalIngestTest.DEALERS);
    java.nio.file.Files.writeString(new File(dir, "geo_units.csv").toPath(), CanonicalIngestTest.GEO_UNITS);
    java.nio.file.Files.writeString(new File(dir, "segments.csv").toPath(), CanonicalIngestTest.SEGMENTS);
    Map<String, String> paths = new java.util.HashMap<>(Map.of(
        "tp.ingest.inputs.registrations.path", regs.getPath(),
        "tp.ingest.inputs.dealers.path", new File(dir, "dealers.csv").getPath(),
        "tp.ingest.inputs.geo-units.path", new File(dir, "geo_units.csv").getPath(),
        "tp.ingest.inputs.segments.path", new File(dir, "segments.csv").getPath()));
    AppConfig cfg = CanonicalIngestTest.config("input_rules", paths);
    Lake lake = new Lake(TestSpark.session(), cfg);

    IngestJob.InputCounts c = IngestJob.run(TestSpark.session(), cfg, RunContext.start("ingest", asOf)).input("registrations");
    assertEquals(8, c.read());
    assertEquals(5, c.accepted());
    assertEquals(3, c.quarantined());
    assertEquals(List.of("extra_note"), c.ignoredColumns(), "the column the contract lacks, named once");
    Map<String, String> reasons = new java.util.TreeMap<>();
    for (Row r : lake.read(Table.QUARANTINE, asOf).where("source = 'registrations'")
        .selectExpr("get_json_object(raw_record, '$.registration_id')", "reason").collectAsList()) {
      reasons.put(r.getString(0), r.getString(1));
    }
    assertEquals(Map.of(
        "B1", "bytes not valid UTF-8 in make 'Aur\uFFFDora' at byte 3",
        "B2", "model_year '3024' after run year + 1 (2025)",
        "B3", "model_year '1890' before 1981 (tp.ingest.plausibility.min-model-year)"), reasons);
    assertTrue(c.topReasons().containsKey("bytes not valid UTF-8 in make '…' at byte …"), c.topReasons().toString());

    // the same file declared as Latin-1: B1 is accepted, its make decoded as the letter it is
    paths.put("tp.ingest.inputs.registrations.encoding", "ISO-8859-1");
    AppConfig latin = CanonicalIngestTest.config("input_rules", paths);
    IngestJob.InputCounts l = IngestJob.run(TestSpark.session(), latin, RunContext.start("ingest", asOf)).input("registrations");
    assertEquals(6, l.accepted());
    assertEquals("AUR\u00c9ORA", lake.read(Table.REGISTRATIONS_BRONZE, asOf).where("registration_id = 'B1'").first().getAs("make"));

    // a charset Java does not know stops the run before Spark, naming the key
    paths.put("tp.ingest.inputs.registrations.encoding", "UTF-9");
    org.territorypotential.config.ConfigError bad = assertThrows(org.territorypotential.config.ConfigError.class,
        () -> new IngestStage().validate(CanonicalIngestTest.config("input_rules", paths), asOf));
    assertTrue(bad.getMessage().contains("'tp.ingest.inputs.registrations.encoding'"), bad.getMessage());
  }
}
