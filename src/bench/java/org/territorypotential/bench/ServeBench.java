package org.territorypotential.bench;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.territorypotential.config.AppConfig;
import org.territorypotential.config.ConfigError;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.pipeline.Stages;

/**
 * The SQL endpoint's load benchmark (jobs/tp bench-serve, issue 22; docs/BENCHMARKS.md): on an existing
 * lakehouse, serve-sql in a process of its own (or an already running one, tp.bench.serve.url),
 * tp.bench.serve.clients Hive JDBC clients over loopback, each running every query of
 * tp.bench.serve.queries tp.bench.serve.repeats times, optionally while a jobs/tp command
 * (tp.bench.serve.during, e.g. score) rewrites the same tables in a third process. Prints p50, p95,
 * p99, max, errors and the row counts seen per query. A query's time is execute plus fetching
 * every row, on a connection each client opened before timing.
 */
public final class ServeBench {
  private ServeBench() {}

  /** The benchmark's queries by name: the README's top-10 query and the demo's other examples. */
  static String sql(String name, Lake lake) {
    return switch (name) {
      case "top10" -> "SELECT territory_id, segment, opportunity_gap, score, band FROM "
          + lake.currentViewName(Table.POTENTIAL_SCORES) + " WHERE segment = 'ALL' ORDER BY opportunity_gap DESC LIMIT 10";
      case "dealers" -> "SELECT dealer_id, brand, expected_registrations, actual_registrations, registration_effectiveness,"
          + " band FROM " + lake.currentViewName(Table.DEALER_PERFORMANCE) + " ORDER BY registration_effectiveness";
      case "goals" -> "SELECT period, territory_id, potential_units, goal_units FROM "
          + lake.currentViewName(Table.SALES_GOALS) + " ORDER BY goal_units DESC";
      case "job-runs" -> "SELECT job, status, as_of, started_at, ended_at FROM " + lake.currentViewName(Table.JOB_RUNS)
          + " ORDER BY started_at";
      default -> throw new ConfigError("tp.bench.serve.queries: unknown query '" + name
          + "' (top10, dealers, goals, job-runs)");
    };
  }

  /** One query's figures; times in seconds. */
  public record Line(String query, int runs, int errors, double p50, double p95, double p99, double max,
      String rowCounts, String firstError) {}

  /** The figures of a run, and whether the command run beside it (if any) succeeded. */
  public record Result(List<Line> lines, int duringExit, long duringOverlap, long total) {
    public boolean clean() {
      return duringExit == 0 && lines.stream().allMatch(l -> l.errors() == 0);
    }
  }

