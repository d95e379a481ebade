package org.territorypotential.design;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/** Settings of the design stage ({@code tp.design.*}, {@code tp.whatif.*}; docs/design-territories.md). */
public record DesignParams(String brand, String current, String level, List<Scenario> scenarios, Designer.Params designer,
    int kmeansIterations, int demandMonths, List<String> whatIfs, int huffCandidates, double huffMinDistanceKm,
    int huffMaxIterations, int windowMonths, double adjacencyToleranceM) {

  public static final List<String> BALANCES = List.of("potential", "demand", "registrations", "units", "dealers");
  public static final String LARGEST = "@largest";
  private static final String ID = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

  /** One design scenario: id, territories (0 = as many as now), balanced measure, locks (ids). */
  public record Scenario(String id, int territories, String balance, List<String> lockedTerritories,
      List<String> lockedUnits) {}

  public static DesignParams from(AppConfig cfg) {
    String current = cfg.getString("tp.design.current");
    if (!List.of("pma", "configured").contains(current)) {
      throw new ConfigError("configuration key 'tp.design.current' must be pma or configured, got '" + current + "'");
    }
    List<Scenario> scenarios = new ArrayList<>();
    for (String s : cfg.getStringList("tp.design.scenarios")) {
      Scenario sc = scenario(s);
      if (scenarios.stream().anyMatch(x -> x.id().equals(sc.id()))) {
        throw new ConfigError("tp.design.scenarios: scenario id '" + sc.id() + "' is given twice");
      }
      scenarios.add(sc);
    }
    double tol = cfg.getDouble("tp.design.tolerance");
    double compact = cfg.getDouble("tp.design.compactness");
    double pen = cfg.getDouble("tp.design.disruption-penalty");
    if (!(tol > 0 && tol < 1) || compact < 0 || pen < 0) {
      throw new ConfigError("tp.design: tolerance must be in (0, 1), compactness and disruption-penalty >= 0; got " + tol
          + ", " + compact + ", " + pen);
    }
    double ppMinGain = cfg.getDouble("tp.design.polsby-popper-min-gain");
    if (ppMinGain < 0) {
      throw new ConfigError("configuration key 'tp.design.polsby-popper-min-gain' must be >= 0, got " + ppMinGain);
    }
    Designer.Params dp = new Designer.Params(tol, compact, pen, positive(cfg, "tp.design.allocation-iterations"),
        positive(cfg, "tp.design.max-passes"), positive(cfg, "tp.design.candidates"), cfg.getLong("tp.design.seed"),
        ppMinGain, nonNegative(cfg, "tp.design.perturbations"), positiveLong(cfg, "tp.design.tree-budget"));
    List<String> whatIfs = new ArrayList<>();
    for (String w : cfg.getStringList("tp.whatif.scenarios")) {
      WhatIf.Scenario ws;
      try {
        ws = WhatIf.Scenario.parse(w);
      } catch (IllegalArgumentException e) {
        throw new ConfigError("tp.whatif.scenarios: " + e.getMessage());
      }
      if (!ws.id().matches(ID) || !(ws.dealerId().matches(ID) || ws.dealerId().equals(LARGEST))) {
        throw new ConfigError("tp.whatif.scenarios: ids must be letters, digits, _ . - (or " + LARGEST + "), got '" + w + "'");
      }
      if (whatIfs.stream().anyMatch(x -> WhatIf.Scenario.parse(x).id().equals(ws.id()))) {
        throw new ConfigError("tp.whatif.scenarios: the id " + ws.id() + " is used twice");
      }
      whatIfs.add(w);
    }
    double minDist = cfg.getDouble("tp.whatif.min-distance-km");
    if (!(minDist > 0)) {
      throw new ConfigError("configuration key 'tp.whatif.min-distance-km' must be > 0, got " + minDist);
    }
    double adjTol = cfg.getDouble("tp.design.adjacency-tolerance-m");
    if (!(adjTol >= 0 && adjTol <= 10_000)) {
      throw new ConfigError("configuration key 'tp.design.adjacency-tolerance-m' must be 0..10000 (metres), got " + adjTol);
    }
    String level = cfg.getString("tp.locate.level");
    return new DesignParams(cfg.getString("tp.score.brand").trim().toUpperCase(Locale.ROOT), current, level, scenarios, dp,
        positive(cfg, "tp.design.kmeans-iterations"), positive(cfg, "tp.design.demand-months"), whatIfs,
        positive(cfg, "tp.whatif.candidates"), minDist, positive(cfg, "tp.whatif.max-iterations"),
        positive(cfg, "tp.market.window-months"), adjTol);
  }

  private static int nonNegative(AppConfig cfg, String key) {
    int v = cfg.getInt(key);
    if (v < 0) {
      throw new ConfigError("configuration key '" + key + "' must be >= 0, got " + v);
    }
    return v;
  }

  private static long positiveLong(AppConfig cfg, String key) {
    long v = cfg.getLong(key);
    if (v < 1) {
      throw new ConfigError("configuration key '" + key + "' must be >= 1, got " + v);
    }
    return v;
  }

  private static int positive(AppConfig cfg, String key) {
    int v = cfg.getInt(key);
    if (v < 1) {
      throw new ConfigError("configuration key '" + key + "' must be >= 1, got " + v);
    }
    return v;
  }

  /** Parses "ID key=value ..." (keys: territories, balance, locked-territories, locked-units; lists split by |). */
  static Scenario scenario(String spec) {
    String[] parts = spec.trim().split("\\s+");
    if (parts.length == 0 || !parts[0].matches(ID)) {
      throw new ConfigError("tp.design.scenarios entries must start with an id (letters, digits, _ . -), got '" + spec + "'");
    }
    Map<String, String> kv = new LinkedHashMap<>();
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      String key = eq < 0 ? parts[i] : parts[i].substring(0, eq);
      if (eq < 0 || !List.of("territories", "balance", "locked-territories", "locked-units").contains(key)
          || kv.put(key, parts[i].substring(eq + 1)) != null) {
        throw new ConfigError("tp.design.scenarios '" + spec + "': '" + parts[i] + "' is not one of territories=N,"
            + " balance=" + String.join("|", BALANCES) + ", locked-territories=ID|ID, locked-units=ID|ID (each once)");
      }
    }
    int k;
    try {
      k = Integer.parseInt(kv.getOrDefault("territories", "0"));
    } catch (NumberFormatException e) {
      throw new ConfigError("tp.design.scenarios '" + spec + "': territories must be a whole number (0 = as many as now)");
    }
    String balance = kv.getOrDefault("balance", "potential");
    if (k < 0 || !BALANCES.contains(balance)) {
      throw new ConfigError("tp.design.scenarios '" + spec + "': territories >= 0 and balance one of " + BALANCES);
    }
    return new Scenario(parts[0], k, balance, ids(kv.get("locked-territories"), spec), ids(kv.get("locked-units"), spec));
  }

  private static List<String> ids(String raw, String spec) {
    if (raw == null || raw.isEmpty()) {
      return List.of();
    }
    List<String> out = List.of(raw.split("\\|"));
    for (String id : out) {
      if (!id.matches(ID)) {
        throw new ConfigError("tp.design.scenarios '" + spec + "': '" + id + "' is not an id (letters, digits, _ . -)");
      }
    }
    return out;
  }
}
