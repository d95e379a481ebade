package org.territorypotential.cli;

import java.io.File;
import java.io.PrintStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.forecast.Backtest;
import org.territorypotential.forecast.ForecastJob;
import org.territorypotential.forecast.Levels;
import org.territorypotential.ingest.IngestError;
import org.territorypotential.ingest.IngestJob;
import org.territorypotential.lake.Lake;
import org.territorypotential.ops.RunContext;
import org.territorypotential.spark.Sessions;
import org.territorypotential.synth.GenerateJob;

/**
 * The launcher behind {@code jobs/tp}: parses arguments, builds the configuration and the
 * SparkSession, runs one job, and maps failures to exit codes with one line on stderr.
 * Exit codes: 0 success, 2 bad usage or configuration, 3 bad input data, 1 anything else.
 */
public final class Main {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int BAD_INPUT = 3;

  static final String USAGE_TEXT = """
      usage: jobs/tp <command> [--as-of yyyy-MM-dd] [--conf FILE] [--set key=value ...]

      commands:
        generate   write a synthetic region (inputs in canonical form) to tp.generate.output
        ingest     read the inputs, validate them, write bronze tables and quarantine
        demo       generate + ingest on the embedded default, then print where the tables are
        forecast   backtest the demand model against baselines, write demand_forecast and model_metrics,
                   print WAPE by horizon (tp.forecast.history; conf/wa-ev.conf = the WA county history)
        sql QUERY  run one SQL query on the lakehouse's metastore and print up to 100 rows
        help       this text

      options:
        --as-of, --run-date DATE   the run date the job computes (default: today, UTC)
        --conf FILE                a profile merged over conf/default.conf (e.g. conf/wa-ev.conf)
        --set key=value            override one configuration key (repeatable), e.g.
                                   --set tp.generate.registrations=1000000
        --help                     this text

      exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 bad input data
      """;

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs one command; returns the exit code (never calls System.exit, so tests can call it). */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    Args a;
    try {
      a = Args.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("tp: error: " + e.getMessage() + " (see jobs/tp --help)");
      return USAGE;
    }
    if (a.help || a.command.equals("help")) {
      out.print(USAGE_TEXT);
      return OK;
    }
    try {
      AppConfig cfg = AppConfig.load(a.conf, a.overrides);
      return dispatch(a, cfg, out);
    } catch (ConfigError e) {
      err.println("tp: error: " + e.getMessage());
      return USAGE;
    } catch (IngestError e) {
      err.println("tp: error: " + e.getMessage());
      return BAD_INPUT;
    } catch (RuntimeException e) {
      e.printStackTrace(err);
      err.println("tp: error: " + a.command + " failed: " + oneLine(e));
      return FAILED;
    }
  }

  private static int dispatch(Args a, AppConfig cfg, PrintStream out) {
    switch (a.command) {
      case "generate": {
        SparkSession spark = Sessions.create(cfg);
        printGenerate(out, GenerateJob.run(spark, cfg, RunContext.start("generate", a.asOf)));
        return OK;
      }
      case "ingest": {
        SparkSession spark = Sessions.create(cfg);
        printIngest(out, IngestJob.run(spark, cfg, RunContext.start("ingest", a.asOf)));
        return OK;
      }
      case "demo": {
        SparkSession spark = Sessions.create(cfg);
        out.println("== generate");
        printGenerate(out, GenerateJob.run(spark, cfg, RunContext.start("generate", a.asOf)));
        out.println("== ingest");
        printIngest(out, IngestJob.run(spark, cfg, RunContext.start("ingest", a.asOf)));
        Lake lake = new Lake(spark, cfg);
        out.println();
        out.println("Delta tables are under " + lake.root() + " (bronze/, ops/), registered in the metastore at "
            + lake.root() + "/metastore_db.");
        out.println("Query them, for example:");
        out.println("  jobs/tp sql \"SELECT source, reason, count(*) FROM "
            + lake.sqlName(org.territorypotential.lake.Table.QUARANTINE) + " GROUP BY 1, 2\"");
        return OK;
      }
      case "forecast": {
        SparkSession spark = Sessions.create(cfg);
        printForecast(out, ForecastJob.run(spark, cfg, RunContext.start("forecast", a.asOf)));
        return OK;
      }
      case "sql": {
        if (a.positional.isEmpty()) {
          throw new ConfigError("sql needs a query, e.g. jobs/tp sql \"SHOW TABLES IN tp_bronze\"");
        }
        SparkSession spark = Sessions.create(cfg);
        spark.sql(a.positional.get(0)).show(100, false);
        return OK;
      }
      default:
        throw new ConfigError("unknown command '" + a.command + "' (see jobs/tp --help)");
    }
  }

  static void printGenerate(PrintStream out, GenerateJob.Summary s) {
    out.println("generated into " + s.outputDir() + ":");
    s.rowsPerInput().forEach((k, v) -> out.printf("  %-14s %,12d rows%n", k, v));
  }

  static void printForecast(PrintStream out, ForecastJob.Result r) {
    out.printf("forecast run %s: model %s (%s), origin %s, history partition %s, %,d rows in demand_forecast, %d s%n",
        r.runId(), r.modelVersion(), r.modelReused() ? "reused" : "trained", r.origin(), r.historyAsOf(), r.forecastRows(),
        r.seconds());
    r.wapeByLevelAndHorizon().forEach((level, table) -> {
      out.println();
      out.println("backtest WAPE by horizon, level " + level + (level.equals(Levels.UNIT) ? " (the guard compares these)" : ""));
      out.print(Backtest.formatTable(table, r.overallByLevel().get(level)));
    });
    double model = r.overallWape().get(Backtest.MODEL);
    double best = r.overallWape().get(r.bestBaseline());
    out.println();
    if (model <= best) {
      out.printf("model beats the best baseline (%s) by %.1f WAPE points (%.1f%% vs %.1f%%); published: %s%n",
          r.bestBaseline(), 100 * (best - model), 100 * model, 100 * best, r.publishedMethod());
    } else {
      out.printf("WARNING: the model is WORSE than the best baseline (%s) by %.1f WAPE points (%.1f%% vs %.1f%%); published: %s%n",
          r.bestBaseline(), 100 * (model - best), 100 * model, 100 * best, r.publishedMethod());
    }
  }

  static void printIngest(PrintStream out, IngestJob.Result r) {
    out.printf("ingest run %s%n", r.runId());
    out.printf("  %-16s %12s %12s %12s %12s  %s%n", "input", "read", "accepted", "quarantined", "excluded", "commonest reasons");
    for (IngestJob.InputCounts c : r.inputs()) {
      out.printf("  %-16s %,12d %,12d %,12d %,12d  %s%n", c.input(), c.read(), c.accepted(), c.quarantined(), c.excluded(),
          c.topReasons().isEmpty() ? "" : c.topReasons());
    }
    if (r.registrations() > 0) {
      out.printf("  segment coverage: %,d of %,d registrations (%.2f%%) have a make + model in the segment reference%s%n",
          r.registrations() - r.unmappedRegistrations(), r.registrations(),
          100.0 * (r.registrations() - r.unmappedRegistrations()) / r.registrations(),
          r.unmappedRegistrations() == 0 ? "" : "; unmapped (kept, unclassified): " + r.topUnmapped());
    }
  }

  private static String oneLine(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (root != e && root.getMessage() != null) {
      m = m + " (cause: " + root.getMessage() + ")";
    }
    return m.replace('\n', ' ');
  }

  /** Parsed command line. */
  static final class Args {
    String command = "help";
    LocalDate asOf = LocalDate.now(java.time.ZoneOffset.UTC);
    File conf;
    Map<String, String> overrides = new LinkedHashMap<>();
    boolean help;
    java.util.List<String> positional = new java.util.ArrayList<>();

    static Args parse(String[] argv) {
      Args a = new Args();
      boolean commandSeen = false;
      for (int i = 0; i < argv.length; i++) {
        String s = argv[i];
        switch (s) {
          case "--help", "-h" -> a.help = true;
          case "--as-of", "--run-date" -> a.asOf = date(s, value(argv, ++i, s));
          case "--conf" -> a.conf = new File(value(argv, ++i, s));
          case "--set" -> {
            String kv = value(argv, ++i, s);
            int eq = kv.indexOf('=');
            if (eq <= 0) {
              throw new IllegalArgumentException("--set needs key=value, got '" + kv + "'");
            }
            a.overrides.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
          }
          default -> {
            if (s.startsWith("-")) {
              throw new IllegalArgumentException("unknown option " + s);
            }
            if (!commandSeen) {
              a.command = s;
              commandSeen = true;
            } else if (a.command.equals("sql") && a.positional.isEmpty()) {
              a.positional.add(s);
            } else {
              throw new IllegalArgumentException("unexpected argument '" + s + "'");
            }
          }
        }
      }
      return a;
    }

    private static String value(String[] argv, int i, String opt) {
      if (i >= argv.length || argv[i].startsWith("--")) {
        throw new IllegalArgumentException(opt + " needs a value");
      }
      return argv[i];
    }

    private static LocalDate date(String opt, String v) {
      try {
        return LocalDate.parse(v);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(opt + " must be a date like 2024-06-30, got '" + v + "'");
      }
    }
  }
}
