package org.territorypotential.dq;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.territorypotential.config.ConfigError;
import org.territorypotential.lake.Table;

/**
 * One data-quality check declared in {@code tp.dq.checks}, one string per check:
 * {@code "<TABLE> <kind> <argument> <severity>"}, whitespace-separated, where TABLE is a catalog
 * constant (lake/Table.java), severity is {@code fail} (blocking) or {@code warn}, and kind is
 * <ul>
 *   <li>{@code not_null col[,col...]}: no null in these columns;
 *   <li>{@code unique col[,col...]}: no two rows share these columns;
 *   <li>{@code references col:OTHER_TABLE.col}: every non-null value exists in the other table (same as_of);
 *   <li>{@code range col:min..max}: every non-null value within [min, max];
 *   <li>{@code row_count_change tolerance}: rows this as_of vs the previous as_of differ by at most this share;
 *   <li>{@code freshness col:months}: the newest value of this date column is at most this many months before as_of.
 * </ul>
 * Table names are checked against the catalog and column names against a strict pattern here,
 * and against the table's schema when evaluated, before anything reaches SQL.
 */
public record Check(Table table, String kind, List<String> columns, Table refTable, String refColumn, double min, double max,
    String severity, String spec) {

  static final Pattern COLUMN = Pattern.compile("[a-z][a-z0-9_]{0,63}");
  public static final List<String> KINDS = List.of("not_null", "unique", "references", "range", "row_count_change", "freshness");

  public boolean blocking() {
    return severity.equals("fail");
  }

  /** The check's name in dq_results, e.g. {@code not_null(dealer_id)}. */
  public String name() {
    return kind + "(" + spec.split("\\s+")[2] + ")";
  }

  public static List<Check> parseAll(List<String> specs) {
    List<Check> out = new ArrayList<>();
    for (String s : specs) {
      out.add(parse(s));
    }
    return out;
  }

  public static Check parse(String spec) {
    String[] p = spec.trim().split("\\s+");
    if (p.length != 4) {
      throw bad(spec, "needs 4 parts: TABLE kind argument severity");
    }
    Table table = table(spec, p[0]);
    String kind = p[1].toLowerCase(Locale.ROOT);
    String sev = p[3].toLowerCase(Locale.ROOT);
    if (!sev.equals("fail") && !sev.equals("warn")) {
      throw bad(spec, "severity must be fail or warn");
    }
    String arg = p[2];
    switch (kind) {
      case "not_null", "unique" -> {
        return new Check(table, kind, columns(spec, arg.split(",")), null, null, 0, 0, sev, spec);
      }
      case "references" -> {
        String[] kv = arg.split(":");
        String[] ref = kv.length == 2 ? kv[1].split("\\.") : new String[0];
        if (ref.length != 2) {
          throw bad(spec, "references needs col:OTHER_TABLE.col");
        }
        return new Check(table, kind, columns(spec, kv[0]), table(spec, ref[0]), columns(spec, ref[1]).get(0), 0, 0, sev, spec);
      }
      case "range" -> {
        String[] kv = arg.split(":");
        String[] mm = kv.length == 2 ? kv[1].split("\\.\\.") : new String[0];
        if (mm.length != 2) {
          throw bad(spec, "range needs col:min..max");
        }
        return new Check(table, kind, columns(spec, kv[0]), null, null, number(spec, mm[0]), number(spec, mm[1]), sev, spec);
      }
      case "row_count_change" -> {
        double tol = number(spec, arg);
        if (tol < 0) {
          throw bad(spec, "tolerance must be >= 0");
        }
        return new Check(table, kind, List.of(), null, null, 0, tol, sev, spec);
      }
      case "freshness" -> {
        String[] kv = arg.split(":");
        if (kv.length != 2) {
          throw bad(spec, "freshness needs col:months");
        }
        return new Check(table, kind, columns(spec, kv[0]), null, null, 0, number(spec, kv[1]), sev, spec);
      }
      default -> throw bad(spec, "unknown kind '" + p[1] + "'; kinds are " + KINDS);
    }
  }

  private static Table table(String spec, String name) {
    try {
      return Table.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw bad(spec, "unknown table '" + name + "' (use a constant of lake/Table.java, e.g. DEALERS_BRONZE)");
    }
  }

  private static List<String> columns(String spec, String... cols) {
    for (String c : cols) {
      if (!COLUMN.matcher(c).matches()) {
        throw bad(spec, "column '" + c + "' is not a lower-case SQL identifier");
      }
    }
    return List.of(cols);
  }

  private static double number(String spec, String v) {
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw bad(spec, "'" + v + "' is not a number");
    }
  }

  private static ConfigError bad(String spec, String why) {
    return new ConfigError("tp.dq.checks: '" + spec + "': " + why);
  }
}
