package org.territorypotential.ingest;

import org.territorypotential.lake.Contracts;
import org.territorypotential.lake.Contract;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/**
 * Reads inputs that are already in contract form, CSV or Parquet, from the paths under
 * {@code tp.ingest.inputs}. An input whose path is "" is skipped, except that an empty
 * segments path means the reference table shipped with the project.
 */
public final class CanonicalAdapter implements SourceAdapter {
  /** Config key under tp.ingest.inputs for each contract read by this adapter. */
  static final Map<Contract, String> KEYS = Map.of(
      Contracts.REGISTRATIONS, "registrations",
      Contracts.SALES, "sales",
      Contracts.DEALERS, "dealers",
      Contracts.DEMOGRAPHICS, "demographics",
      Contracts.GEO_UNITS, "geo-units",
      Contracts.TERRITORIES, "territories",
      Contracts.SEGMENTS, "segments");

  @Override
  public List<RawInput> read(SparkSession spark, AppConfig cfg) {
    List<RawInput> out = new ArrayList<>();
    for (Contract c : List.of(Contracts.REGISTRATIONS, Contracts.SALES, Contracts.DEALERS, Contracts.DEMOGRAPHICS,
        Contracts.GEO_UNITS, Contracts.TERRITORIES)) {
      String base = "tp.ingest.inputs." + KEYS.get(c);
      String path = cfg.getString(base + ".path");
      if (path.isEmpty()) {
        continue;
      }
      String enc = encoding(cfg, base);
      out.add(new RawInput(c, path, readOne(spark, cfg, base, c, path), Map.of(), List.of(), enc));
    }
    out.add(SegmentReference.read(spark, cfg));
    return out;
  }

  static Dataset<Row> readOne(SparkSession spark, AppConfig cfg, String base, Contract c, String path) {
    String format = cfg.getString(base + ".format");
    switch (format) {
      case "csv":
        return Sources.readDelimited(spark, c.input(), path, delimiter(cfg, base), false, Map.of(), c.requiredNames(),
            encoding(cfg, base));
      case "parquet":
        return Sources.readParquet(spark, c.input(), path, c.requiredNames());
      default:
        throw new ConfigError("configuration key '" + base + ".format' must be csv or parquet, got '" + format + "'");
    }
  }

  /** The input's charset: its own {@code encoding} when not "", else {@code tp.ingest.encoding}; checked. */
  static String encoding(AppConfig cfg, String base) {
    return InputRules.charset(cfg, cfg.getString(base + ".encoding").isEmpty() ? "tp.ingest.encoding" : base + ".encoding");
  }

  /** Checks every canonical input's charset (before Spark starts). */
  static void encodings(AppConfig cfg) {
    KEYS.values().forEach(k -> encoding(cfg, "tp.ingest.inputs." + k));
  }

  static String delimiter(AppConfig cfg, String base) {
    String d = cfg.getString(base + ".delimiter");
    if (d.equals("\\t")) {
      d = "\t";
    }
    if (d.length() != 1) {
      throw new ConfigError("configuration key '" + base + ".delimiter' must be one character, got '" + d + "'");
    }
    return d;
  }
}
