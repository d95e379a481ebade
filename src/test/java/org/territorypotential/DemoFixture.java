package org.territorypotential;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.territorypotential.cli.Main;

/**
 * ONE {@code jobs/tp demo} per test JVM (generate -> ingest -> locate -> market -> forecast -> score
 * on a small synthetic region), shared by the test classes that read its output, so CI pays for it
 * once. Lazy and synchronized: the first caller runs it, later callers get the same result.
 * Callers may rerun stages with {@link #common()} but only in ways that leave the rows the other
 * classes read unchanged (same as_of, idempotent reruns).
 */
public final class DemoFixture {
  public static final String AS_OF = "2024-06-15";
  public static final String DB = "demo";
  public static final String BRONZE = DB + "_bronze";
  public static final String SILVER = DB + "_silver";
  public static final String GOLD = DB + "_gold";
  public static final String OPS = DB + "_ops";

  private static DemoFixture instance;

  private final String[] common;
  private final String printed;
  private final double seconds;

  private DemoFixture(String[] common, String printed, double seconds) {
    this.common = common;
    this.printed = printed;
    this.seconds = seconds;
  }

  /** The demo's result, running it on first use; fails the caller's test when the demo fails. */
  public static synchronized DemoFixture get() {
    if (instance == null) {
      TestSpark.session();
      File lake = new File(TestSpark.dir(DB), "lake");
      String[] args = {"demo", "--as-of", AS_OF,
          "--set", "tp.lakehouse=" + lake.getAbsolutePath(),
          "--set", "tp.generate.output=" + lake.getAbsolutePath() + "/landing",
          "--set", "tp.spark.master=local[2]", "--set", "tp.spark.shuffle-partitions=2",
          "--set", "tp.databases.bronze=" + BRONZE,
          "--set", "tp.databases.silver=" + SILVER,
          "--set", "tp.databases.gold=" + GOLD,
          "--set", "tp.databases.ops=" + OPS,
          "--set", "tp.generate.registrations=20000",
          "--set", "tp.generate.geo-units=80",
          "--set", "tp.generate.dealers=12",
          "--set", "tp.generate.months=24",
          "--set", "tp.generate.counties=8",
          // the whole generated history, as the planted values are defined on it
          "--set", "tp.market.window-months=24",
          // 23 complete months of history: a short horizon and history window so three backtest origins fit
          "--set", "tp.forecast.horizon=6",
          "--set", "tp.forecast.min-history-months=6",
          // 4 boosting rounds, each several Spark jobs: the tests read the forecast's shape, not its accuracy
          "--set", "tp.forecast.model.trees=4",
          // two backtest fits per candidate instead of the default's four (the same reason)
          "--set", "tp.forecast.backtest.refit-every-origins=5"};
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      long t0 = System.nanoTime();
      int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      String printed = out.toString(StandardCharsets.UTF_8);
      double seconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf("DemoFixture: demo took %.1f s%n%s%n", seconds, printed);
      assertEquals(Main.OK, code, err.toString(StandardCharsets.UTF_8) + printed);
      instance = new DemoFixture(Arrays.copyOfRange(args, 1, args.length), printed, seconds);
    }
    return instance;
  }

  /** What the demo printed to stdout. */
  public String printed() {
    return printed;
  }

  /** The demo's arguments without the command ("--as-of ... --set ..."), to rerun a stage on the same lakehouse. */
  public String[] common() {
    return common.clone();
  }

  /** Wall-clock seconds the demo took. */
  public double seconds() {
    return seconds;
  }
}
