package org.territorypotential.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.io.File;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Typed access to the HOCON configuration. The defaults are {@code conf/default.conf} (packed
 * into the jar as {@code tp/default.conf}); a profile given with {@code --conf} and
 * {@code --set key=value} overrides are merged on top. Keys that the defaults do not declare
 * are rejected, and every getter reports a wrong type with the key's full name.
 */
public final class AppConfig {
  private static final String DEFAULTS_RESOURCE = "tp/default.conf";
  /** Subtrees whose keys are free-form (passed through to Spark as they are). */
  private static final List<String> OPEN_SUBTREES = List.of("tp.spark.extra", "tp.maintenance.zorder", "tp.serve.hive-conf",
      "tp.segment.features", "tp.segment.labels", "tp.segment.crm.owners");
  private static final Pattern SQL_IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,127}");

  private final Config config;

  private AppConfig(Config config) {
    this.config = config;
  }

  /** The defaults alone. */
  public static AppConfig defaults() {
    return load(null, Map.of());
  }

  /**
   * Loads the defaults, then the profile file (may be null), then the overrides, and checks
   * that every key is known and every value has the type its default has.
   */
  public static AppConfig load(File profile, Map<String, String> overrides) {
    Config defaults = ConfigFactory.parseResources(
        AppConfig.class.getClassLoader(), DEFAULTS_RESOURCE, ConfigParseOptions.defaults().setAllowMissing(false));
    Config merged = defaults;
    if (profile != null) {
      if (!profile.isFile()) {
        throw new ConfigError("configuration file not found: " + profile);
      }
      Config file;
      try {
        file = ConfigFactory.parseFile(profile, ConfigParseOptions.defaults().setAllowMissing(false));
      } catch (ConfigException e) {
        throw new ConfigError("cannot parse " + profile + ": " + e.getMessage(), e);
      }
      merged = file.withFallback(merged);
    }
    if (!overrides.isEmpty()) {
      Config over;
      try {
        // A value written as a list ("[\"a\", \"b\"]") is parsed as HOCON, so list keys can be set too.
        Map<String, String> scalars = new LinkedHashMap<>();
        over = ConfigFactory.empty();
        for (Map.Entry<String, String> o : overrides.entrySet()) {
          if (o.getValue() != null && o.getValue().trim().startsWith("[")) {
            over = ConfigFactory.parseString(ConfigUtil.joinPath(List.of(o.getKey().split("\\."))) + " = " + o.getValue(),
                ConfigParseOptions.defaults().setOriginDescription("--set")).withFallback(over);
          } else {
            scalars.put(o.getKey(), o.getValue());
          }
        }
        over = ConfigFactory.parseMap(scalars, "--set").withFallback(over);
      } catch (ConfigException e) {
        throw new ConfigError("bad --set override: " + e.getMessage(), e);
      }
      merged = over.withFallback(merged);
    }
    try {
      merged = merged.resolve();
    } catch (ConfigException e) {
      throw new ConfigError("cannot resolve configuration: " + e.getMessage(), e);
    }
    checkKnownKeys(merged, defaults.resolve());
    AppConfig cfg = new AppConfig(merged);
    cfg.validate();
    return cfg;
  }

  private static void checkKnownKeys(Config merged, Config defaults) {
    TreeSet<String> unknown = new TreeSet<>();
    for (Map.Entry<String, ConfigValue> e : merged.entrySet()) {
      String key = e.getKey();
      if (OPEN_SUBTREES.stream().anyMatch(p -> key.startsWith(p + "."))) {
        continue;
      }
      if (!defaults.hasPathOrNull(key)) {
        unknown.add(key);
        continue;
      }
      ConfigValueType want = defaults.getValue(key).valueType();
      ConfigValueType got = e.getValue().valueType();
      // --set and environment overrides arrive as strings: accept them when they convert.
      boolean numberFromString = want == ConfigValueType.NUMBER && got == ConfigValueType.STRING
          && convertible(() -> merged.getDouble(key));
      boolean booleanFromString = want == ConfigValueType.BOOLEAN && got == ConfigValueType.STRING
          && convertible(() -> merged.getBoolean(key));
      boolean stringFromScalar = want == ConfigValueType.STRING
          && (got == ConfigValueType.NUMBER || got == ConfigValueType.BOOLEAN);
      if (want != got && !numberFromString && !booleanFromString && !stringFromScalar) {
        throw new ConfigError("configuration key '" + key + "' must be a " + want.name().toLowerCase()
            + " but is a " + got.name().toLowerCase() + " (" + e.getValue().origin().description() + ")");
      }
    }
    if (!unknown.isEmpty()) {
      throw new ConfigError("unknown configuration key" + (unknown.size() > 1 ? "s" : "") + ": "
          + String.join(", ", unknown) + " (every key is listed in conf/default.conf)");
    }
  }

  private static boolean convertible(Runnable get) {
    try {
      get.run();
      return true;
    } catch (ConfigException e) {
      return false;
    }
  }

  private void validate() {
    for (String layer : List.of("bronze", "silver", "gold", "ops")) {
      sqlIdentifier("tp.databases." + layer);
    }
    double share = getDouble("tp.ingest.max-quarantine-share");
    if (share < 0 || share > 1) {
      throw new ConfigError("configuration key 'tp.ingest.max-quarantine-share' must be between 0 and 1, got " + share);
    }
    getInt("tp.spark.shuffle-partitions");
    String level = getString("tp.locate.level");
    if (!List.of("tract", "zcta", "county", "state").contains(level)) {
      throw new ConfigError("configuration key 'tp.locate.level' must be tract, zcta, county or state, got '" + level + "'");
    }
    for (String key : List.of("tp.locate.envelope-margin-deg", "tp.locate.mda-radius-km", "tp.locate.nearest-tolerance-m")) {
      if (getDouble(key) < 0) {
        throw new ConfigError("configuration key '" + key + "' must not be negative, got " + getDouble(key));
      }
    }
    date("tp.wa-ev.snapshot-date");
    oneOf("tp.market.benchmark-area", List.of("state", "region", "nation"));
    oneOf("tp.market.local-area", List.of("county", "territory"));
    if (getInt("tp.market.window-months") < 1) {
      throw new ConfigError("configuration key 'tp.market.window-months' must be at least 1, got "
          + getInt("tp.market.window-months"));
    }
    if (getDouble("tp.market.bands.needs-improvement-at") > getDouble("tp.market.bands.satisfactory-at")) {
      throw new ConfigError("configuration key 'tp.market.bands.needs-improvement-at' must not exceed "
          + "'tp.market.bands.satisfactory-at'");
    }
  }

  private void oneOf(String key, List<String> allowed) {
    String v = getString(key);
    if (!allowed.contains(v)) {
      throw new ConfigError("configuration key '" + key + "' must be one of " + allowed + ", got '" + v + "'");
    }
  }

  public String getString(String key) {
    try {
      return config.getString(key);
    } catch (ConfigException e) {
      throw wrap(key, "a string", e);
    }
  }

  public int getInt(String key) {
    try {
      return config.getInt(key);
    } catch (ConfigException e) {
      throw wrap(key, "an integer", e);
    }
  }

  public long getLong(String key) {
    try {
      return config.getLong(key);
    } catch (ConfigException e) {
      throw wrap(key, "an integer", e);
    }
  }

  public double getDouble(String key) {
    try {
      return config.getDouble(key);
    } catch (ConfigException e) {
      throw wrap(key, "a number", e);
    }
  }

  public boolean getBoolean(String key) {
    try {
      return config.getBoolean(key);
    } catch (ConfigException e) {
      throw wrap(key, "true or false", e);
    }
  }

  public List<String> getStringList(String key) {
    try {
      return config.getStringList(key);
    } catch (ConfigException e) {
      throw wrap(key, "a list of strings", e);
    }
  }

  /** A date in ISO form (yyyy-MM-dd). */
  public LocalDate date(String key) {
    String v = getString(key);
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw new ConfigError("configuration key '" + key + "' must be a date like 2024-01-31, got '" + v + "'");
    }
  }

  /** A value that will be spliced into SQL as an identifier: checked against a strict pattern. */
  public String sqlIdentifier(String key) {
    String v = getString(key);
    if (!SQL_IDENTIFIER.matcher(v).matches()) {
      throw new ConfigError("configuration key '" + key + "' must be a lower-case SQL identifier "
          + "(letters, digits, underscore), got '" + v + "'");
    }
    return v;
  }

  /** The free-form key -> value pairs under a subtree (e.g. tp.spark.extra). */
  public Map<String, String> stringMap(String key) {
    Map<String, String> out = new LinkedHashMap<>();
    Config sub = config.getConfig(key);
    List<String> keys = new ArrayList<>();
    sub.entrySet().forEach(e -> keys.add(e.getKey()));
    keys.sort(String::compareTo);
    for (String k : keys) {
      out.put(k.replace("\"", ""), sub.getValue(k).unwrapped().toString());
    }
    return out;
  }

  public boolean hasPath(String key) {
    return config.hasPath(key);
  }

  /** The configuration rendered for logs and job_runs parameters. */
  public String render(String subtree) {
    return config.getConfig(subtree).root().render(
        com.typesafe.config.ConfigRenderOptions.concise().setFormatted(false));
  }

  private static ConfigError wrap(String key, String expected, ConfigException e) {
    if (e instanceof ConfigException.Missing) {
      return new ConfigError("configuration key '" + key + "' is missing", e);
    }
    return new ConfigError("configuration key '" + key + "' must be " + expected + ": " + e.getMessage(), e);
  }
}
