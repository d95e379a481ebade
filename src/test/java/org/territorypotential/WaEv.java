package org.territorypotential;

import java.io.File;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.territorypotential.config.AppConfig;
import org.territorypotential.geo.LocateJob;
import org.territorypotential.ingest.IngestJob;
import org.territorypotential.market.MarketJob;
import org.territorypotential.ops.RunContext;

/**
 * The real Washington data, ingested once per test JVM into its own lakehouse and shared by
 * every real-data test (ingesting it takes minutes on 2 cores). Skips the calling test, saying
 * why, when ../shared/data/wa-ev is absent.
 */
public final class WaEv {
  public static final LocalDate AS_OF = LocalDate.parse("2023-06-30");

  /** The configuration of the shared WA lakehouse and the result of its one ingest. */
  public record Ingested(AppConfig cfg, IngestJob.Result result, long seconds) {}

  private static Ingested ingested;
  /** The level the shared lakehouse's silver tables are located at now (null: not yet located). */
  private static String locatedLevel;
  private static final Map<String, LocateJob.Result> locateResults = new java.util.HashMap<>();
  private static MarketJob.Result countyMarket;

  private WaEv() {}

  /**
   * Every real-data check runs in the default build (WA tract and ZCTA locate, the WA forecast
   * backtest, the WA score included). -Dtp.wa.full=false leaves the slowest out for a quick local
   * iteration; CI never sets it.
   */
  public static boolean full() {
    return !"false".equals(System.getProperty("tp.wa.full"));
  }

  /** Skips the calling test, saying why, when -Dtp.wa.full=false. */
  public static void fullOrSkip(String what) {
    if (!full()) {
      String why = what + " skipped: -Dtp.wa.full=false";
      System.out.println("[wa-ev] " + why); // in the build log, not only in the surefire report
      Assumptions.abort(why);
    }
  }

  public static File dirOrSkip() {
    File dir = TestSpark.waEvDir();
    Assumptions.assumeTrue(dir != null,
        "../shared/data/wa-ev absent: real-data tests skipped (set -Dtp.shared.dir to the folder holding data/wa-ev)");
    return dir;
  }

  /**
   * A configuration on the shared WA lakehouse: the project's conf/wa-ev.conf profile, the data
   * folder found by the test, and extra overrides (e.g. tp.locate.level).
   */
  public static AppConfig config(Map<String, String> overrides) {
    File dir = dirOrSkip();
    Map<String, String> m = new java.util.HashMap<>(Map.of("tp.wa-ev.dir", dir.getAbsolutePath()));
    m.putAll(overrides);
    return TestSpark.config("waev", new File("conf/wa-ev.conf"), m);
  }

  public static synchronized Ingested ingested() {
    dirOrSkip();
    if (ingested == null) {
      AppConfig cfg = config(Map.of());
      long t0 = System.nanoTime();
      IngestJob.Result r = IngestJob.run(TestSpark.session(), cfg, RunContext.start("ingest", AS_OF));
      long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
      System.out.println("[wa-ev] real ingest took " + seconds + " s");
      for (IngestJob.InputCounts c : r.inputs()) {
        System.out.printf("[wa-ev] %-15s read %7d = accepted %7d + quarantined %5d + excluded %5d  excluded: %s  top reasons: %s%n",
            c.input(), c.read(), c.accepted(), c.quarantined(), c.excluded(), c.excludedReason(), c.topReasons());
      }
      System.out.println("[wa-ev] registrations without a segment: " + r.unmappedRegistrations() + " of "
          + r.registrations() + " " + r.topUnmapped());
      ingested = new Ingested(cfg, r, seconds);
    }
    return ingested;
  }

  /**
   * The shared lakehouse located at {@code level}: runs the locate job unless the silver tables
   * are at that level already (the last level located is what the lake holds), and returns the
   * result of the run that located it. Locating the 130k real registrations takes about a minute
   * per level on 2 cores, so the real-data tests share these runs; they run in any order.
   */
  public static synchronized LocateJob.Result locatedAt(String level) {
    ingested();
    if (!level.equals(locatedLevel)) {
      long t0 = System.nanoTime();
      LocateJob.Result r = LocateJob.run(TestSpark.session(), config(Map.of("tp.locate.level", level)),
          RunContext.start("locate", AS_OF));
      System.out.printf("[wa-ev] locate at %s took %d s%n", level, (System.nanoTime() - t0) / 1_000_000_000L);
      locateResults.put(level, r);
      locatedLevel = level;
    }
    return locateResults.get(level);
  }

  /**
   * The market stage on the shared lakehouse located by county (conf/wa-ev.conf's level), run
   * once per JVM; relocates at county first when another test located another level since.
   */
  /**
   * Forgets the county market run: a test that ran market at another level on the shared lakehouse
   * (DesignWaEvTest, at zcta) calls this, so that the next countyMarket() runs it again instead of
   * handing later tests gold tables of the other level (the classes' order is the file system's).
   */
  public static synchronized void marketReplaced() {
    countyMarket = null;
  }

  /** The level the shared lakehouse is located at now, or null before the first locate. */
  public static synchronized String locatedLevel() {
    return locatedLevel;
  }

  public static synchronized MarketJob.Result countyMarket() {
    locatedAt("county");
    if (countyMarket == null) {
      long t0 = System.nanoTime();
      countyMarket = MarketJob.run(TestSpark.session(), config(Map.of("tp.locate.level", "county")),
          RunContext.start("market", AS_OF));
      System.out.printf("[wa-ev] market (county) took %d s%n", (System.nanoTime() - t0) / 1_000_000_000L);
    }
    return countyMarket;
  }
}
