package org.territorypotential.bench;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The per-core limit of the market stage's aggregation: one plain single-threaded pass over the
 * located registrations (held as column arrays) that resolves the segment and the retail flag as
 * {@code MarketShare.withSegment} does and counts, in hash maps, what the stage's group-bys count
 * per geo unit: the window per unit x segment x brand, each window month, and every month of the
 * history up to the run date ({@code monthly_registrations}). No Spark, no I/O.
 */
public final class MarketBaseline {
  /** The month of a window cell (the whole window, not one month). */
  public static final int WINDOW = -1;
  static final String UNCLASSIFIED = "UNCLASSIFIED";

  /**
   * The located registrations, one array per column, row i across them. {@code unit} null =
   * unlocated; {@code day} = registration date as days since 1970-01-01; {@code month} = year x 12
   * + month - 1 of that date.
   */
  public record Rows(String[] unit, String[] make, String[] model, String[] segment, String[] saleType, int[] day,
      int[] month) {
    public int size() {
      return unit.length;
    }
  }

  /** The market window [windowStart, windowEnd] and the run date, as days since 1970-01-01. */
  public record Window(int windowStart, int windowEnd, int asOf, boolean retailOnly) {}

  /** One group: geo unit x segment x brand x month ({@link #WINDOW} for the whole window). */
  public record Cell(String unit, String segment, String brand, int month) {}

  /** The counts of one pass: window cells, window-month cells and history-month cells. */
  public record Counts(Map<Cell, long[]> window, Map<Cell, long[]> windowMonths, Map<Cell, long[]> history) {
    public long get(Map<Cell, long[]> which, String unit, String segment, String brand, int month) {
      long[] c = which.get(new Cell(unit, segment, brand, month));
      return c == null ? 0 : c[0];
    }

    /** Rows counted into {@code which} (the sum of its cells). */
    public static long total(Map<Cell, long[]> which) {
      long t = 0;
      for (long[] c : which.values()) {
        t += c[0];
      }
      return t;
    }
  }

  private final Map<String, Map<String, String>> reference = new HashMap<>();

  /** {@code refMake[i] + refModel[i] -> refSegment[i]}: the segment reference (trimmed, upper case as the stage does). */
  public MarketBaseline(String[] refMake, String[] refModel, String[] refSegment) {
    for (int i = 0; i < refMake.length; i++) {
      String s = refSegment[i] == null ? null : refSegment[i].trim().toUpperCase(Locale.ROOT);
      reference.computeIfAbsent(refMake[i], k -> new HashMap<>()).putIfAbsent(refModel[i], s);
    }
  }

  /** The pass over rows [from, to). */
  public Counts count(Rows r, Window w, int from, int to) {
    Map<Cell, long[]> window = new HashMap<>();
    Map<Cell, long[]> windowMonths = new HashMap<>();
    Map<Cell, long[]> history = new HashMap<>();
    for (int i = from; i < to; i++) {
      String unit = r.unit[i];
      if (unit == null) {
        continue;
      }
      if (w.retailOnly() && isFleet(r.saleType[i])) {
        continue;
      }
      int day = r.day[i];
      if (day > w.asOf() && day > w.windowEnd()) {
        continue;
      }
      String segment = segment(r.segment[i], r.make[i], r.model[i]);
      String brand = r.make[i];
      int month = r.month[i];
      if (day <= w.asOf()) {
        add(history, new Cell(unit, segment, brand, month));
      }
      if (day >= w.windowStart() && day <= w.windowEnd()) {
        add(window, new Cell(unit, segment, brand, WINDOW));
        add(windowMonths, new Cell(unit, segment, brand, month));
      }
    }
    return new Counts(window, windowMonths, history);
  }

  public Counts count(Rows r, Window w) {
    return count(r, w, 0, r.size());
  }

  /** The record's own segment (trimmed, upper case) when not blank, else the reference's for make + model, else UNCLASSIFIED. */
  String segment(String own, String make, String model) {
    if (own != null) {
      String s = own.trim().toUpperCase(Locale.ROOT);
      if (!s.isEmpty()) {
        return s;
      }
    }
    Map<String, String> models = reference.get(make);
    String ref = models == null ? null : models.get(model);
    return ref == null ? UNCLASSIFIED : ref;
  }

  static boolean isFleet(String saleType) {
    return saleType != null && saleType.trim().equalsIgnoreCase("FLEET");
  }

  private static void add(Map<Cell, long[]> m, Cell c) {
    long[] n = m.get(c);
    if (n == null) {
      m.put(c, new long[] {1});
    } else {
      n[0]++;
    }
  }
}
