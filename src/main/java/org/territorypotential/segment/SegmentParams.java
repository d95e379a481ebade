package org.territorypotential.segment;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/** Settings of the segment stage ({@code tp.segment.*}; docs/segments.md). */
public record SegmentParams(String brand, String level, String territoryType, List<Feature> features, String algorithm,
    int kMin, int kMax, long seed, int maxIterations, double nameThresholdSd, int nameTerms, int listSize,
    double minPotential, int windowMonths, List<String> evFuelTypes, String crmOutput, Map<String, String> owners,
    String defaultOwner, int printTargets, int parallelFits) {

  public static final List<String> ALGORITHMS = List.of("kmeans", "bisecting-kmeans");
  public static final List<String> TERRITORY_TYPES = List.of("pma", "configured");
  /** Prefix of a segment-share feature: segment_share_pickup = the unit's share of PICKUP registrations. */
  public static final String SEGMENT_SHARE = "segment_share_";
  private static final String OWNER = "[A-Za-z0-9][A-Za-z0-9_.-]{0,63}";

  /** A clustering feature: its column, its weight on the scaled coordinate, and its word in segment names. */
  public record Feature(String name, double weight, String label) {}

  public static SegmentParams from(AppConfig cfg) {
    String p = "tp.segment.";
    List<Feature> features = new ArrayList<>();
    Map<String, String> labels = cfg.stringMap(p + "labels");
    for (Map.Entry<String, String> e : cfg.stringMap(p + "features").entrySet()) {
      String name = e.getKey();
      if (!name.matches("[a-z][a-z0-9_]{0,63}")) {
        throw new ConfigError("tp.segment.features: '" + name + "' is not a lower-case column name");
      }
      double w;
      try {
        w = Double.parseDouble(e.getValue());
      } catch (NumberFormatException x) {
        throw new ConfigError("tp.segment.features." + name + " must be a number (the weight), got '" + e.getValue() + "'");
      }
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new ConfigError("tp.segment.features." + name + " must be >= 0 (0 = left out), got " + w);
      }
      if (w == 0) {
        continue;
      }
      features.add(new Feature(name, w, labels.getOrDefault(name, name.replace('_', ' '))));
    }
    if (features.isEmpty()) {
      throw new ConfigError("tp.segment.features has no feature with a weight > 0");
    }
    String algorithm = cfg.getString(p + "algorithm");
    if (!ALGORITHMS.contains(algorithm)) {
      throw new ConfigError("configuration key 'tp.segment.algorithm' must be one of " + ALGORITHMS + ", got '" + algorithm + "'");
    }
    String type = cfg.getString(p + "territory-type");
    if (!TERRITORY_TYPES.contains(type)) {
      throw new ConfigError("configuration key 'tp.segment.territory-type' must be one of " + TERRITORY_TYPES + ", got '"
          + type + "'");
    }
    int kMin = cfg.getInt(p + "k-min");
    int kMax = cfg.getInt(p + "k-max");
    if (kMin < 2 || kMax < kMin) {
      throw new ConfigError("tp.segment: k-min must be >= 2 and k-max >= k-min, got " + kMin + ".." + kMax);
    }
    if (cfg.getInt(p + "print-targets") < 0) {
      throw new ConfigError("configuration key 'tp.segment.print-targets' must be >= 0, got " + cfg.getInt(p + "print-targets"));
    }
    double sd = cfg.getDouble(p + "name-threshold-sd");
    double minPotential = cfg.getDouble(p + "campaign.min-potential");
    if (sd < 0 || minPotential < 0) {
      throw new ConfigError("tp.segment: name-threshold-sd and campaign.min-potential must be >= 0, got " + sd + ", "
          + minPotential);
    }
    String output = cfg.getString(p + "crm.output");
    if (!output.matches("[A-Za-z0-9_.-]+") || output.startsWith(".")) {
      throw new ConfigError("configuration key 'tp.segment.crm.output' must be a folder name (letters, digits, _ - .), got '"
          + output + "'");
    }
    Map<String, String> owners = cfg.stringMap(p + "crm.owners");
    String defaultOwner = cfg.getString(p + "crm.default-owner");
    List<String> allOwners = new ArrayList<>(owners.values());
    allOwners.add(defaultOwner);
    for (String o : allOwners) {
      if (!o.matches(OWNER)) {
        throw new ConfigError("tp.segment.crm.owners: owners are team or role codes (letters, digits, _ . -, no personal"
            + " names), got '" + o + "'");
      }
    }
    return new SegmentParams(cfg.getString("tp.score.brand").trim().toUpperCase(Locale.ROOT),
        cfg.getString("tp.locate.level"), type, List.copyOf(features), algorithm, kMin, kMax, cfg.getLong(p + "seed"),
        positive(cfg, p + "max-iterations"), sd, positive(cfg, p + "name-terms"), positive(cfg, p + "campaign.list-size"),
        minPotential, positive(cfg, "tp.market.window-months"),
        cfg.getStringList(p + "ev-fuel-types").stream().map(s -> s.trim().toUpperCase(Locale.ROOT)).toList(), output, owners,
        defaultOwner, cfg.getInt(p + "print-targets"), positive(cfg, p + "parallel-fits"));
  }

  private static int positive(AppConfig cfg, String key) {
    int v = cfg.getInt(key);
    if (v < 1) {
      throw new ConfigError("configuration key '" + key + "' must be >= 1, got " + v);
    }
    return v;
  }

  /** The owner of a territory: the configured one, else the default owner. */
  public String ownerOf(String territoryId) {
    return territoryId == null ? null : owners.getOrDefault(territoryId, defaultOwner);
  }
}
