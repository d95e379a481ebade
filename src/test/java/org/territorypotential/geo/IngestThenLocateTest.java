package org.territorypotential.geo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.cli.Main;

/**
 * {@code jobs/tp ingest} then {@code jobs/tp locate} on fixture CSV files: bronze tables as the
 * real ingest writes them feed locate, the optional sales input is absent, and the launcher
 * prints the counts per input.
 */
class IngestThenLocateTest {

  @Test
  void locateRunsOnWhatIngestWrote() throws IOException {
    File dir = TestSpark.dir("geo-cli");
    write(dir, "geo_units.csv", "geo_unit_id,level,name,parent_id,geometry\n"
        + "T1,tract,One,C1,\"POLYGON ((-123 47, -122 47, -122 48, -123 48, -123 47))\"\n"
        + "T2,tract,Two,C1,\"POLYGON ((-122 47, -121 47, -121 48, -122 48, -122 47))\"\n"
        + "C1,county,King,,\"POLYGON ((-123 47, -121 47, -121 48, -123 48, -123 47))\"\n");
    write(dir, "registrations.csv", "registration_id,registration_date,make,model,longitude,latitude,geo_unit_id,zip\n"
        + "R1,2024-01-15,Aurora,Alpha,-122.5,47.5,,\n"
        + "R2,2024-01-15,Aurora,Alpha,-121.5,47.5,,\n"
        + "R3,2024-01-15,Aurora,Alpha,,,T2,\n"
        + "R4,2024-01-15,Aurora,Alpha,-80.2,25.8,,\n"
        + "R5,2024-01-15,Aurora,Alpha,,,,99999\n");
    write(dir, "dealers.csv", "dealer_id,name,brand,longitude,latitude,open_date,close_date\n"
        + "D1,North,Aurora,-122.6,47.6,2010-01-01,\n"
        + "D2,South,Aurora,-121.4,47.4,2010-01-01,\n");
    write(dir, "segments.csv", "make,model,segment\nAURORA,ALPHA,SMALL_SUV\n");

    String lake = new File(dir, "lake").getAbsolutePath();
    List<String> common = new ArrayList<>(List.of("--as-of", "2024-06-30",
        "--set", "tp.lakehouse=" + lake,
        "--set", "tp.spark.master=local[2]", "--set", "tp.spark.shuffle-partitions=2",
        "--set", "tp.databases.bronze=geocli_bronze",
        "--set", "tp.databases.silver=geocli_silver",
        "--set", "tp.databases.ops=geocli_ops",
        "--set", "tp.ingest.max-quarantine-share=1.0",
        "--set", "tp.ingest.inputs.registrations.path=" + new File(dir, "registrations.csv"),
        "--set", "tp.ingest.inputs.dealers.path=" + new File(dir, "dealers.csv"),
        "--set", "tp.ingest.inputs.geo-units.path=" + new File(dir, "geo_units.csv"),
        "--set", "tp.ingest.inputs.segments.path=" + new File(dir, "segments.csv"),
        "--set", "tp.ingest.inputs.sales.path=",
        "--set", "tp.ingest.inputs.demographics.path=",
        "--set", "tp.ingest.inputs.territories.path=",
        "--set", "tp.locate.level=tract"));

    Run ingest = run("ingest", common);
    assertEquals(Main.OK, ingest.code, ingest.err);
    Run locate = run("locate", common);
    assertEquals(Main.OK, locate.code, locate.err);
    String out = locate.out;
    assertTrue(out.contains("at level 'tract': 3 geo units (2 at that level, 0 repaired)"), out);
    assertTrue(out.matches("(?s).*registrations\\s+5\\s+3\\s+1\\s+1\\s+0\\n.*"), out);
    assertTrue(out.matches("(?s).*dealers\\s+2\\s+2\\s+0\\s+0\\s+0\\n.*"), out);
    assertFalse(out.contains("sales"), "sales is an optional input that was not ingested: " + out);
    assertTrue(out.contains("territories: 2 PMA rows (0 multiple dealer areas), 0 configured rows"), out);

    List<String> quarantined = TestSpark.session()
        .sql("SELECT concat(source, ': ', reason) FROM geocli_ops.quarantine WHERE as_of = DATE'2024-06-30' ORDER BY 1")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    assertEquals(List.of("locate:registrations: outside the region envelope"), quarantined);
  }

  record Run(int code, String out, String err) {}

  static Run run(String command, List<String> args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> argv = new ArrayList<>();
    argv.add(command);
    argv.addAll(args);
    int code = Main.run(argv.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  static void write(File dir, String name, String text) throws IOException {
    Files.writeString(new File(dir, name).toPath(), text);
  }
}
