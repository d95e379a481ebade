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
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.territorypotential.cli.Main;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The fault suite (issue 23 item 4): after a good published ingest, each kind of damaged extract is
 * ingested again for the same run date through the CLI ({@code jobs/tp ingest}, write-audit-publish
 * included). Per case: the exit code; for a failure, one {@code tp: error:} line naming the cause and
 * the published tables untouched (each {@code _current} view on the same Delta version, the same
 * rows); for a run that goes through, read = accepted + quarantined + excluded in
 * ingest_reconciliation and the bad row quarantined with its reason. The table it prints is the one
 * in docs/operations.md. Then the input rules on a run of their own date (undecodable bytes,
 * implausible years, a declared charset).
 */
// IngestFaultTest reuses CanonicalIngestTest's static fixture fields: never both at once (junit-platform.properties)
@ResourceLock("CanonicalIngestTest.fixture")
class IngestFaultTest {
  private static final String HEADER = "registration_id,registration_date,make,model,model_year,longitude,latitude,zip,geo_unit_id\n";
  private static final String GEO_GOOD = "geo_unit_id,level,name,parent_id,geometry\n"
      + "U1,tract,One,C1,\"POLYGON ((-123 47, -121 47, -121 48, -123 48, -123 47))\"\n";
  private static final List<Table> BRONZE = List.of(Table.REGISTRATIONS_BRONZE, Table.DEALERS_BRONZE, Table.GEO_UNITS_BRONZE,
      Table.SEGMENTS_BRONZE);

  private static String good(int n) {
    StringBuilder sb = new StringBuilder(HEADER);
    for (int i = 0; i < n; i++) {
      sb.append("G").append(i).append(",2024-0").append(1 + i % 6).append("-10,Aurora,Alpha,2023,").append(-122.0 - i * 0.01)
          .append(",47.5,,U1\n");
    }
    return sb.toString();
  }

  /**
   * One damaged extract: the registrations file (or the geo units', {@code geoUnits} non-null), the exit
   * code, and what must be said: in the error line for a failure, in a quarantine reason for a row
   * (with the input, and the rows read and quarantined), or in the summary.
   */
  record Case(String name, byte[] registrations, String geoUnits, int exit, String said, String input, long read, long quarantined) {
    static Case fails(String name, String regs, int exit, String said) {
      return new Case(name, regs.getBytes(StandardCharsets.UTF_8), null, exit, said, null, 0, 0);
    }

    static Case quarantines(String name, byte[] regs, String geo, String input, long read, String reason) {
      return new Case(name, regs, geo, Main.OK, reason, input, read, 1);
    }
  }

