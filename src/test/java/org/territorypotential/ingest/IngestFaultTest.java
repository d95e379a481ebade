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
}
