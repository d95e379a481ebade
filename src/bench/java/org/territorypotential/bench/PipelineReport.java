package org.territorypotential.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.territorypotential.config.ConfigError;

/**
 * The pipeline benchmark's figures and their arithmetic and markdown (no Spark): per scale and
 * stage the wall seconds, input rows per second per core, peak memory, shuffle bytes and the cost
 * relative to the smallest scale; beside them the per-core limits (JTS loop, plain-Java market pass).
 */
final class PipelineReport {
  private PipelineReport() {}

  static final String MARKER = "bench-pipeline";
  static final String START = start(MARKER);
  static final String END = end(MARKER);
  static final String TOTAL = "pipeline total";
  private static final double MIB = 1024.0 * 1024.0;

  /** One scale of the generated data: {@code registrations/geo-units/dealers/months}, e.g. "1_000_000/10_000/500/60". */
  record Scale(long registrations, int geoUnits, int dealers, int months) {
    static Scale parse(String spec) {
      String[] f = spec.trim().split("\\s*/\\s*");
      if (f.length != 4) {
        throw new ConfigError("configuration key 'tp.bench.pipeline.scales': '" + spec
            + "' must be registrations/geo-units/dealers/months, e.g. \"1_000_000/10_000/500/60\"");
      }
      long[] v = new long[4];
      for (int i = 0; i < 4; i++) {
        String digits = f[i].replace("_", "");
        if (!digits.matches("[0-9]{1,12}")) {
          throw new ConfigError("configuration key 'tp.bench.pipeline.scales': '" + spec + "': '" + f[i] + "' is not a whole number");
        }
        v[i] = Long.parseLong(digits);
      }
      if (v[0] < 1 || v[1] > Integer.MAX_VALUE || v[2] > Integer.MAX_VALUE || v[3] > Integer.MAX_VALUE) {
        throw new ConfigError("configuration key 'tp.bench.pipeline.scales': '" + spec + "' is out of range");
      }
      return new Scale(v[0], (int) v[1], (int) v[2], (int) v[3]);
    }

    /** Folder and database suffix: lower-case letters, digits and underscores. */
    String tag() {
      return "r" + registrations + "_u" + geoUnits + "_d" + dealers + "_m" + months;
    }

    String label() {
      return String.format(Locale.ROOT, "%,d regs, %,d units, %,d dealers, %d months", registrations, geoUnits, dealers, months);
    }
  }

  /**
   * One measured stage at one scale: {@code input} names what {@code rows} counts; {@code peakHeap}
   * and {@code peakRss} are bytes (-1 = not measured); {@code inTotal}: part of the pipeline total.
   */
  record StageFigure(String stage, String input, long rows, double seconds, long peakHeap, long peakRss, long shuffleBytes,
      boolean inTotal) {}

  /**
   * The per-core limits beside one scale's stages; NaN / -1 where a stage did not run. JTS: the
   * registrations' points located in the geo units; Java: the market group-and-sum pass.
   */
  record Baselines(long jtsPoints, long jtsLocated, double jtsSeconds, long javaRows, double javaSeconds) {
    static Baselines none() {
      return new Baselines(-1, -1, Double.NaN, -1, Double.NaN);
    }
  }

  /**
   * An incremental month at one scale: the stages at the month before the run date (the setup),
   * then at the run date incrementally (tp.incremental = true) and as a full rebuild (false), on the
   * same lakehouse; {@code reused} / {@code toLocate}: the incremental locate's records that kept the
   * previous month's result, of all it read.
   */
  record Incremental(List<StageFigure> previous, List<StageFigure> incremental, List<StageFigure> full, long reused,
      long toLocate) {}

  /** One scale's figures; {@code incremental} is null unless the run measured an incremental month. */
  record ScaleRun(Scale scale, List<StageFigure> stages, Baselines baselines, Incremental incremental) {
    ScaleRun(Scale scale, List<StageFigure> stages, Baselines baselines) {
      this(scale, stages, baselines, null);
    }

