package org.territorypotential.synth;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/**
 * The generator's settings, read once from {@code tp.generate} (conf/default.conf documents each
 * key) and checked, so the model code never touches the configuration.
 */
public record SynthParams(
    long seed,
    String output,
    long registrations,
    int geoUnits,
    int dealers,
    int months,
    String ourBrand,
    List<String> competitorBrands,
    double minLongitude,
    double maxLongitude,
    double minLatitude,
    double maxLatitude,
    int populationCentres,
    double ruralShare,
    int counties,
    int countiesPerDistrict,
    int regions,
    double ourDealerShare,
    double ourBrandShare,
    double decayKm,
    double attractivenessSpread,
    double underperformerFactor,
    double parityFactor,
    boolean keepBenchmark,
    String growingSegment,
    double segmentGrowth,
    double marketTrend,
    int seasonalPeakMonth,
    double seasonalAmplitude,
    double cellNoise,
    double fleetShare,
    double geoUnitIdShare,
    int closedMonthsBefore,
    long rowsPerPartition) {

  private static final String P = "tp.generate.";

  public static SynthParams from(AppConfig cfg) {
    List<String> competitors = new ArrayList<>();
    for (String c : cfg.getStringList(P + "competitor-brands")) {
      competitors.add(c.trim().toUpperCase(Locale.ROOT));
    }
    SynthParams p = new SynthParams(
        cfg.getLong(P + "seed"),
        cfg.getString(P + "output"),
        cfg.getLong(P + "registrations"),
        cfg.getInt(P + "geo-units"),
        cfg.getInt(P + "dealers"),
        cfg.getInt(P + "months"),
        cfg.getString(P + "our-brand").trim().toUpperCase(Locale.ROOT),
        List.copyOf(competitors),
        cfg.getDouble(P + "region.min-longitude"),
        cfg.getDouble(P + "region.max-longitude"),
        cfg.getDouble(P + "region.min-latitude"),
        cfg.getDouble(P + "region.max-latitude"),
        cfg.getInt(P + "population-centres"),
        cfg.getDouble(P + "rural-share"),
        cfg.getInt(P + "counties"),
        cfg.getInt(P + "counties-per-district"),
        cfg.getInt(P + "regions"),
        cfg.getDouble(P + "our-dealer-share"),
        cfg.getDouble(P + "our-brand-share"),
        cfg.getDouble(P + "decay-km"),
        cfg.getDouble(P + "attractiveness-spread"),
        cfg.getDouble(P + "underperformer-factor"),
        cfg.getDouble(P + "parity-factor"),
        cfg.getBoolean(P + "keep-benchmark"),
        cfg.getString(P + "growing-segment").trim().toUpperCase(Locale.ROOT),
        cfg.getDouble(P + "segment-growth"),
        cfg.getDouble(P + "market-trend"),
        cfg.getInt(P + "seasonal-peak-month"),
        cfg.getDouble(P + "seasonal-amplitude"),
        cfg.getDouble(P + "cell-noise"),
        cfg.getDouble(P + "fleet-share"),
        cfg.getDouble(P + "geo-unit-id-share"),
        cfg.getInt(P + "closed-months-before"),
        cfg.getLong(P + "rows-per-partition"));
    p.check();
    return p;
  }

  /** The same parameters with another number of geo units (the locate benchmark's polygons), checked. */
  public SynthParams withGeoUnits(int n) {
    SynthParams p = new SynthParams(seed, output, registrations, n, dealers, months, ourBrand, competitorBrands,
        minLongitude, maxLongitude, minLatitude, maxLatitude, populationCentres, ruralShare, counties,
        countiesPerDistrict, regions, ourDealerShare, ourBrandShare, decayKm, attractivenessSpread,
        underperformerFactor, parityFactor, keepBenchmark, growingSegment, segmentGrowth, marketTrend,
        seasonalPeakMonth, seasonalAmplitude, cellNoise, fleetShare, geoUnitIdShare, closedMonthsBefore,
        rowsPerPartition);
    p.check();
    return p;
  }

  /** Number of our brand's dealers: a share of all dealers, at least 3 (closed, under-performer, parity). */
  public int ourDealers() {
    return Math.max(3, (int) Math.round(dealers * ourDealerShare));
  }

  private void check() {
    atLeast("registrations", registrations, 1);
    atLeast("geo-units", geoUnits, 10);
    atLeast("months", months, 1);
    atLeast("population-centres", populationCentres, 1);
    atLeast("counties", counties, 1);
    atLeast("counties-per-district", countiesPerDistrict, 1);
    atLeast("regions", regions, 1);
    atLeast("rows-per-partition", rowsPerPartition, 1);
    if (geoUnits > 89_999) {
      throw new ConfigError("configuration key '" + P + "geo-units' must be at most 89999 (one 5-digit ZIP per unit), got " + geoUnits);
    }
    if (competitorBrands.isEmpty()) {
      throw new ConfigError("configuration key '" + P + "competitor-brands' must name at least one brand");
    }
    if (competitorBrands.contains(ourBrand) || competitorBrands.stream().distinct().count() != competitorBrands.size()) {
      throw new ConfigError("configuration key '" + P + "competitor-brands' must be distinct and not include our brand " + ourBrand);
    }
    if (ourDealers() > dealers - competitorBrands.size()) {
      throw new ConfigError("configuration key '" + P + "dealers' (" + dealers + ") is too small: need " + ourDealers()
          + " dealers of " + ourBrand + " (at least 3) and one per competitor brand (" + competitorBrands.size() + ")");
    }
    if (!(minLongitude < maxLongitude) || !(minLatitude < maxLatitude) || minLongitude < -180 || maxLongitude > 180
        || minLatitude < -85 || maxLatitude > 85) {
      throw new ConfigError("configuration keys '" + P + "region.*' must give min < max longitude (-180..180) and latitude (-85..85)");
    }
    share("rural-share", ruralShare);
    share("our-dealer-share", ourDealerShare);
    share("fleet-share", fleetShare);
    share("geo-unit-id-share", geoUnitIdShare);
    share("seasonal-amplitude", seasonalAmplitude);
    if (ourBrandShare <= 0 || ourBrandShare >= 0.5) {
      throw new ConfigError("configuration key '" + P + "our-brand-share' must be in (0, 0.5), got " + ourBrandShare);
    }
    if (underperformerFactor <= 0 || parityFactor <= 0 || ourBrandShare * Math.max(underperformerFactor, parityFactor) >= 0.6) {
      throw new ConfigError("configuration keys '" + P + "underperformer-factor' / 'parity-factor' must be > 0 and keep our share below 60%");
    }
    if (decayKm <= 0) {
      throw new ConfigError("configuration key '" + P + "decay-km' must be > 0, got " + decayKm);
    }
    if (attractivenessSpread < 0 || attractivenessSpread >= 2) {
      throw new ConfigError("configuration key '" + P + "attractiveness-spread' must be in [0, 2), got " + attractivenessSpread);
    }
    if (seasonalPeakMonth < 1 || seasonalPeakMonth > 12) {
      throw new ConfigError("configuration key '" + P + "seasonal-peak-month' must be 1..12, got " + seasonalPeakMonth);
    }
    if (!Catalog.SEGMENTS.contains(growingSegment)) {
      throw new ConfigError("configuration key '" + P + "growing-segment' must be one of " + Catalog.SEGMENTS + ", got " + growingSegment);
    }
    if (segmentGrowth <= -1 || marketTrend <= -1 || cellNoise < 0) {
      throw new ConfigError("configuration keys '" + P + "segment-growth' / 'market-trend' must be > -1 and 'cell-noise' >= 0");
    }
    if (closedMonthsBefore < 1 || closedMonthsBefore >= months) {
      throw new ConfigError("configuration key '" + P + "closed-months-before' must be 1.." + (months - 1)
          + " (the closure falls inside the generated months), got " + closedMonthsBefore);
    }
  }

  private static void atLeast(String key, long v, long min) {
    if (v < min) {
      throw new ConfigError("configuration key '" + P + key + "' must be at least " + min + ", got " + v);
    }
  }

  private static void share(String key, double v) {
    if (v < 0 || v > 1) {
      throw new ConfigError("configuration key '" + P + key + "' must be between 0 and 1, got " + v);
    }
  }
}
