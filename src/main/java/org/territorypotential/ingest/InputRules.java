package org.territorypotential.ingest;

import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.substring_index;
import static org.apache.spark.sql.functions.when;

import java.nio.charset.Charset;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;

/**
 * Input rules beyond a field's type (issue 23): bytes the input's declared charset cannot decode,
 * and plausible model years. Each rule is a reason column for {@link Validation#withReasons},
 * naming the column as the file has it ({@link RawInput#label}) and its value.
 *
 * <p>Undecodable bytes: Spark's CSV reader decodes with the input's charset
 * ({@code tp.ingest.encoding}, or a canonical input's own {@code encoding}) and replaces every byte
 * sequence it cannot decode with U+FFFD; a field holding U+FFFD is quarantined with the byte
 * offset, within the field, of the first bad sequence (the UTF-8 length of the text before it: the
 * bytes before it decoded, so for UTF-8 input that is their count in the file too). A file that
 * really contains U+FFFD as text is quarantined the same way: no real extract is expected to.
 */
public final class InputRules {
  private InputRules() {}

  static final String REPLACEMENT = "\uFFFD";

  /** Validated settings. */
  public record Settings(String encoding, int minModelYear, int maxModelYearAhead) {
    /** Reads and validates the settings (before Spark starts). */
    public static Settings from(AppConfig cfg) {
      String enc = charset(cfg, "tp.ingest.encoding");
      int min = cfg.getInt("tp.ingest.plausibility.min-model-year");
      if (min < 1886 || min > 9999) {
        throw new ConfigError("configuration key 'tp.ingest.plausibility.min-model-year' must be a year from 1886 to 9999, got " + min);
      }
      int ahead = cfg.getInt("tp.ingest.plausibility.max-model-year-ahead");
      if (ahead < 0 || ahead > 10) {
        throw new ConfigError("configuration key 'tp.ingest.plausibility.max-model-year-ahead' must be 0 to 10 years, got " + ahead);
      }
      return new Settings(enc, min, ahead);
    }
  }

  /** The charset named by {@code key}, checked: a name this JVM can decode. */
  static String charset(AppConfig cfg, String key) {
    String name = cfg.getString(key);
    try {
      if (!name.isBlank() && Charset.isSupported(name)) {
        return Charset.forName(name).name();
      }
    } catch (IllegalArgumentException e) {
      // illegal name: same message as an unsupported one
    }
    throw new ConfigError("configuration key '" + key + "' must name a charset Java can decode (UTF-8, ISO-8859-1,"
        + " windows-1252, ...), got '" + name + "'");
  }

  /** Reason for a text field holding bytes {@code charset} could not decode, or null. */
  static Column undecodable(Column raw, String label, String charset) {
    return when(raw.contains(REPLACEMENT), concat(lit("bytes not valid " + charset + " in " + label + " '"), raw,
        lit("' at byte "), octet_length(substring_index(raw, REPLACEMENT, 1)).cast("string")));
  }

  /**
   * Reason for a model year after the run's year + {@code maxModelYearAhead} or before
   * {@code minModelYear}, or null. {@code typed} is the parsed year, {@code raw} the text as read.
   */
  static Column modelYear(Column typed, Column raw, String label, LocalDate asOf, Settings s) {
    int max = asOf.getYear() + s.maxModelYearAhead();
    return when(typed.gt(max), concat(lit(label + " '"), raw, lit("' after run year + " + s.maxModelYearAhead() + " (" + max + ")")))
        .when(typed.lt(s.minModelYear()), concat(lit(label + " '"), raw,
            lit("' before " + s.minModelYear() + " (tp.ingest.plausibility.min-model-year)")));
  }

  /** Normalises a reason for counting: quoted values and byte offsets become '…'. */
  static Column reasonKind(Column reason) {
    return org.apache.spark.sql.functions.regexp_replace(
        org.apache.spark.sql.functions.regexp_replace(reason, "'[^']*'", "'…'"), " at byte [0-9]+", " at byte …");
  }
}