    StageFigure stage(String name) {
      return stages.stream().filter(s -> s.stage().equals(name)).findFirst().orElse(null);
    }
  }

  /**
   * The pipeline total of one scale: the sum of the seconds and shuffle bytes of the stages in the
   * total, the largest of their peaks, and as input the first of them's rows (ingest: every input row).
   */
  static StageFigure total(List<StageFigure> stages) {
    List<StageFigure> in = stages.stream().filter(StageFigure::inTotal).toList();
    if (in.isEmpty()) {
      throw new IllegalArgumentException("no stage in the total");
    }
    return new StageFigure(TOTAL, in.get(0).input(), in.get(0).rows(), in.stream().mapToDouble(StageFigure::seconds).sum(),
        in.stream().mapToLong(StageFigure::peakHeap).max().orElse(-1), in.stream().mapToLong(StageFigure::peakRss).max().orElse(-1),
        in.stream().mapToLong(StageFigure::shuffleBytes).sum(), false);
  }

  /** Rows per second per core; NaN when there is no time or no row count. */
  static double perCore(long rows, double seconds, int cores) {
    return rows < 0 || !(seconds > 0) || cores < 1 ? Double.NaN : rows / seconds / cores;
  }

  /** The run with the fewest registrations: the scale every ratio is taken against. */
  static ScaleRun smallest(List<ScaleRun> runs) {
    return runs.stream().min(Comparator.comparingLong(r -> r.scale().registrations())).orElseThrow();
  }

