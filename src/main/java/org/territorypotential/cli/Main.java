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
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.dq.Gates;
import org.territorypotential.ingest.IngestError;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.MissingInput;
import org.territorypotential.ops.Stage;
import org.territorypotential.pipeline.Runner;
import org.territorypotential.pipeline.Stages;
import org.territorypotential.lake.Table;
import org.territorypotential.spark.Sessions;

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

  public static final String USAGE_TEXT = usage("""
      usage: jobs/tp <command> [--as-of yyyy-MM-dd] [--conf FILE] [--set key=value ...]

      commands:
        pipeline   run the stages in order (%s); --from/--to/--only select stages
        demo       generate + pipeline on the local default, then print where the tables are
      %s  sql QUERY  run one SQL query on the lakehouse's metastore and print up to 100 rows
        bench-locate  benchmark: points located per second by Sedona's joins vs a JTS STRtree
                   loop vs a naive cross join (tp.bench.*), written to docs/BENCHMARKS.md
        bench-pipeline  benchmark: generate + every stage at several scales (tp.bench.pipeline.*): seconds,
                   rows/s/core, peak memory, shuffle bytes, beside a JTS loop and a plain-Java market pass
                   (tp.bench.pipeline.incremental-month=true: an incremental month against a full rebuild)
        bench-design  benchmark: territory design on grids of units (tp.bench.design.*): seconds, balance,
                   Polsby-Popper and contiguity against the current territories and plain k-means
        bench-serve  benchmark: serve-sql under load on an existing lakehouse (tp.bench.serve.*): N JDBC
                   clients run the README's query M times, optionally beside a job; p50/p95/p99/max, errors
        maintain   OPTIMIZE (ZORDER BY tp.maintenance.zorder) and VACUUM every table, retention
                   tp.maintenance.retention-hours; prints files and versions per table
        serve-sql  start the SQL endpoint (Spark Thrift Server, HiveServer2 protocol) for JDBC/ODBC
                   clients and BI tools on tp.serve.host:port until interrupted (docs/serving.md)
        hash-password USER  read a password on stdin, print the tp.serve.password-file line for USER
        metastore status|stop  the local lakehouse's shared metastore service, which the first command
                   starts and which stops itself after tp.metastore.idle-seconds without a client
                   (docs/metastore.md)
        metastore init-schema --jdbc-url URL --user USER  create an external Hive metastore's schema on
                   an empty database (e.g. PostgreSQL; password in $TP_METASTORE_PASSWORD)
        help       this text

      options:
        --as-of, --run-date DATE   the run date the job computes (default: today, UTC)
        --conf FILE                a profile merged over conf/default.conf (e.g. conf/wa-ev.conf)
        --set key=value            override one configuration key (repeatable), e.g.
                                   --set tp.generate.registrations=1000000
        --from STAGE, --to STAGE   pipeline: first and last stage to run
        --only STAGE               pipeline: run this one stage
        --full                     rebuild instead of reusing the previous run's results (tp.incremental = false)
        --allow-shrink             ingest: accept an input that shrank by more than tp.ingest.max-shrink
        --help                     this text

      exit codes: 0 success, 1 failure, 2 bad usage or configuration, 3 bad input data,
                  4 a blocking data-quality check (tp.dq.checks) failed, results in <ops>.dq_results,
                    or ingest held back an empty or shrunken input (nothing written)
      """);

  /** The help text, with the stage commands and their order from the registry ({@link Stages}). */
  private static String usage(String template) {
    StringBuilder stages = new StringBuilder();
    List<Stage> all = new ArrayList<>(List.of(Stages.GENERATE));
    all.addAll(Stages.PIPELINE);
    for (Stage st : all) {
      stages.append(wrap(String.format("  %-10s %s", st.name(), st.description()), "             ")).append('\n');
    }
    return String.format(template, String.join(", ", Stages.names()), stages);
  }

  /** Lines of at most 100 characters, continuation lines indented. */
  private static String wrap(String text, String indent) {
    StringBuilder out = new StringBuilder();
    StringBuilder line = new StringBuilder();
    for (String word : text.split(" (?=\\S)")) {
      if (line.length() + word.length() + 1 > 100 && line.length() > 0) {
        out.append(line).append('\n');
        line = new StringBuilder(indent);
      } else if (line.length() > 0 && !line.toString().equals(indent)) {
        line.append(' ');
      }
      line.append(word);
    }
    return out.append(line).toString();
  }

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
    } catch (IngestError | MissingInput e) {
      err.println("tp: error: " + e.getMessage());
      return BAD_INPUT;
    } catch (Gates.GateFailed e) {
      err.println("tp: error: " + e.getMessage());
      return DQ_FAILED;
    } catch (org.territorypotential.spark.MetastoreInUse | org.territorypotential.spark.MetastoreUnavailable e) {
      err.println("tp: error: " + e.getMessage());
      return FAILED;
    } catch (Exception e) {
      // Exception, not only RuntimeException: Spark's AnalysisException is a checked exception thrown from
      // Scala code, and escaped here without the one-line error
      e.printStackTrace(err);
      err.println("tp: error: " + a.command + " failed: " + oneLine(e));
      return FAILED;
    }
  }

  private static int dispatch(Args a, AppConfig cfg, PrintStream out) {
    java.util.Optional<Stage> stage = Stages.find(a.command);
    if (stage.isPresent()) {
      Runner.validate(cfg, a.asOf, List.of(stage.get()));
      SparkSession spark = Sessions.create(cfg);
      Runner.tracked(spark, cfg, a.asOf, parameters(a, cfg), stage.get(), out);
      return OK;
    }
    switch (a.command) {
      case "pipeline": {
        List<Stage> stages = Stages.select(a.only, a.from, a.to);
        Runner.validate(cfg, a.asOf, stages);
        SparkSession spark = Sessions.create(cfg);
        Runner.pipeline(spark, cfg, a.asOf, parameters(a, cfg), stages, out);
        return OK;
      }
      case "demo": {
        Runner.validate(cfg, a.asOf, Stages.PIPELINE);
        Stages.GENERATE.validate(cfg, a.asOf);
        SparkSession spark = Sessions.create(cfg);
        out.println("== generate");
        Runner.tracked(spark, cfg, a.asOf, parameters(a, cfg), Stages.GENERATE, out);
        Runner.pipeline(spark, cfg, a.asOf, parameters(a, cfg), Stages.PIPELINE, out);
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
      case "bench-locate", "bench-pipeline", "bench-design", "bench-serve":
        return bench(a, cfg, out);
      case "maintain": {
        org.territorypotential.lake.Maintenance.retentionHours(cfg);
        SparkSession spark = Sessions.create(cfg);
        out.println("maintain: OPTIMIZE and VACUUM of every existing table");
        org.territorypotential.lake.Maintenance.run(spark, cfg, List.of(Table.values()), out);
        return OK;
      }
      case "serve-sql":
        return serveSql(cfg, out);
      case "metastore":
        return metastore(a, cfg, out);
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

  /**
   * The benchmarks are not in the application jar (their own source set, src/bench/java): found by
   * name on the classpath that jobs/tp builds from a source checkout.
   */
  private static int bench(Args a, AppConfig cfg, PrintStream out) {
    Class<?> c;
    try {
      c = Class.forName("org.territorypotential.bench.BenchCommands");
    } catch (ClassNotFoundException e) {
      throw new ConfigError(a.command + " is a benchmark, and benchmark code is not in the application jar: run it with"
          + " jobs/tp from a source checkout (it adds target/test-classes, built by mvn package)");
    }
    try {
      c.getMethod("run", String.class, AppConfig.class, File.class, Map.class, LocalDate.class, List.class, PrintStream.class)
          .invoke(null, a.command, cfg, a.conf, a.overrides, a.asOf, a.argv, out);
    } catch (java.lang.reflect.InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("bench: " + e.getMessage(), e);
    }
    return OK;
  }

  /** serve-sql: settings are checked before Spark starts; runs until the JVM is interrupted. */
  private static int serveSql(AppConfig cfg, PrintStream out) {
    org.territorypotential.serve.SqlServer.Settings s = org.territorypotential.serve.SqlServer.settings(cfg);
    SparkSession spark = Sessions.create(cfg);
    Lake lake = new Lake(spark, cfg);
    long t0 = System.nanoTime();
    int warmed = org.territorypotential.serve.SqlServer.warm(spark, lake);
    out.printf("serve-sql: %d _current views resolved in %.1f s (the metastore opened, Delta snapshots loaded before the"
        + " first client)%n", warmed, (System.nanoTime() - t0) / 1e9);
    org.territorypotential.serve.CurrentViewCache cache = null;
    if (s.cache()) {
      cache = new org.territorypotential.serve.CurrentViewCache(spark, lake,
          org.territorypotential.serve.CurrentViewCache.tables(s.cacheExclude()), out);
      // the first refresh caches every view, on the cache's thread: the server listens meanwhile, and
      // a query before its view is cached reads Delta, as without the cache
      cache.start(s.cacheRefreshSeconds());
    }
    var server = org.territorypotential.serve.SqlServer.start(spark, s);
    java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
    // SIGTERM and Ctrl-C are a normal stop: handled here, so the server stops, run returns OK and the
    // JVM exits 0 (in a shutdown hook, the exit status would be the signal's, 143 or 130). sun.misc.Signal
    // (module jdk.unsupported) is the JDK's only way to handle a signal; javac warns about it.
    for (String signal : List.of("TERM", "INT")) {
      sun.misc.Signal.handle(new sun.misc.Signal(signal), sig -> stopped.countDown());
    }
    out.println("serve-sql: Spark Thrift Server (HiveServer2 protocol) listening on " + s.host() + ":" + s.port()
        + ", authentication " + s.auth());
    out.println("  JDBC URL: " + s.jdbcUrl() + "   (driver org.apache.hive.jdbc.HiveDriver; docs/serving.md)");
    // read back from the conf each JDBC session copies (SqlServer.shareMetastore), not from our settings
    String sessionsMetastore = server.getHiveConf().get("hive.metastore.uris", "");
    out.println("  metastore of the JDBC sessions: "
        + (sessionsMetastore.isEmpty() ? "embedded in this process" : sessionsMetastore));
    out.println("  example:  jobs/tp beeline -u " + s.jdbcUrl() + " -e \"SELECT territory_id, segment, opportunity_gap,"
        + " score, band FROM " + lake.currentViewName(Table.POTENTIAL_SCORES) + " WHERE segment = 'ALL' ORDER BY"
        + " opportunity_gap DESC LIMIT 10\"");
    if (cfg.getString("tp.metastore.uri").isEmpty() && cfg.getString("tp.metastore.local").equals("embedded")) {
      out.println("  note: the embedded Derby metastore admits one process: stop this server before running jobs"
          + " (or use tp.metastore.local = shared, the default; docs/metastore.md)");
    }
    out.println("  failed queries: one line here, their stack traces in " + System.getProperty("tp.serve.trace-file",
        new File(System.getProperty("java.io.tmpdir"), "tp-serve-sql-failed-queries.log").getPath())
        + " (log4j2.properties: failedQueryTrace)");
    out.println("  Ctrl-C stops it.");
    out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (cache != null) {
      cache.close(); // first: a refresh under way is cancelled, not waited for
    }
    server.stop();
    out.println("serve-sql: stopped");
    out.flush();
    return OK;
  }

  /**
   * metastore status|stop: the local lakehouse's shared metastore service (spark.LocalMetastore);
   * metastore init-schema: an external metastore's schema (spark.MetastoreSchema).
   */
  private static int metastore(Args a, AppConfig cfg, PrintStream out) {
    String what = a.positional.isEmpty() ? "status" : a.positional.get(0);
    if (what.equals("init-schema")) {
      if (a.jdbcUrl == null || a.user == null) {
        throw new ConfigError("metastore init-schema needs --jdbc-url and --user, e.g. --jdbc-url"
            + " jdbc:postgresql://pg-host:5432/metastore --user hive (password in $TP_METASTORE_PASSWORD)");
      }
      String pw = System.getenv().getOrDefault("TP_METASTORE_PASSWORD", "");
      var c = org.territorypotential.spark.MetastoreSchema.create(a.jdbcUrl, a.user, pw);
      out.println("metastore: schema of " + c.classes() + " metastore classes on " + a.jdbcUrl + ", version " + c.version()
          + (c.recorded() ? " (recorded)" : " (found)"));
      return OK;
    }
    String lakehouse = cfg.getString("tp.lakehouse");
    if (lakehouse.contains("://")) {
      throw new ConfigError("metastore: tp.lakehouse " + lakehouse + " is remote; its metastore is tp.metastore.uri's");
    }
    File lake = new File(lakehouse).getAbsoluteFile();
    switch (what) {
      case "status" -> {
        var r = org.territorypotential.spark.LocalMetastore.find(lake);
        out.println(r.isPresent()
            ? "metastore: running for " + lake + " on " + r.get().uri() + " (pid " + r.get().pid() + ")"
            : "metastore: not running for " + lake);
      }
      case "stop" -> out.println(org.territorypotential.spark.LocalMetastore.stop(lake, 30_000)
          ? "metastore: stopped for " + lake : "metastore: not running for " + lake);
      default -> throw new ConfigError("metastore needs status, stop or init-schema, got '" + what + "'");
    }
    return OK;
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

  private static String oneLine(Throwable e) {
    return Runner.oneLine(e);
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
    String jdbcUrl;
    String user;
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
          case "--jdbc-url", "--user" -> {
            if (!a.command.equals("metastore")) {
              throw new IllegalArgumentException(s + " is an option of metastore init-schema");
            }
            if (s.equals("--user")) {
              a.user = value(argv, ++i, s);
            } else {
              a.jdbcUrl = value(argv, ++i, s);
            }
          }
          case "--full" -> a.overrides.put("tp.incremental", "false");
          case "--allow-shrink" -> a.overrides.put("tp.ingest.allow-shrink", "true");
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
            } else if ((a.command.equals("sql") || a.command.equals("hash-password") || a.command.equals("metastore"))
                && a.positional.isEmpty()) {
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