  @Test
  void faultSuite() throws IOException {
    File dir = TestSpark.dir("fault_suite");
    String ten = good(10);
    java.io.ByteArrayOutputStream latin1 = new java.io.ByteArrayOutputStream();
    latin1.write(ten.getBytes(StandardCharsets.UTF_8));
    latin1.write("B1,2024-05-10,Aur\u00e9ora,Alpha,2023,-122.1,47.5,,U1\n".getBytes(StandardCharsets.ISO_8859_1));
    List<Case> cases = List.of(
        Case.fails("header only", HEADER, Main.DQ_FAILED, "input 'registrations' has no rows"),
        Case.fails("0 bytes", "", Main.BAD_INPUT, "lacks required column"),
        Case.fails("wrong delimiter", ten.replace(',', ';'), Main.BAD_INPUT, "looks delimited by ';', not the configured ','"),
        Case.fails("missing column", ten.replace(",make,", ",brand_name,"), Main.BAD_INPUT, "lacks required column make"),
        new Case("extra column", ten.replace("geo_unit_id\n", "geo_unit_id,note\n").replace(",U1\n", ",U1,x\n")
            .getBytes(StandardCharsets.UTF_8), null, Main.OK, "ignored columns not in its contract: note", "registrations", 10, 0),
        Case.quarantines("truncated row", (ten + "R99,2024-05-10,Aur").getBytes(StandardCharsets.UTF_8), null,
            "registrations", 11, "malformed row"),
        Case.quarantines("invalid UTF-8", latin1.toByteArray(), null, "registrations", 11,
            "bytes not valid UTF-8 in make 'Aur\uFFFDora' at byte 3"),
        Case.quarantines("implausible year", (ten + "B2,2024-05-10,Aurora,Alpha,3024,-122.1,47.5,,U1\n").getBytes(StandardCharsets.UTF_8),
            null, "registrations", 11, "model_year '3024' after run year + 1 (2025)"),
        Case.quarantines("duplicate id", (ten + "G0,2024-05-10,Aurora,Alpha,2023,-122.1,47.5,,U1\n").getBytes(StandardCharsets.UTF_8),
            null, "registrations", 11, "duplicate registration_id"),
        Case.quarantines("swapped coordinates", (ten + "S1,2024-05-10,Aurora,Alpha,2023,47.5,-122.1,,U1\n").getBytes(StandardCharsets.UTF_8),
            null, "registrations", 11, "latitude '-122.1' outside -90..90"),
        Case.quarantines("bad WKT", ten.getBytes(StandardCharsets.UTF_8), GEO_GOOD + "U2,tract,Broken,C1,\"POLYGON ((0 0, 1 1\"\n",
            "geo_units", 2, "geometry"),
        Case.fails("shrunk by more than half", good(3), Main.DQ_FAILED, "read 3 rows, 70.0% fewer than the 10"));

    java.nio.file.Files.writeString(new File(dir, "dealers.csv").toPath(), CanonicalIngestTest.DEALERS);
    java.nio.file.Files.writeString(new File(dir, "segments.csv").toPath(), CanonicalIngestTest.SEGMENTS);
    File regs = new File(dir, "registrations.csv");
    File geo = new File(dir, "geo_units.csv");
    java.util.function.Supplier<String[]> args = () -> {
      List<String> a = new java.util.ArrayList<>(List.of("ingest", "--as-of", CanonicalIngestTest.AS_OF.toString()));
      for (String kv : List.of("tp.lakehouse=" + new File(dir, "lake"), "tp.spark.master=local[2]", "tp.spark.shuffle-partitions=2",
          "tp.databases.bronze=faultsuite_bronze", "tp.databases.silver=faultsuite_silver", "tp.databases.gold=faultsuite_gold",
          "tp.databases.ops=faultsuite_ops", "tp.ingest.source=canonical", "tp.ingest.max-quarantine-share=1.0",
          "tp.ingest.inputs.registrations.path=" + regs, "tp.ingest.inputs.dealers.path=" + new File(dir, "dealers.csv"),
          "tp.ingest.inputs.geo-units.path=" + geo, "tp.ingest.inputs.segments.path=" + new File(dir, "segments.csv"),
          "tp.ingest.inputs.sales.path=", "tp.ingest.inputs.demographics.path=", "tp.ingest.inputs.territories.path=")) {
        a.addAll(List.of("--set", kv));
      }
      return a.toArray(new String[0]);
    };
    java.nio.file.Files.writeString(regs.toPath(), ten);
    java.nio.file.Files.writeString(geo.toPath(), GEO_GOOD);
    String[] cli = args.get();
    Cli good = Cli.run(cli);
    assertEquals(Main.OK, good.code(), good.err() + good.out());
    Lake lake = new Lake(TestSpark.session(), CanonicalIngestTest.config("faultsuite", Map.of("tp.lakehouse", new File(dir, "lake").getPath())));

    StringBuilder table = new StringBuilder("| case | exit | message or reason | read | accepted | quarantined | excluded | published tables |\n"
        + "|---|---:|---|---:|---:|---:|---:|---|\n");
    for (Case c : cases) {
      java.nio.file.Files.write(regs.toPath(), c.registrations());
      java.nio.file.Files.writeString(geo.toPath(), c.geoUnits() == null ? GEO_GOOD : c.geoUnits());
      Map<Table, Long> versionsBefore = publishedVersions(lake);
      List<Row> rowsBefore = current(lake);
      Cli r = Cli.run(cli);
      assertEquals(c.exit(), r.code(), c.name() + ": " + r.err() + r.out());
      if (c.exit() != Main.OK) {
        List<String> lines = r.err().lines().toList();
        assertEquals(1, lines.size(), c.name() + ": one line: " + r.err());
        assertTrue(lines.get(0).startsWith("tp: error: ") && lines.get(0).contains(c.said()), c.name() + ": " + lines.get(0));
        assertEquals(versionsBefore, publishedVersions(lake), c.name() + ": every _current view on the version it showed");
        assertEquals(rowsBefore, current(lake), c.name() + ": the published rows unchanged");
        table.append(String.format("| %s | %d | `%s` | | | | | intact |%n", c.name(), r.code(), lines.get(0)));
        continue;
      }
      assertEquals("", r.err(), c.name());
      String runId = r.runId();
      long[] n = counts(lake, runId, c.input());
      long read = n[0];
      long accepted = n[1];
      long quarantined = n[2];
      long excluded = n[3];
      assertEquals(read, accepted + quarantined + excluded, c.name() + ": nothing lost");
      assertEquals(c.read(), read, c.name());
      assertEquals(c.quarantined(), quarantined, c.name());
      String shown = c.said();
      if (c.quarantined() > 0) {
        List<String> reasons = lake.read(Table.QUARANTINE).where(functions.col("run_id").equalTo(runId)
            .and(functions.col("source").equalTo(c.input()))).select("reason").as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        assertEquals(1, reasons.size(), c.name() + ": " + reasons);
        assertTrue(reasons.get(0).contains(c.said()), c.name() + ": " + reasons);
        shown = reasons.get(0);
      } else {
        assertTrue(r.out().contains(c.said()), c.name() + ": " + r.out());
      }
      assertTrue(lake.publishedRun(Table.REGISTRATIONS_BRONZE).equals(runId), c.name() + ": the run published");
      table.append(String.format("| %s | 0 | `%s` | %d | %d | %d | %d | the run published |%n", c.name(), shown, read, accepted,
          quarantined, excluded));
    }
    // the shrink was real: --allow-shrink writes and publishes it (the file still holds the last case's 3 rows)
    String[] allowed = java.util.Arrays.copyOf(cli, cli.length + 1);
    allowed[cli.length] = "--allow-shrink";
    Cli shrunk = Cli.run(allowed);
    assertEquals(Main.OK, shrunk.code(), shrunk.err() + shrunk.out());
    long[] n = counts(lake, shrunk.runId(), "registrations");
    assertEquals(List.of(3L, 3L, 0L, 0L), java.util.Arrays.stream(n).boxed().toList());
    assertEquals(3, current(lake).size());
    assertTrue(!List.of(lake.read(Table.REGISTRATIONS_BRONZE).columns()).contains("note"), "an extra column never reaches bronze");
    table.append(String.format("| shrunk by more than half, rerun with `--allow-shrink` | 0 | | %d | %d | %d | %d | the run published |%n",
        n[0], n[1], n[2], n[3]));
    System.out.println("IngestFaultTest fault suite:\n" + table);
  }

