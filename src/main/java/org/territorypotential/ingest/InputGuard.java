package org.territorypotential.ingest;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.lake.Contracts;

/**
 * Blocking checks on the inputs, evaluated after they are read and counted and BEFORE anything
 * is written (issue 23 item 2): a failed export must not replace what is published.
 * <ul>
 *   <li>an input with no rows (a header-only file) fails, unless it is listed in
 *       {@code tp.ingest.may-be-empty};</li>
 *   <li>an input whose rows read drop by more than {@code tp.ingest.max-shrink} against the newest
 *       published run of that input (the same run date's when this is a rerun, else the latest
 *       earlier one, from ingest_reconciliation) fails, unless the run allows it
 *       ({@code --allow-shrink}, i.e. {@code tp.ingest.allow-shrink = true}).</li>
 * </ul>
 * Pure: the caller passes the counts; no Spark.
 */
public final class InputGuard {
  /** One input's rows read in a published run. */
  public record Published(LocalDate asOf, long rowsRead) {}

  public record Settings(double maxShrink, boolean allowShrink, Set<String> mayBeEmpty) {
    /** Reads and validates the settings (before Spark starts). */
    public static Settings from(AppConfig cfg) {
      double max = cfg.getDouble("tp.ingest.max-shrink");
      if (!(max >= 0 && max <= 1)) {
        throw new ConfigError("configuration key 'tp.ingest.max-shrink' must be a share between 0 and 1, got " + max);
      }
      List<String> empty = cfg.getStringList("tp.ingest.may-be-empty");
      List<String> inputs = Contracts.ALL.stream().map(org.territorypotential.lake.Contract::input).toList();
      for (String name : empty) {
        if (!inputs.contains(name)) {
          throw new ConfigError("configuration key 'tp.ingest.may-be-empty' names no input '" + name + "' (inputs: "
              + inputs + ")");
        }
      }
      return new Settings(max, cfg.getBoolean("tp.ingest.allow-shrink"), Set.copyOf(empty));
    }
  }

  private InputGuard() {}

  /**
   * The blocking problems, one line each (empty = the inputs may be written).
   *
   * @param read rows read per input in this run
   * @param published the newest published run per input (inputs never ingested before are absent)
   */
  public static List<String> problems(Map<String, Long> read, Map<String, Published> published, Settings s) {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, Long> e : read.entrySet()) {
      String input = e.getKey();
      long now = e.getValue();
      Published before = published.get(input);
      if (now == 0) {
        if (!s.mayBeEmpty().contains(input)) {
          out.add(String.format("input '%s' has no rows (a header-only or empty extract)%s; an input that may be empty is"
              + " listed in tp.ingest.may-be-empty", input,
              before == null ? "" : String.format(", the published run of %s read %,d", before.asOf(), before.rowsRead())));
        }
        continue;
      }
      if (before == null || before.rowsRead() == 0 || s.allowShrink()) {
        continue;
      }
      double drop = 1.0 - (double) now / before.rowsRead();
      if (drop > s.maxShrink()) {
        out.add(String.format("input '%s' read %,d rows, %.1f%% fewer than the %,d of the published run of %s (limit %.1f%%,"
            + " tp.ingest.max-shrink); rerun with --allow-shrink if the drop is real", input, now, 100 * drop,
            before.rowsRead(), before.asOf(), 100 * s.maxShrink()));
      }
    }
    return out;
  }
}
