package org.territorypotential.market;

import java.time.LocalDate;
import org.territorypotential.config.AppConfig;

/**
 * What the market transforms need from the configuration ({@code tp.market}, docs/market.md):
 * the window, the benchmark and local areas, the retail filter and the band thresholds.
 */
public record MarketParams(LocalDate asOf, int windowMonths, String benchmarkArea, String localArea,
    long localMinIndustry, boolean retailOnly, Bands bands) {

  /** Band thresholds on effectiveness (100 = parity) and on the percentile within the benchmark area. */
  public record Bands(double satisfactoryAt, double needsImprovementAt, double superiorPercentile,
      double unsatisfactoryPercentile) {
    public static final Bands DEFAULT = new Bands(100.0, 85.0, 85.0, 15.0);
  }

  public static MarketParams from(AppConfig cfg, LocalDate asOf) {
    return new MarketParams(asOf, cfg.getInt("tp.market.window-months"), cfg.getString("tp.market.benchmark-area"),
        cfg.getString("tp.market.local-area"), cfg.getLong("tp.market.local-min-industry"),
        cfg.getBoolean("tp.market.retail-only"),
        new Bands(cfg.getDouble("tp.market.bands.satisfactory-at"), cfg.getDouble("tp.market.bands.needs-improvement-at"),
            cfg.getDouble("tp.market.bands.superior-percentile"), cfg.getDouble("tp.market.bands.unsatisfactory-percentile")));
  }

  /** The defaults of conf/default.conf for a run date (tests). */
  public static MarketParams defaults(LocalDate asOf) {
    return new MarketParams(asOf, 12, "state", "county", 30, true, Bands.DEFAULT);
  }

  /** First day of the window: the first of the month {@code windowMonths - 1} months before the run date's month. */
  public LocalDate windowStart() {
    return asOf.withDayOfMonth(1).minusMonths(windowMonths - 1L);
  }

  /** Last day of the window: the run date. */
  public LocalDate windowEnd() {
    return asOf;
  }
}
