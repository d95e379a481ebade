package org.territorypotential.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/** The blocking input checks of ingest (no Spark): empty inputs, shrinking inputs, their settings. */
class InputGuardTest {
  private static final LocalDate D = LocalDate.parse("2024-05-31");

  private static Map<String, Long> read(Object... kv) {
    Map<String, Long> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], ((Number) kv[i + 1]).longValue());
    }
    return m;
  }

  @Test
  void emptyAndShrunkInputsAreHeldBackUnlessAllowed() {
    InputGuard.Settings s = new InputGuard.Settings(0.5, false, Set.of("sales"));
    Map<String, InputGuard.Published> pub = Map.of(
        "registrations", new InputGuard.Published(D, 1000),
        "sales", new InputGuard.Published(D, 40),
        "dealers", new InputGuard.Published(D, 10));
    // first run of an input (nothing published): only emptiness counts
    assertEquals(List.of(), InputGuard.problems(read("registrations", 1, "geo_units", 5), Map.of(), s));
    // exactly at the limit (50% fewer) passes; one row fewer fails
    assertEquals(List.of(), InputGuard.problems(read("registrations", 500), pub, s));
    List<String> p = InputGuard.problems(read("registrations", 499, "dealers", 12, "sales", 0), pub, s);
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("input 'registrations' read 499 rows, 50.1% fewer than the 1,000 of the published run of "
        + D + " (limit 50.0%"), p.get(0));
    // --allow-shrink lets the shrink through, never an empty input that may not be empty
    InputGuard.Settings allow = new InputGuard.Settings(0.5, true, Set.of("sales"));
    assertEquals(List.of(), InputGuard.problems(read("registrations", 1), pub, allow));
    List<String> e = InputGuard.problems(read("registrations", 0, "sales", 0), pub, allow);
    assertEquals(List.of("input 'registrations' has no rows (a header-only or empty extract), the published run of " + D
        + " read 1,000; an input that may be empty is listed in tp.ingest.may-be-empty"), e);
    // an input never published with 0 rows fails as well
    assertEquals(1, InputGuard.problems(read("dealers", 0), Map.of(), s).size());
  }

  @Test
  void settingsAreValidatedBeforeSparkStarts() {
    InputGuard.Settings d = InputGuard.Settings.from(AppConfig.load(null, Map.of()));
    assertEquals(new InputGuard.Settings(0.5, false, Set.of("sales", "territories")), d);
    ConfigError bad = assertThrows(ConfigError.class,
        () -> InputGuard.Settings.from(AppConfig.load(null, Map.of("tp.ingest.may-be-empty", "[salez]"))));
    assertTrue(bad.getMessage().contains("names no input 'salez'"), bad.getMessage());
    assertThrows(ConfigError.class, () -> InputGuard.Settings.from(AppConfig.load(null, Map.of("tp.ingest.max-shrink", "1.5"))));
  }
}