  /** What {@code jobs/tp} printed, and its exit code. */
  record Cli(int code, String out, String err) {
    static Cli run(String[] args) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
      int code = Main.run(args, new java.io.PrintStream(out, true, StandardCharsets.UTF_8),
          new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
      return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The ingest run's id, from its summary's first line. */
    String runId() {
      return out.lines().filter(l -> l.startsWith("ingest run ")).findFirst().orElseThrow().substring("ingest run ".length()).strip();
    }
  }

  /** An input's rows read, accepted, quarantined and excluded in a run, from ingest_reconciliation. */
  private static long[] counts(Lake lake, String runId, String input) {
    Row rec = lake.read(Table.INGEST_RECONCILIATION).where(functions.col("run_id").equalTo(runId)
        .and(functions.col("source").equalTo(input))).first();
    return new long[] {rec.getAs("rows_read"), rec.getAs("rows_accepted"), rec.getAs("rows_quarantined"), rec.getAs("rows_excluded")};
  }

  private static Map<Table, Long> publishedVersions(Lake lake) {
    Map<Table, Long> out = new java.util.LinkedHashMap<>();
    BRONZE.forEach(t -> out.put(t, lake.publishedVersion(t).orElse(-1)));
    return out;
  }

  /** The rows the registrations' _current view shows (what BI reads). */
  private static List<Row> current(Lake lake) {
    return TestSpark.session().table(lake.currentViewName(Table.REGISTRATIONS_BRONZE)).drop("ingested_at")
        .orderBy("registration_id").collectAsList();
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
