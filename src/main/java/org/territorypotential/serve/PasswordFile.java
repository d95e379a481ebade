package org.territorypotential.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Users of the SQL endpoint: a file with one {@code user:pbkdf2-sha256:<iterations>:<salt>:<hash>}
 * a line (salt and hash base64), made by {@code jobs/tp hash-password USER}. Only salted slow
 * hashes are stored, never a password; comparison is constant-time.
 */
public final class PasswordFile {
  public static final String SCHEME = "pbkdf2-sha256";
  /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256. */
  public static final int DEFAULT_ITERATIONS = 600_000;
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;

  private PasswordFile() {}

  /** The line to put in the file for {@code user} with a fresh random salt. */
  public static String line(String user, char[] password, int iterations) {
    if (!user.matches("[A-Za-z0-9_.@-]+")) {
      throw new IllegalArgumentException("user names are letters, digits and _ . @ - only, got '" + user + "'");
    }
    byte[] salt = new byte[SALT_BYTES];
    new SecureRandom().nextBytes(salt);
    Base64.Encoder b64 = Base64.getEncoder();
    return user + ":" + SCHEME + ":" + iterations + ":" + b64.encodeToString(salt) + ":"
        + b64.encodeToString(pbkdf2(password, salt, iterations));
  }

  /** True when the file has a line for {@code user} whose hash matches {@code password}. */
  public static boolean verify(List<String> lines, String user, String password) {
    if (user == null || password == null) {
      return false;
    }
    for (String raw : lines) {
      String l = raw.trim();
      if (l.isEmpty() || l.startsWith("#")) {
        continue;
      }
      String[] p = l.split(":");
      if (p.length != 5 || !p[1].equals(SCHEME)) {
        throw new IllegalArgumentException("password file line for '" + p[0] + "' is not user:" + SCHEME
            + ":iterations:salt:hash");
      }
      if (p[0].equals(user)) {
        Base64.Decoder b64 = Base64.getDecoder();
        byte[] expected = b64.decode(p[4]);
        byte[] actual = pbkdf2(password.toCharArray(), b64.decode(p[3]), Integer.parseInt(p[2]));
        return MessageDigest.isEqual(expected, actual);
      }
    }
    return false;
  }

  public static boolean verify(Path file, String user, String password) throws IOException {
    return verify(Files.readAllLines(file, StandardCharsets.UTF_8), user, password);
  }

  static byte[] pbkdf2(char[] password, byte[] salt, int iterations) {
    try {
      SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
      return f.generateSecret(new PBEKeySpec(password, salt, iterations, HASH_BITS)).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
    }
  }
}