  /**
   * The {@code p}-th percentile (0 < p <= 100) of {@code values} by the nearest-rank method: the
   * smallest value with at least p% of the values at or below it. NaN for no values.
   */
  public static double percentile(double[] values, double p) {
    if (!(p > 0 && p <= 100)) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
    }
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100.0 * s.length);
    return s[Math.max(rank, 1) - 1];
  }

  /** One query's line from its successful times (seconds), its error count and the row counts seen. */
  static Line line(String query, double[] seconds, int errors, java.util.Collection<Integer> rowCounts, String firstError) {
    double max = Arrays.stream(seconds).max().orElse(Double.NaN);
    return new Line(query, seconds.length + errors, errors, percentile(seconds, 50), percentile(seconds, 95),
        percentile(seconds, 99), max, String.join(",", new TreeSet<>(rowCounts).stream().map(String::valueOf).toList()),
        firstError);
  }

  /** The table of figures, in markdown. */
  static String table(List<Line> lines) {
    StringBuilder sb = new StringBuilder("| query | runs | errors | p50 s | p95 s | p99 s | max s | rows seen |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---|\n");
    for (Line l : lines) {
      sb.append(String.format(Locale.ROOT, "| %s | %d | %d | %.3f | %.3f | %.3f | %.3f | %s |%n", l.query(), l.runs(),
          l.errors(), l.p50(), l.p95(), l.p99(), l.max(), l.rowCounts()));
    }
    return sb.toString();
  }

  private record Sample(int query, long startNanos, double seconds, int rows, String error) {}

  public static Result run(AppConfig cfg, File conf, Map<String, String> overrides, LocalDate asOf, List<String> argv,
      PrintStream out) throws Exception {
    int clients = cfg.getInt("tp.bench.serve.clients");
    int repeats = cfg.getInt("tp.bench.serve.repeats");
    int port = cfg.getInt("tp.bench.serve.port");
    String url = cfg.getString("tp.bench.serve.url");
    String during = cfg.getString("tp.bench.serve.during");
    int duringNice = cfg.getInt("tp.bench.serve.during-nice");
    int readySeconds = cfg.getInt("tp.bench.serve.ready-timeout-seconds");
    List<String> names = cfg.getStringList("tp.bench.serve.queries");
    if (clients < 1 || clients > 256) {
      throw new ConfigError("configuration key 'tp.bench.serve.clients' must be 1..256, got " + clients);
    }
    if (repeats < 1) {
      throw new ConfigError("configuration key 'tp.bench.serve.repeats' must be >= 1, got " + repeats);
    }
    if (port < 0 || port > 65535) {
      throw new ConfigError("configuration key 'tp.bench.serve.port' must be 0..65535, got " + port);
    }
    if (!during.isEmpty() && !during.equals("pipeline") && !Stages.names().contains(during)) {
      throw new ConfigError("configuration key 'tp.bench.serve.during' must be \"\", pipeline or a stage ("
          + String.join(", ", Stages.names()) + "), got '" + during + "'");
    }
    if (duringNice < 0 || duringNice > 19) {
      throw new ConfigError("configuration key 'tp.bench.serve.during-nice' must be 0..19, got " + duringNice);
    }
    if (!url.isEmpty() && !url.startsWith("jdbc:hive2://")) {
      throw new ConfigError("configuration key 'tp.bench.serve.url' must be \"\" or a jdbc:hive2:// URL, got '" + url + "'");
    }
    if (names.isEmpty()) {
      throw new ConfigError("configuration key 'tp.bench.serve.queries' must name at least one query");
    }
    Lake lake = new Lake(null, cfg);
    List<String> queries = names.stream().map(n -> sql(n, lake)).toList();

    File logs = Files.createTempDirectory("tp-bench-serve").toFile();
    File launcher = launcher();
    Process serve = null;
    Process job = null;
    try {
      if (url.isEmpty()) {
        if (port == 0) {
          try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
          }
        }
        List<String> a = tpArgs("serve-sql", conf, overrides, asOf);
        a.addAll(List.of("--set", "tp.serve.host=127.0.0.1", "--set", "tp.serve.port=" + port, "--set", "tp.serve.auth=none"));
        serve = start(launcher, a, new File(logs, "serve-sql.log"));
        waitFor(new File(logs, "serve-sql.log"), "listening on", serve, readySeconds);
        if (cfg.getBoolean("tp.serve.cache.enabled")) {
          // time the server as it runs once its first refresh cached the views (serve-sql's log line)
          waitFor(new File(logs, "serve-sql.log"), " cached (", serve, readySeconds);
        }
        url = "jdbc:hive2://127.0.0.1:" + port + "/default";
      }
      out.printf("bench-serve: %d clients x %d runs of %s on %s%s; logs in %s%n", clients, repeats, names, url,
          during.isEmpty() ? "" : ", beside " + (duringNice > 0 ? "nice -n " + duringNice + " " : "") + "jobs/tp " + during
              + " --as-of " + asOf, logs);
      out.println("  load average at start: " + loadAverage());
      Class.forName("org.apache.hive.jdbc.HiveDriver");
      java.util.concurrent.atomic.AtomicLong duringEnd = new java.util.concurrent.atomic.AtomicLong(Long.MAX_VALUE);
      java.util.concurrent.CompletableFuture<Void> ended = java.util.concurrent.CompletableFuture.completedFuture(null);
      if (!during.isEmpty()) {
        job = start(launcher, tpArgs(during, conf, overrides, asOf), new File(logs, during + ".log"), duringNice);
        ended = job.onExit().thenRun(() -> duringEnd.set(System.nanoTime()));
      }
      ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      List<Future<?>> futures = new ArrayList<>();
      String jdbc = url;
      for (int c = 0; c < clients; c++) {
        futures.add(pool.submit(() -> {
          client(jdbc, queries, repeats, samples);
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
      pool.shutdown();
      out.println("  load average after the clients: " + loadAverage());
      int duringExit = 0;
      if (job != null) {
        if (job.isAlive()) {
          out.println("  the clients finished before jobs/tp " + during + "; waiting for it");
        }
        job.waitFor();
        ended.join();
        duringExit = job.exitValue();
        out.printf("  jobs/tp %s exited %d (log %s)%n", during, duringExit, new File(logs, during + ".log"));
      }
      long overlap = job == null ? 0 : samples.stream().filter(s -> s.startNanos() < duringEnd.get()).count();
      List<Line> lines = new ArrayList<>();
      for (int q = 0; q < queries.size(); q++) {
        int qi = q;
        List<Sample> mine = samples.stream().filter(s -> s.query() == qi).toList();
        double[] ok = mine.stream().filter(s -> s.error() == null).mapToDouble(Sample::seconds).toArray();
        List<Integer> rows = mine.stream().filter(s -> s.error() == null).map(Sample::rows).toList();
        String firstError = mine.stream().map(Sample::error).filter(e -> e != null).findFirst().orElse("");
        lines.add(line(names.get(q), ok, (int) mine.stream().filter(s -> s.error() != null).count(), rows, firstError));
      }
      out.println();
      out.print(table(lines));
      out.println();
      if (job != null) {
        out.printf("  %d of the %d queries started while jobs/tp %s ran%n", overlap, samples.size(), during);
      }
      for (Line l : lines) {
        if (!l.firstError().isEmpty()) {
          out.println("  first error of " + l.query() + ": " + l.firstError());
        }
      }
      out.println("  command: jobs/tp " + String.join(" ", argv));
      return new Result(lines, duringExit, overlap, samples.size());
    } finally {
      if (job != null && job.isAlive()) {
        job.destroy();
        job.waitFor(60, TimeUnit.SECONDS);
      }
      if (serve != null) {
        serve.destroy(); // SIGTERM: serve-sql stops its server and exits 0
        if (serve.waitFor(60, TimeUnit.SECONDS)) {
          out.println("  serve-sql stopped on SIGTERM, exit " + serve.exitValue());
        } else {
          serve.destroyForcibly();
        }
      }
    }
  }

  /** One client: a connection of its own, every query {@code repeats} times in turn. */
  private static void client(String url, List<String> queries, int repeats, ConcurrentLinkedQueue<Sample> samples)
      throws SQLException {
    try (Connection c = DriverManager.getConnection(url, "", "")) {
      for (int r = 0; r < repeats; r++) {
        for (int q = 0; q < queries.size(); q++) {
          long t0 = System.nanoTime();
          try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(queries.get(q))) {
            int n = 0;
            while (rs.next()) {
              n++;
            }
            samples.add(new Sample(q, t0, (System.nanoTime() - t0) / 1e9, n, null));
          } catch (SQLException e) {
            samples.add(new Sample(q, t0, (System.nanoTime() - t0) / 1e9, -1, String.valueOf(e.getMessage()).lines()
                .findFirst().orElse("")));
          }
        }
      }
    }
  }

  private static List<String> tpArgs(String command, File conf, Map<String, String> overrides, LocalDate asOf) {
    List<String> a = new ArrayList<>(List.of(command, "--as-of", asOf.toString()));
    if (conf != null) {
      a.addAll(List.of("--conf", conf.getAbsolutePath()));
    }
    overrides.forEach((k, v) -> a.addAll(List.of("--set", k + "=" + v)));
    return a;
  }

  /** jobs/tp of the checkout this class was compiled in (target/test-classes/../../jobs/tp). */
  private static File launcher() throws URISyntaxException {
    File classes = new File(ServeBench.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    File tp = new File(classes.getParentFile().getParentFile(), "jobs/tp");
    if (!tp.canExecute()) {
      throw new ConfigError("bench-serve runs serve-sql and the jobs with jobs/tp from a source checkout; not found: " + tp);
    }
    return tp;
  }

  private static Process start(File launcher, List<String> args, File log) throws IOException {
    return start(launcher, args, log, 0);
  }

  /** jobs/tp with {@code args}, its output to {@code log}; at niceness {@code nice} (nice -n) when above 0. */
  private static Process start(File launcher, List<String> args, File log, int nice) throws IOException {
    List<String> cmd = new ArrayList<>(nice > 0 ? List.of("nice", "-n", String.valueOf(nice)) : List.of());
    cmd.add(launcher.getAbsolutePath());
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }

  private static void waitFor(File log, String text, Process p, int seconds) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (System.nanoTime() < deadline) {
      if (log.isFile() && Files.readString(log.toPath(), StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      if (!p.isAlive()) {
        throw new IllegalStateException("bench-serve: serve-sql exited " + p.exitValue() + " before it listened; see " + log);
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("bench-serve: serve-sql's log had no '" + text + "' within " + seconds
        + " s (tp.bench.serve.ready-timeout-seconds); see " + log);
  }

  /** The 1, 5 and 15 minute load averages (/proc/loadavg), or "unknown". */
  static String loadAverage() {
    try {
      String[] f = Files.readString(new File("/proc/loadavg").toPath()).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }
}
