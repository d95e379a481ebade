package org.territorypotential.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The configuration loader: defaults, profiles, overrides, and the errors that name the key. */
class AppConfigTest {

  @Test
  void defaultsLoadAndProfilesOverride() throws IOException {
    AppConfig d = AppConfig.defaults();
    assertEquals("local[*]", d.getString("tp.spark.master"));
    assertEquals(0.05, d.getDouble("tp.ingest.max-quarantine-share"), 1e-12);

    File profile = File.createTempFile("profile", ".conf");
    Files.writeString(profile.toPath(), "tp.spark.shuffle-partitions = 3\ntp.lakehouse = \"/tmp/x\"\n");
    AppConfig p = AppConfig.load(profile, Map.of("tp.spark.shuffle-partitions", "5"));
    assertEquals(5, p.getInt("tp.spark.shuffle-partitions"), "--set wins over the profile");
    assertEquals("/tmp/x", p.getString("tp.lakehouse"));

    AppConfig moved = AppConfig.load(null, Map.of("tp.generate.output", "/data/landing"));
    assertEquals("/data/landing/registrations", moved.getString("tp.ingest.inputs.registrations.path"),
        "the canonical inputs follow the generator's output folder");
    AppConfig elsewhere = AppConfig.load(null, Map.of("tp.lakehouse", "/data/lake"));
    assertEquals("/data/lake/landing/registrations", elsewhere.getString("tp.ingest.inputs.registrations.path"),
        "the generator's folder, and so the inputs, follow the lakehouse folder");
  }

  @Test
  void aListCanBeSetOnTheCommandLine() {
    AppConfig c = AppConfig.load(null, Map.of("tp.goals.targets", "[\"FY=100\", \"H2=50%\"]", "tp.score.brand", "Nissan"));
    assertEquals(java.util.List.of("FY=100", "H2=50%"), c.getStringList("tp.goals.targets"));
    assertEquals("Nissan", c.getString("tp.score.brand"));
    assertThrows(ConfigError.class, () -> AppConfig.load(null, Map.of("tp.goals.targets", "[unclosed")));
  }

  @Test
  void unknownKeyIsRejectedByName() {
    ConfigError e = assertThrows(ConfigError.class,
        () -> AppConfig.load(null, Map.of("tp.spark.shufle-partitions", "3")));
    assertTrue(e.getMessage().contains("tp.spark.shufle-partitions"), e.getMessage());
  }

  @Test
  void wrongTypeNamesTheKey() {
    ConfigError e = assertThrows(ConfigError.class,
        () -> AppConfig.load(null, Map.of("tp.spark.shuffle-partitions", "eight")));
    assertTrue(e.getMessage().contains("tp.spark.shuffle-partitions"), e.getMessage());
  }

  @Test
  void sqlIdentifiersAndRangesAreValidated() {
    ConfigError db = assertThrows(ConfigError.class,
        () -> AppConfig.load(null, Map.of("tp.databases.gold", "territory; DROP TABLE x")));
    assertTrue(db.getMessage().contains("tp.databases.gold"), db.getMessage());
    ConfigError share = assertThrows(ConfigError.class,
        () -> AppConfig.load(null, Map.of("tp.ingest.max-quarantine-share", "1.5")));
    assertTrue(share.getMessage().contains("max-quarantine-share"), share.getMessage());
    ConfigError date = assertThrows(ConfigError.class,
        () -> AppConfig.load(null, Map.of("tp.wa-ev.snapshot-date", "30/06/2023")));
    assertTrue(date.getMessage().contains("tp.wa-ev.snapshot-date"), date.getMessage());
    ConfigError tolerance = assertThrows(ConfigError.class,
        () -> AppConfig.load(null, Map.of("tp.locate.nearest-tolerance-m", "-5")));
    assertEquals("configuration key 'tp.locate.nearest-tolerance-m' must not be negative, got -5.0", tolerance.getMessage());
    ConfigError notANumber = assertThrows(ConfigError.class,
        () -> AppConfig.load(null, Map.of("tp.locate.nearest-tolerance-m", "near")));
    assertTrue(notANumber.getMessage().contains("tp.locate.nearest-tolerance-m"), notANumber.getMessage());
  }

  @Test
  void missingProfileFileIsNamed() {
    ConfigError e = assertThrows(ConfigError.class, () -> AppConfig.load(new File("/nope/x.conf"), Map.of()));
    assertTrue(e.getMessage().contains("/nope/x.conf"), e.getMessage());
  }

  @Test
  void sparkExtraIsFreeForm() {
    AppConfig c = AppConfig.load(null, Map.of("tp.spark.extra.\"spark.executor.memory\"", "8g"));
    assertEquals(Map.of("spark.executor.memory", "8g"), c.stringMap("tp.spark.extra"));
  }
}
