package org.territorypotential.report;

import java.time.LocalDate;
import java.util.List;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.market.MarketParams;
import org.territorypotential.score.ScoreParams;

/** The report's settings (tp.report.*), checked before Spark starts. */
public record ReportParams(String output, String territoryType, double simplifyTolerance, int coordinateDecimals,
    int topTerritories, int historyMonths, boolean pdf, String chromium, boolean gisExports, String brand,
    MarketParams.Bands bands, long maxReportBytes) {

  /** The smallest tp.report.max-report-bytes: the inlined libraries alone take about 1.2 MB. */
  static final long MIN_REPORT_BYTES = 2_000_000L;

  /** The same settings with another simplification tolerance. */
  public ReportParams withTolerance(double tolerance) {
    return new ReportParams(output, territoryType, tolerance, coordinateDecimals, topTerritories, historyMonths, pdf, chromium,
        gisExports, brand, bands, maxReportBytes);
  }

  public static ReportParams from(AppConfig cfg, LocalDate asOf) {
    String output = cfg.getString("tp.report.output");
    if (!output.matches("[A-Za-z0-9_.-]+") || output.matches("\\.+")) {
      throw new ConfigError("configuration key 'tp.report.output' must be a folder name under the lakehouse (letters, digits, _ - .),"
          + " got '" + output + "'");
    }
    String type = cfg.getString("tp.report.territory-type");
    if (!List.of(ScoreParams.PMA, ScoreParams.CONFIGURED, ScoreParams.UNIT).contains(type)) {
      throw new ConfigError("configuration key 'tp.report.territory-type' must be pma, configured or unit, got '" + type + "'");
    }
    double tol = cfg.getDouble("tp.report.simplify-tolerance");
    if (!(tol >= 0 && tol < 1)) {
      throw new ConfigError("configuration key 'tp.report.simplify-tolerance' must be in [0, 1) degrees, got " + tol);
    }
    int decimals = cfg.getInt("tp.report.coordinate-decimals");
    if (decimals < 1 || decimals > 9) {
      throw new ConfigError("configuration key 'tp.report.coordinate-decimals' must be 1 to 9, got " + decimals);
    }
    int top = cfg.getInt("tp.report.top-territories");
    if (top < 1) {
      throw new ConfigError("configuration key 'tp.report.top-territories' must be at least 1, got " + top);
    }
    int history = cfg.getInt("tp.report.history-months");
    if (history < 0 || history > 240) {
      throw new ConfigError("configuration key 'tp.report.history-months' must be 0 to 240, got " + history);
    }
    boolean pdf = cfg.getBoolean("tp.report.pdf");
    String chromium = cfg.getString("tp.report.chromium");
    if (pdf && Chromium.find(chromium).isEmpty()) {
      throw new ConfigError("tp.report.pdf is on but 'tp.report.chromium' (" + chromium + ") is not an executable on PATH;"
          + " install Debian's chromium or set tp.report.pdf=false");
    }
    ScoreParams score = ScoreParams.from(cfg, asOf);
    if (ScoreParams.UNIT.equals(type) && !score.unitTerritories()) {
      throw new ConfigError("tp.report.territory-type = unit needs tp.score.unit-territories = true (units are scored only then)");
    }
    long maxBytes = cfg.getLong("tp.report.max-report-bytes");
    if (maxBytes < MIN_REPORT_BYTES) {
      throw new ConfigError("configuration key 'tp.report.max-report-bytes' must be at least " + MIN_REPORT_BYTES
          + " (the inlined libraries take about 1.2 MB), got " + maxBytes);
    }
    return new ReportParams(output, type, tol, decimals, top, history, pdf, chromium, cfg.getBoolean("tp.report.gis-exports"),
        score.brand(), MarketParams.from(cfg, asOf).bands(), maxBytes);
  }
}
