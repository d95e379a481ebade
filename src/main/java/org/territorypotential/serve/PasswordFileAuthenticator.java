package org.territorypotential.serve;

import java.io.IOException;
import java.nio.file.Path;
import javax.security.sasl.AuthenticationException;
import org.apache.hive.service.auth.PasswdAuthenticationProvider;

/**
 * HiveServer2 CUSTOM authentication (hive.server2.authentication=CUSTOM) against the password
 * file named by the system property {@value #FILE_PROPERTY}, which {@link SqlServer} sets. Hive
 * builds this class by reflection with a fresh HiveConf, so the file comes through a system
 * property rather than the server's configuration. The file is read on every login: editing it
 * takes effect without a restart.
 */
public final class PasswordFileAuthenticator implements PasswdAuthenticationProvider {
  public static final String FILE_PROPERTY = "tp.serve.password-file";

  @Override
  public void Authenticate(String user, String password) throws AuthenticationException {
    String file = System.getProperty(FILE_PROPERTY);
    if (file == null || file.isEmpty()) {
      throw new AuthenticationException("no password file configured (" + FILE_PROPERTY + ")");
    }
    boolean ok;
    try {
      ok = PasswordFile.verify(Path.of(file), user, password);
    } catch (IOException | RuntimeException e) {
      throw new AuthenticationException("password file unreadable: " + e.getMessage(), e);
    }
    if (!ok) {
      // One message for unknown user and wrong password: no hint which one it was.
      throw new AuthenticationException("invalid user name or password");
    }
  }
}
