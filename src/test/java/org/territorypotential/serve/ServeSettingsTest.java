package org.territorypotential.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/** Password hashing and the serve-sql start-up rules, without Spark. */
class ServeSettingsTest {
  @Test
  void passwordFileAcceptsTheRightPasswordOnly() {
    String line = PasswordFile.line("analyst", "correct horse".toCharArray(), 1000);
    assertTrue(line.startsWith("analyst:pbkdf2-sha256:1000:"), line);
    assertFalse(line.contains("correct horse"), "no password in the file");
    List<String> file = List.of("# users", "other:" + PasswordFile.line("x", "p".toCharArray(), 1000).split(":", 2)[1], line);
    assertTrue(PasswordFile.verify(file, "analyst", "correct horse"));
    assertFalse(PasswordFile.verify(file, "analyst", "correct horse "));
    assertFalse(PasswordFile.verify(file, "analyst", ""));
    assertFalse(PasswordFile.verify(file, "nobody", "correct horse"));
    assertFalse(PasswordFile.verify(file, "other", "correct horse"));
    assertTrue(PasswordFile.verify(file, "other", "p"));
    // Two hashes of the same password differ (random salt).
    assertFalse(line.equals(PasswordFile.line("analyst", "correct horse".toCharArray(), 1000)));
  }

  @Test
  void malformedPasswordFileLineIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> PasswordFile.verify(List.of("analyst:plain"), "analyst", "plain"));
  }

  private static AppConfig cfg(Map<String, String> m) {
    return AppConfig.load(null, m);
  }

  @Test
  void loopbackWithoutAuthStarts() {
    SqlServer.Settings s = SqlServer.settings(cfg(Map.of()));
    assertEquals("127.0.0.1", s.host());
    assertEquals("jdbc:hive2://127.0.0.1:10000/default", s.jdbcUrl());
    assertEquals("none", s.auth());
  }

  @Test
  void exposedAddressWithoutAuthIsRefused() {
    for (String host : List.of("0.0.0.0", "10.1.2.3", "::")) {
      ConfigError e = assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of("tp.serve.host", host))), host);
      assertTrue(e.getMessage().contains("not a loopback address"), e.getMessage());
    }
  }

  @Test
  void exposedAddressWithPasswordFileStarts() throws Exception {
    File f = Files.createTempFile("tp-users", ".txt").toFile();
    f.deleteOnExit();
    Files.writeString(f.toPath(), PasswordFile.line("analyst", "pw".toCharArray(), 1000) + "\n");
    SqlServer.Settings s = SqlServer.settings(cfg(Map.of("tp.serve.host", "0.0.0.0", "tp.serve.auth", "password-file",
        "tp.serve.password-file", f.getAbsolutePath())));
    assertEquals("password-file", s.auth());
    assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of("tp.serve.host", "0.0.0.0",
        "tp.serve.auth", "password-file", "tp.serve.password-file", f.getAbsolutePath() + ".missing"))));
    assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of("tp.serve.auth", "ldap"))));
    assertThrows(ConfigError.class, () -> SqlServer.settings(cfg(Map.of(
        "tp.serve.hive-conf.\"hive.server2.authentication\"", "NONE"))));
  }
}
