package org.territorypotential.cli;

import java.io.File;
import java.io.PrintStream;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.bench.LocateBench;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.dq.Gates;
import org.territorypotential.geo.LocateJob;
import org.territorypotential.forecast.Backtest;
import org.territorypotential.forecast.ForecastJob;
import org.territorypotential.forecast.Levels;
import org.territorypotential.ingest.IngestError;
import org.territorypotential.ingest.IngestJob;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.market.MarketJob;
import org.territorypotential.ops.JobRuns;
import org.territorypotential.ops.RunContext;
import org.territorypotential.ops.RunStats;
import org.territorypotential.score.ScoreJob;
import org.territorypotential.spark.Sessions;
import org.territorypotential.synth.GenerateJob;

/**
 * The launcher behind {@code jobs/tp}: parses arguments, builds the configuration and the
 * SparkSession, runs one job, and maps failures to exit codes with one line on stderr.
 * Exit codes: 0 success, 2 bad usage or configuration, 3 bad input data, 4 a blocking data-quality
 * check failed, 1 anything else.
 */
public final class Main {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  public static final int BAD_INPUT = 3;
  /** A blocking data-quality check (tp.dq.checks) failed after a stage: the downstream stages did not run. */
  public static final int DQ_FAILED = 4;

  static final String USAGE_TEXT = """
      usage: jobs/tp <command> [--as-of yyyy-MM-dd] [--conf FILE] [--set key=value ...]

      commands:
        generate   write a synthetic region (inputs in canonical form) to tp.generate.output
        ingest     read the inputs, validate them, write bronze tables and quarantine
        pipeline   run the stages in order (ingest, locate, market, forecast, score); --from/--to/--only select stages
        locate     locate dealers, registrations and sales in geo units (tp.locate.level) with
                   Sedona, quarantine impossible coordinates, derive dealer PMAs and territories
        market     market share, segment-adjusted expected registrations, effectiveness, bands,
                   pump-in / pump-out per dealer PMA (gold tables; docs/market.md)
        demo       generate + pipeline on the embedded default, then print where the tables are
        forecast   backtest the demand model against baselines, write demand_forecast and model_metrics,
                   print WAPE by horizon (tp.forecast.history: the market stage's monthly registrations;
                   conf/wa-ev.conf = the WA county history)
        score      territory potential scores (potential_scores) and sales goals (sales_goals) from the
                   forecast, the market tables and demographics; prints the top territories (docs/scores.md)
        sql QUERY  run one SQL query on the lakehouse's metastore and print up to 100 rows
        bench-locate  benchmark: points located per second by Sedona's joins vs a JTS STRtree
                   loop vs a naive cross join (tp.bench.*), written to docs/BENCHMARKS.md
        bench-pipeline  benchmark: generate + every stage at several scales (tp.bench.pipeline.*): seconds,
                   rows/s/core, peak memory, shuffle bytes, beside a JTS loop and a plain-Java market pass
                   (tp.bench.pipeline.incremental-month=true: an incremental month against a full rebuild)
        maintain   OPTIMIZE (ZORDER BY tp.maintenance.zorder) and VACUUM every table, retention
                   tp.maintenance.retention-hours; prints files and versions per table
        serve-sql  start the SQL endpoint (Spark Thrift Server, HiveServer2 protocol) for JDBC/ODBC
                   clients and BI tools on tp.serve.host:port until interrupted (docs/serving.md)
        hash-password USER  read a password on stdin, print the tp.serve.password-file line for USER
        help       this text

      options:
        --as-of, --run-date DATE   the run date the job computes (default: today, UTC)
        --conf FILE                a profile merged over conf/default.conf (e.g. conf/wa-ev.conf)
        --set key=value            override one configuration key (repeatable), e.g.
                                   --set tp.generate.registrations=1000000
        --from STAGE, --to STAGE   pipeline: first and last stage to run
        --only STAGE               pipeline: run this one stage
        --full                     rebuild instead of reusing the previous run's results (tp.incremental = false)
        --help                     this text

      exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 bad input data,
                  4 a blocking data-quality check (tp.dq.checks) failed; results in <ops>.dq_results
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
    } catch (Gates.GateFailed e) {
      err.println("tp: error: " + e.getMessage());
      return DQ_FAILED;
    } catch (RuntimeException e) {
      e.printStackTrace(err);
      err.println("tp: error: " + a.command + " failed: " + oneLine(e));
      return FAILED;
    }
  }

  /** One pipeline stage: runs its job for a run date, prints its summary, says what it read and wrote. */
  interface Stage {
    RunStats run(SparkSession spark, AppConfig cfg, RunContext run, PrintStream out);
  }

  /** The pipeline's stages in dependency order; each is also a command of its own. */
  static final Map<String, Stage> STAGES = new LinkedHashMap<>();

  static {
    STAGES.put("ingest", (spark, cfg, run, out) -> {
      IngestJob.Result r = IngestJob.run(spark, cfg, run);
      printIngest(out, r);
      RunStats stats = new RunStats();
      r.inputs().forEach(i -> stats.read(i.input(), i.read(), null));
      r.inputs().forEach(i -> stats.rowsWritten.put(i.input(), i.accepted()));
      stats.versionsWritten.putAll(r.versionsWritten());
      return stats;
    });
    STAGES.put("locate", (spark, cfg, run, out) -> {
      LocateJob.Result r = LocateJob.run(spark, cfg, run);
      printLocate(out, r);
      RunStats stats = new RunStats();
      r.inputs().forEach(i -> stats.read(i.input(), i.in(), null));
      r.inputs().forEach(i -> stats.rowsWritten.put(i.input() + "_located", i.located() + i.unlocated()));
      // incremental runs: how many of those kept the previous run's result (not located again)
      r.inputs().forEach(i -> stats.rowsRead.put(i.input() + "_reused", i.reused()));
      return stats;
    });
    STAGES.put("market", (spark, cfg, run, out) -> {
      MarketJob.Result r = MarketJob.run(spark, cfg, run);
      printMarket(out, r);
      RunStats stats = new RunStats();
      r.rowsRead().forEach((k, v) -> stats.read(k, v, r.versionsRead().get(k)));
      r.versionsRead().forEach(stats.versionsRead::putIfAbsent);
      r.rowsWritten().forEach((k, v) -> stats.wrote(k, v, r.versionsWritten().get(k)));
      return stats;
    });
    STAGES.put("forecast", (spark, cfg, run, out) -> {
      ForecastJob.Result r = ForecastJob.run(spark, cfg, run);
      printForecast(out, r);
      RunStats stats = new RunStats();
      r.versionsRead().forEach((k, v) -> stats.versionsRead.put(k, v));
      r.versionsWritten().forEach((k, v) -> stats.versionsWritten.put(k, v));
      stats.rowsWritten.put("demand_forecast", r.forecastRows());
      return stats;
    });
    STAGES.put("score", (spark, cfg, run, out) -> {
      ScoreJob.Result r = ScoreJob.run(spark, cfg, run, cfg.getInt("tp.score.print-territories"));
      printScore(out, r);
      RunStats stats = new RunStats();
      r.versionsRead().forEach((k, v) -> stats.versionsRead.put(k, v));
      r.rowsWritten().forEach((k, v) -> stats.wrote(k, v, r.versionsWritten().get(k)));
      return stats;
    });
  }

  private static int dispatch(Args a, AppConfig cfg, PrintStream out) {
    if (STAGES.containsKey(a.command)) {
      SparkSession spark = Sessions.create(cfg);
      tracked(spark, cfg, a, a.command, STAGES.get(a.command), out);
      return OK;
    }
    switch (a.command) {
      case "generate": {
        SparkSession spark = Sessions.create(cfg);
        tracked(spark, cfg, a, "generate", Main::generate, out);
        return OK;
      }
      case "pipeline": {
        SparkSession spark = Sessions.create(cfg);
        pipeline(spark, cfg, a, out);
        return OK;
      }
      case "demo": {
        SparkSession spark = Sessions.create(cfg);
        out.println("== generate");
        tracked(spark, cfg, a, "generate", Main::generate, out);
        pipeline(spark, cfg, a, out);
        Lake lake = new Lake(spark, cfg);
        out.println();
        out.println("Delta tables are under " + lake.root() + " (bronze/, silver/, gold/, ops/), registered in the metastore at "
            + lake.root() + "/metastore_db.");
        out.println("Query them, for example:");
        out.println("  jobs/tp sql \"SELECT source, reason, count(*) FROM "
            + lake.sqlName(Table.QUARANTINE) + " GROUP BY 1, 2\"");
        out.println("  jobs/tp sql \"SELECT dealer_id, brand, expected_registrations, actual_registrations,"
            + " registration_effectiveness, band FROM " + lake.sqlName(Table.DEALER_PERFORMANCE)
            + " ORDER BY registration_effectiveness\"");
        out.println("  jobs/tp sql \"SELECT territory_type, territory_id, potential_units, current_pace, opportunity_gap, score,"
            + " band FROM " + lake.sqlName(Table.POTENTIAL_SCORES) + " WHERE as_of = DATE'" + a.asOf
            + "' AND segment = 'ALL' ORDER BY opportunity_gap DESC LIMIT 10\"");
        out.println("  jobs/tp sql \"SELECT period, territory_id, potential_units, goal_units FROM "
            + lake.sqlName(Table.SALES_GOALS) + " WHERE as_of = DATE'" + a.asOf + "' ORDER BY goal_units DESC\"");
        out.println("  jobs/tp sql \"SELECT job, status, as_of, started_at, ended_at FROM "
            + lake.sqlName(Table.JOB_RUNS) + "_current ORDER BY started_at\"");
        out.println("Or serve them to JDBC/ODBC clients and BI tools (docs/serving.md), then query the latest run:");
        out.println("  jobs/tp serve-sql" + (a.conf == null ? "" : " --conf " + a.conf) + " &");
        out.println("  jobs/tp beeline -u jdbc:hive2://127.0.0.1:" + cfg.getInt("tp.serve.port") + "/default -e \"SELECT"
            + " territory_id, segment, opportunity_gap, score, band FROM " + lake.currentViewName(Table.POTENTIAL_SCORES)
            + " WHERE segment = 'ALL' ORDER BY opportunity_gap DESC LIMIT 10\"");
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
      case "bench-locate": {
        SparkSession spark = Sessions.create(cfg);
        LocateBench.Result r = LocateBench.run(spark, cfg, "jobs/tp " + String.join(" ", a.argv), out);
        if (!r.countsAgree()) {
          throw new IllegalStateException("bench-locate: Sedona and JTS located different numbers of points (see the checks)");
        }
        return OK;
      }
      case "bench-pipeline": {
        org.territorypotential.bench.PipelineBench.Result r =
            org.territorypotential.bench.PipelineBench.run(a.conf, a.overrides, a.asOf, a.argv, out);
        if (!r.checksAgree()) {
          throw new IllegalStateException("bench-pipeline: the plain-Java market pass and the market stage counted differently"
              + " (see the checks)");
        }
        return OK;
      }
      case "maintain": {
        org.territorypotential.lake.Maintenance.retentionHours(cfg);
        SparkSession spark = Sessions.create(cfg);
        out.println("maintain: OPTIMIZE and VACUUM of every existing table");
        org.territorypotential.lake.Maintenance.run(spark, cfg, List.of(Table.values()), out);
        return OK;
      }
      case "serve-sql":
        return serveSql(cfg, out);
      case "hash-password": {
        if (a.positional.isEmpty()) {
          throw new ConfigError("hash-password needs a user name, e.g. jobs/tp hash-password analyst < password.txt");
        }
        java.io.Console console = System.console();
        char[] pw = console != null ? console.readPassword("password for %s: ", a.positional.get(0))
            : new java.util.Scanner(System.in, java.nio.charset.StandardCharsets.UTF_8).nextLine().toCharArray();
        if (pw == null || pw.length == 0) {
          throw new ConfigError("hash-password: empty password");
        }
        out.println(org.territorypotential.serve.PasswordFile.line(a.positional.get(0), pw,
            org.territorypotential.serve.PasswordFile.DEFAULT_ITERATIONS));
        return OK;
      }
      default:
        throw new ConfigError("unknown command '" + a.command + "' (see jobs/tp --help)");
    }
  }

  /** serve-sql: settings are checked before Spark starts; runs until the JVM is interrupted. */
  private static int serveSql(AppConfig cfg, PrintStream out) {
    org.territorypotential.serve.SqlServer.Settings s = org.territorypotential.serve.SqlServer.settings(cfg);
    SparkSession spark = Sessions.create(cfg);
    Lake lake = new Lake(spark, cfg);
    var server = org.territorypotential.serve.SqlServer.start(spark, s);
    java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.stop();
      stopped.countDown();
    }));
    out.println("serve-sql: Spark Thrift Server (HiveServer2 protocol) listening on " + s.host() + ":" + s.port()
        + ", authentication " + s.auth());
    out.println("  JDBC URL: " + s.jdbcUrl() + "   (driver org.apache.hive.jdbc.HiveDriver; docs/serving.md)");
    out.println("  example:  jobs/tp beeline -u " + s.jdbcUrl() + " -e \"SELECT territory_id, segment, opportunity_gap,"
        + " score, band FROM " + lake.currentViewName(Table.POTENTIAL_SCORES) + " WHERE segment = 'ALL' ORDER BY"
        + " opportunity_gap DESC LIMIT 10\"");
    if (cfg.getString("tp.metastore.uri").isEmpty()) {
      out.println("  note: the embedded Derby metastore admits one process: stop this server before running jobs"
          + " (or use an external metastore, conf/cluster.conf.example)");
    }
    out.println("  Ctrl-C stops it.");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return OK;
  }

  private static RunStats generate(SparkSession spark, AppConfig cfg, RunContext run, PrintStream out) {
    GenerateJob.Summary s = GenerateJob.run(spark, cfg, run);
    printGenerate(out, s);
    RunStats stats = new RunStats();
    s.rowsPerInput().forEach((k, v) -> stats.rowsWritten.put(k, v));
    return stats;
  }

  /** Runs the selected stages in order; the first failure stops the rest. */
  static void pipeline(SparkSession spark, AppConfig cfg, Args a, PrintStream out) {
    List<String> names = selectStages(a);
    for (String name : names) {
      out.println("== " + name);
      tracked(spark, cfg, a, name, STAGES.get(name), out);
    }
  }

  static List<String> selectStages(Args a) {
    List<String> all = new ArrayList<>(STAGES.keySet());
    for (String s : new String[] {a.only, a.from, a.to}) {
      if (s != null && !STAGES.containsKey(s)) {
        throw new ConfigError("unknown stage '" + s + "'; stages are " + all);
      }
    }
    if (a.only != null) {
      return List.of(a.only);
    }
    int from = a.from == null ? 0 : all.indexOf(a.from);
    int to = a.to == null ? all.size() - 1 : all.indexOf(a.to);
    if (from > to) {
      throw new ConfigError("--from " + a.from + " comes after --to " + a.to + " (order: " + all + ")");
    }
    return all.subList(from, to + 1);
  }

  /**
   * Runs one job with its run recorded in job_runs: a "running" row first, then "succeeded" or
   * "failed" with the one-line error. Progress: one line per stage with its seconds.
   */
  static void tracked(SparkSession spark, AppConfig cfg, Args a, String job, Stage stage, PrintStream out) {
    Lake lake = new Lake(spark, cfg);
    RunContext run = RunContext.start(job, a.asOf);
    String parameters = parameters(a, cfg);
    JobRuns.started(lake, run, parameters);
    long t0 = System.nanoTime();
    RunStats stats;
    try {
      stats = stage.run(spark, cfg, run, out);
      Gates.run(lake, cfg, run, job, out);
    } catch (RuntimeException e) {
      try {
        JobRuns.finished(lake, run, parameters, new RunStats(), oneLine(e));
      } catch (RuntimeException logFailure) {
        e.addSuppressed(logFailure);
      }
      throw e;
    }
    JobRuns.finished(lake, run, parameters, stats, null);
    out.printf("%s %s succeeded in %.1f s (run %s)%n", job, a.asOf, (System.nanoTime() - t0) / 1e9, run.runId());
  }

  private static String parameters(Args a, AppConfig cfg) {
    return "{\"argv\":" + jsonArray(a.argv) + ",\"tp\":" + cfg.render("tp") + "}";
  }

  private static String jsonArray(List<String> xs) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < xs.size(); i++) {
      sb.append(i == 0 ? "" : ",").append('"').append(xs.get(i).replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return sb.append(']').toString();
  }

  static void printGenerate(PrintStream out, GenerateJob.Summary s) {
    out.println("generated into " + s.outputDir() + ":");
    s.rowsPerInput().forEach((k, v) -> out.printf("  %-14s %,12d rows%n", k, v));
  }

  static void printForecast(PrintStream out, ForecastJob.Result r) {
    out.printf("forecast run %s (%s): model %s (%s), origin %s, history partition %s, %,d rows in demand_forecast, %d s%n",
        r.runId(), r.scope(), r.modelVersion(), r.modelReused() ? "reused" : "trained", r.origin(), r.historyAsOf(), r.forecastRows(),
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

  static void printScore(PrintStream out, ScoreJob.Result r) {
    out.printf("score run %s for %s (forecast model %s)%n", r.runId(), r.brand(), r.modelVersion());
    r.rowsWritten().forEach((k, v) -> out.printf("  %-40s %,12d rows%n", k, v));
    out.println("  top " + r.top().size() + " territories by opportunity (all segments; opportunity = potential - current pace):");
    out.printf("    %-11s %-16s %10s %10s %12s %6s  %s%n", "type", "territory", "potential", "pace", "opportunity", "score",
        "band");
    for (ScoreJob.Line l : r.top()) {
      out.printf("    %-11s %-16s %10.1f %10.1f %12.1f %6s  %s%n", l.type(), l.territoryId(), l.potential(), l.pace(), l.gap(),
          l.score() == null ? "-" : String.format("%.1f", l.score()), l.band());
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

  static void printMarket(PrintStream out, MarketJob.Result r) {
    out.printf("market run %s, window %s .. %s%n", r.runId(), r.windowStart(), r.windowEnd());
    r.rowsWritten().forEach((k, v) -> out.printf("  %-40s %,12d rows%n", k, v));
    printDealers(out, "weakest dealers (registration effectiveness)", r.weakest());
    printDealers(out, "strongest dealers (registration effectiveness)", r.strongest());
  }

  private static void printDealers(PrintStream out, String title, List<MarketJob.DealerLine> lines) {
    out.println("  " + title + ":");
    out.printf("    %-14s %-12s %8s %10s %8s  %s%n", "dealer", "brand", "RE", "expected", "actual", "band");
    for (MarketJob.DealerLine l : lines) {
      out.printf("    %-14s %-12s %8.1f %10.1f %8d  %s%n", l.dealerId(), l.brand(), l.effectiveness(), l.expected(), l.actual(),
          l.band());
    }
  }

  static void printLocate(PrintStream out, LocateJob.Result r) {
    out.printf("locate run %s at level '%s': %,d geo units (%,d at that level, %,d repaired)%n", r.runId(), r.level(),
        r.geoUnits(), r.unitsAtLevel(), r.repairedUnits());
    out.println("  " + r.incremental());
    out.printf("  %-16s %12s %12s %12s %12s %12s%n", "input", "in", "located", "unlocated", "quarantined", "reused");
    for (LocateJob.InputCounts c : r.inputs()) {
      out.printf("  %-16s %,12d %,12d %,12d %,12d %,12d%n", c.input(), c.in(), c.located(), c.unlocated(), c.quarantined(),
          c.reused());
    }
    out.printf("  territories: %,d PMA rows (%,d multiple dealer areas), %,d configured rows%n", r.pmaRows(),
        r.multipleDealerAreas(), r.configuredRows());
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
    String from;
    String to;
    String only;
    List<String> positional = new ArrayList<>();
    List<String> argv = List.of();

    static Args parse(String[] argv) {
      Args a = new Args();
      a.argv = List.of(argv);
      boolean commandSeen = false;
      for (int i = 0; i < argv.length; i++) {
        String s = argv[i];
        switch (s) {
          case "--help", "-h" -> a.help = true;
          case "--as-of", "--run-date" -> a.asOf = date(s, value(argv, ++i, s));
          case "--conf" -> a.conf = new File(value(argv, ++i, s));
          case "--from" -> a.from = value(argv, ++i, s);
          case "--to" -> a.to = value(argv, ++i, s);
          case "--only" -> a.only = value(argv, ++i, s);
          case "--full" -> a.overrides.put("tp.incremental", "false");
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
            } else if ((a.command.equals("sql") || a.command.equals("hash-password")) && a.positional.isEmpty()) {
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