  /** {@code a / b}, NaN when either is missing or b is 0. */
  static double ratio(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) || b == 0 ? Double.NaN : a / b;
  }

  /** The cost of a stage per input row relative to the smallest scale's: 1.00x = linear growth. */
  static double perRowCostRatio(StageFigure s, StageFigure smallest) {
    if (s == null || smallest == null || s.rows() <= 0 || smallest.rows() <= 0) {
      return Double.NaN;
    }
    return ratio(s.seconds() / s.rows(), smallest.seconds() / smallest.rows());
  }

  /** The per-scale, per-stage table (generate first, then the stages, then the pipeline total). */
  static String stageTable(List<ScaleRun> runs, int cores) {
    ScaleRun small = smallest(runs);
    StringBuilder sb = new StringBuilder();
    sb.append("| scale | stage | input rows | seconds | rows/s/core | peak heap MiB | peak RSS MiB | shuffle write MiB "
        + "| time vs smallest | per-row cost vs smallest |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ScaleRun r : runs) {
      List<StageFigure> rows = new ArrayList<>(r.stages());
      rows.add(total(r.stages()));
      List<StageFigure> smallRows = new ArrayList<>(small.stages());
      smallRows.add(total(small.stages()));
      for (StageFigure s : rows) {
        StageFigure ref = smallRows.stream().filter(x -> x.stage().equals(s.stage())).findFirst().orElse(null);
        boolean isTotal = s.stage().equals(TOTAL);
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s (%s) | %,.1f | %s | %s | %s | %s | %s | %s |%n", r.scale().label(),
            isTotal ? "**" + TOTAL + "**" : s.stage(), count(s.rows()), s.input(), s.seconds(),
            num(perCore(s.rows(), s.seconds(), cores)), mib(s.peakHeap()), mib(s.peakRss()), mib(s.shuffleBytes()),
            times(ref == null ? Double.NaN : ratio(s.seconds(), ref.seconds())), times(perRowCostRatio(s, ref))));
      }
    }
    return sb.toString();
  }

  /** The per-core limits beside the Spark stages of each scale. */
  static String baselineTable(List<ScaleRun> runs, int cores) {
    StringBuilder sb = new StringBuilder();
    sb.append("| scale | JTS loop: points | JTS s (best) | JTS points/s (1 core) | locate stage rows/s/core "
        + "| locate stage per core vs JTS | Java market pass: rows | Java s (best) | Java rows/s (1 core) "
        + "| market stage rows/s/core | market stage time / Java pass time |\n");
    sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (ScaleRun r : runs) {
      Baselines b = r.baselines();
      StageFigure locate = r.stage("locate");
      StageFigure market = r.stage("market");
      double jts = perCore(b.jtsPoints(), b.jtsSeconds(), 1);
      double locateRate = locate == null ? Double.NaN : perCore(locate.rows(), locate.seconds(), cores);
      double java = perCore(b.javaRows(), b.javaSeconds(), 1);
      double marketRate = market == null ? Double.NaN : perCore(market.rows(), market.seconds(), cores);
      sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n", r.scale().label(),
          count(b.jtsPoints()), secs(b.jtsSeconds()), num(jts), num(locateRate), times(ratio(locateRate, jts)), count(b.javaRows()),
          secs(b.javaSeconds()), num(java), num(marketRate), times(market == null ? Double.NaN : ratio(market.seconds(), b.javaSeconds()))));
    }
    return sb.toString();
  }

  /**
   * Per scale and stage, the incremental month against the full rebuild of the same run date on the
   * same lakehouse (issue 8's target: the incremental run costs at most a quarter of the full one).
   */
  static String incrementalTable(List<ScaleRun> runs) {
    StringBuilder sb = new StringBuilder();
    sb.append("| scale | stage | previous month s (setup) | incremental s | full rebuild s | incremental / full |\n");
    sb.append("|---|---|---:|---:|---:|---:|\n");
    for (ScaleRun r : runs) {
      Incremental inc = r.incremental();
      if (inc == null) {
        continue;
      }
      List<StageFigure> full = new ArrayList<>(inc.full());
      full.add(total(inc.full()));
      for (StageFigure f : full) {
        boolean isTotal = f.stage().equals(TOTAL);
        double p = isTotal ? total(inc.previous()).seconds() : seconds(inc.previous(), f.stage());
        double i = isTotal ? total(inc.incremental()).seconds() : seconds(inc.incremental(), f.stage());
        sb.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %,.1f | %s |%n", r.scale().label(),
            isTotal ? "**" + TOTAL + "**" : f.stage(), Double.isNaN(p) ? "-" : String.format(Locale.ROOT, "%,.1f", p),
            Double.isNaN(i) ? "-" : String.format(Locale.ROOT, "%,.1f", i), f.seconds(), times(ratio(i, f.seconds()))));
      }
    }
    return sb.toString();
  }

  private static double seconds(List<StageFigure> stages, String stage) {
    return stages.stream().filter(s -> s.stage().equals(stage)).mapToDouble(StageFigure::seconds).findFirst().orElse(Double.NaN);
  }

  static String start(String marker) {
    return "<!-- " + marker + ":start -->";
  }

  static String end(String marker) {
    return "<!-- " + marker + ":end -->";
  }

  static String replaceMarked(String doc, String heading, String body) {
    return replaceMarked(doc, heading, body, MARKER);
  }

  /**
   * The document with the text between the marker's start and end comments set to {@code body};
   * when the markers are missing, a section {@code ## heading} holding them is added at the end.
   */
  static String replaceMarked(String doc, String heading, String body, String marker) {
    String startMark = start(marker);
    String endMark = end(marker);
    String block = startMark + "\n" + body.strip() + "\n" + endMark;
    int start = doc.indexOf(startMark);
    int end = start < 0 ? -1 : doc.indexOf(endMark, start);
    if (start < 0 || end < 0) {
      String base = doc.endsWith("\n") ? doc : doc + "\n";
      return base + "\n## " + heading + "\n\n" + block + "\n";
    }
    return doc.substring(0, start) + block + doc.substring(end + endMark.length());
  }

  static String count(long n) {
    return n < 0 ? "-" : String.format(Locale.ROOT, "%,d", n);
  }

  static String num(double v) {
    return Double.isNaN(v) ? "-" : LocateBench.rate(v);
  }

  static String secs(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.3f", v);
  }

  static String times(double v) {
    return Double.isNaN(v) || Double.isInfinite(v) ? "-" : LocateBench.ratio(v);
  }

  static String mib(long bytes) {
    return bytes < 0 ? "-" : String.format(Locale.ROOT, "%,.1f", bytes / MIB);
  }
}
