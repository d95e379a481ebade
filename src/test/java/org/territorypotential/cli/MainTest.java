package org.territorypotential.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;

/** The launcher's exit codes and its one-line errors. */
class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String errText() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void usageErrorsExitTwoWithOneLine() {
    assertEquals(Main.OK, run("--help"));
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("usage: jobs/tp"));

    assertEquals(Main.USAGE, run("ingest", "--bogus"));
    assertEquals("tp: error: unknown option --bogus (see jobs/tp --help)\n", errText());

    assertEquals(Main.USAGE, run("ingest", "--as-of", "2024-13-01"));
    assertEquals("tp: error: --as-of must be a date like 2024-06-30, got '2024-13-01' (see jobs/tp --help)\n", errText());

    assertEquals(Main.USAGE, run("frobnicate"));
    assertEquals("tp: error: unknown command 'frobnicate' (see jobs/tp --help)\n", errText());

    assertEquals(Main.USAGE, run("ingest", "--set", "tp.ingest.sorce=wa-ev"));
    assertTrue(errText().startsWith("tp: error: unknown configuration key: tp.ingest.sorce"), errText());
    assertEquals(1, errText().lines().count());
  }

  @Test
  void badInputExitsThreeNamingTheFile() {
    TestSpark.session();
    String lake = TestSpark.dir("cli").getAbsolutePath() + "/lake";
    int code = run("ingest", "--as-of", "2024-06-30",
        "--set", "tp.lakehouse=" + lake,
        "--set", "tp.spark.master=local[2]",
        "--set", "tp.databases.bronze=cli_bronze",
        "--set", "tp.databases.ops=cli_ops",
        "--set", "tp.ingest.inputs.registrations.path=/no/such/registrations.csv");
    assertEquals(Main.BAD_INPUT, code);
    assertEquals("tp: error: input 'registrations': file not found: /no/such/registrations.csv\n", errText());
  }

  @Test
  void locateBeforeIngestExitsThreeNamingTheTable() {
    TestSpark.session();
    String lake = TestSpark.dir("cli-locate").getAbsolutePath() + "/lake";
    int code = run("locate", "--as-of", "2024-06-30",
        "--set", "tp.lakehouse=" + lake,
        "--set", "tp.spark.master=local[2]",
        "--set", "tp.databases.bronze=cli_locate_bronze");
    assertEquals(Main.BAD_INPUT, code);
    assertTrue(errText().startsWith("tp: error: locate needs cli_locate_bronze.geo_units"), errText());
    assertTrue(errText().contains("run ingest first"), errText());
    assertEquals(1, errText().lines().count());

    assertEquals(Main.USAGE, run("locate", "--set", "tp.locate.level=planet"));
    assertEquals("tp: error: configuration key 'tp.locate.level' must be tract, zcta, county or state, got 'planet'\n", errText());
  }
}
