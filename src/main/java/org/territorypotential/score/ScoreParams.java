package org.territorypotential.score;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/** Settings of the score stage ({@code tp.score.*}, {@code tp.goals.*}; docs/scores.md). */
public record ScoreParams(LocalDate asOf, String brand, double targetShare, boolean unitTerritories, double wGap,
    double wPotential, double wGrowth, double wDemographics, double highAt, double mediumAt, List<Target> targets,
    String goalTerritoryType, long floorUnits, double capMultiple) {

  /** One top-down target: a period label and whole units, or a percentage of the summed potential. */
  public record Target(String period, long units, Double percentOfPotential) {}

  public static final String CONFIGURED = "configured";
  public static final String PMA = "pma";
  public static final String UNIT = "unit";

  public static ScoreParams from(AppConfig cfg, LocalDate asOf) {
    String brand = cfg.getString("tp.score.brand").trim();
    if (!brand.matches("[A-Za-z0-9][A-Za-z0-9 &._-]{0,63}")) {
      throw new ConfigError("configuration key 'tp.score.brand' must be a brand name (letters, digits, space, & . _ -), got '"
          + brand + "'");
    }
    double target = cfg.getDouble("tp.score.target-share");
    if (target < 0 || target > 1) {
      throw new ConfigError("configuration key 'tp.score.target-share' must be between 0 and 1 (0 = the benchmark share), got "
          + target);
    }
    double high = cfg.getDouble("tp.score.bands.high-at");
    double medium = cfg.getDouble("tp.score.bands.medium-at");
    if (!(0 <= medium && medium <= high && high <= 100)) {
      throw new ConfigError("tp.score.bands: need 0 <= medium-at <= high-at <= 100, got medium-at " + medium + ", high-at " + high);
    }
    String goalType = cfg.getString("tp.goals.territory-type");
    if (!List.of(CONFIGURED, PMA, UNIT).contains(goalType)) {
      throw new ConfigError("configuration key 'tp.goals.territory-type' must be configured, pma or unit, got '" + goalType + "'");
    }
    double cap = cfg.getDouble("tp.goals.cap-multiple-of-potential");
    if (cap != 0 && cap < 1) {
      throw new ConfigError("configuration key 'tp.goals.cap-multiple-of-potential' must be 0 (no cap) or >= 1, got " + cap);
    }
    ScoreParams p = new ScoreParams(asOf, brand.toUpperCase(Locale.ROOT), target, cfg.getBoolean("tp.score.unit-territories"),
        weight(cfg, "opportunity-gap"), weight(cfg, "potential"), weight(cfg, "growth"), weight(cfg, "demographics"),
        high, medium, targets(cfg.getStringList("tp.goals.targets")), goalType, cfg.getLong("tp.goals.floor-units"), cap);
    if (p.wGap + p.wPotential + p.wGrowth + p.wDemographics <= 0) {
      throw new ConfigError("tp.score.weights: at least one weight must be > 0");
    }
    if (p.floorUnits < 0) {
      throw new ConfigError("configuration key 'tp.goals.floor-units' must not be negative, got " + p.floorUnits);
    }
    return p;
  }

  private static double weight(AppConfig cfg, String name) {
    double w = cfg.getDouble("tp.score.weights." + name);
    if (w < 0) {
      throw new ConfigError("configuration key 'tp.score.weights." + name + "' must not be negative, got " + w);
    }
    return w;
  }

  /** Parses {@code "PERIOD=UNITS"} or {@code "PERIOD=PCT%"} (of the summed potential). */
  static List<Target> targets(List<String> raw) {
    List<Target> out = new ArrayList<>();
    for (String t : raw) {
      int eq = t.indexOf('=');
      String period = eq < 0 ? "" : t.substring(0, eq).trim();
      String amount = eq < 0 ? "" : t.substring(eq + 1).trim();
      if (!period.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}")
          || !(amount.matches("\\d{1,12}") || amount.matches("\\d{1,4}(\\.\\d+)?%"))) {
        throw new ConfigError("tp.goals.targets entries must be \"PERIOD=UNITS\" or \"PERIOD=PCT%\" (PERIOD: letters, digits,"
            + " _ . -), got '" + t + "'");
      }
      if (out.stream().anyMatch(x -> x.period().equals(period))) {
        throw new ConfigError("tp.goals.targets: period '" + period + "' is given twice");
      }
      out.add(amount.endsWith("%") ? new Target(period, -1, Double.parseDouble(amount.substring(0, amount.length() - 1)))
          : new Target(period, Long.parseLong(amount), null));
    }
    return out;
  }
}
