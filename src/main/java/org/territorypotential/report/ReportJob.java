package org.territorypotential.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.StringOutput;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.locationtech.jts.io.WKBWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.forecast.ForecastJob;
import org.territorypotential.forecast.Levels;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.score.ScoreParams;
import org.territorypotential.score.Scores;

/**
 * The {@code report} job: reads the run date's gold tables once each (their Delta versions
 * recorded), collects them (they are per territory and per dealer, so small), builds the page with
 * {@link ReportBuilder}, renders it with the precompiled jte templates, and writes under
 * {@code <lakehouse>/<tp.report.output>/<as_of>/}: report.html, dealers/*.html (and .pdf), and the
 * GIS exports in gis/; then rewrites the index of all runs.
 */
public final class ReportJob {
  private static final Logger LOG = LoggerFactory.getLogger(ReportJob.class);
  private static final TemplateEngine TEMPLATES = TemplateEngine.createPrecompiled(ContentType.Html);

  /** What a run wrote. */
  public record Result(Path report, Path index, int territories, int dealers, long reportBytes, double mapTolerance,
      Map<String, Long> versionsRead, Map<String, Long> exported, List<Path> pdfs) {}

  private ReportJob() {}

  /** The collected inputs, and the two frames the GIS exports join (scores, dealer performance), read at the recorded versions. */
  public record Collected(ReportBuilder.Inputs inputs, Dataset<Row> scores, Dataset<Row> performance, Map<String, Long> versions) {}

  public static Result run(SparkSession spark, AppConfig cfg, RunContext run) {
    ReportParams p = ReportParams.from(cfg, run.asOf());
    Lake lake = new Lake(spark, cfg);
    long t0 = System.nanoTime();
    Collected c = collect(lake, p, run);
    long t1 = System.nanoTime();
    Fitted fitted = fit(c.inputs(), p, resource("report.css"), resource("report.js"));
    ReportBuilder.Built built = fitted.built();
    Path root = root(lake, p);
    Path dir = root.resolve(run.asOf().toString());
    Path report = write(built, fitted.html(), dir, root);
    long t2 = System.nanoTime();
    Map<String, Long> exported = p.gisExports()
        ? GisExport.write(spark, built, c.scores(), c.performance(), p, dir.resolve("gis"), run.asOf()) : Map.of();
    long t3 = System.nanoTime();
    List<Path> pdfs = p.pdf() ? printSheets(p, dir, built) : List.of();
    Path index = writeIndex(root);
    long size = size(report);
    LOG.info("report {}: {} territories, {} dealers, {} bytes (map simplified at {} degrees); read + collect {} ms,"
        + " build + render {} ms, GIS exports {} ms, PDFs {} ms", report, built.territoryProps().size(), built.sheets().size(), size,
        fitted.tolerance(), (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000, (System.nanoTime() - t3) / 1_000_000);
    return new Result(report, index, built.territoryProps().size(), built.sheets().size(), size, fitted.tolerance(), c.versions(),
        exported, pdfs);
  }

  /** A built report, its page rendered, and the simplification tolerance that made it fit tp.report.max-report-bytes. */
  public record Fitted(ReportBuilder.Built built, String html, double tolerance) {}

  /** Tolerance rounds before giving up on the byte bound (0.001 x 2^12 = about 4 degrees: nothing is left to simplify). */
  static final int MAX_ROUNDS = 12;

  /**
   * Builds and renders the report at tp.report.simplify-tolerance; while the page is larger than
   * tp.report.max-report-bytes, doubles the tolerance (from 0.0005 degrees when it is 0) and
   * builds again. Each round is driver work on the collected rows (no Spark), so a large region
   * costs a few coverage simplifications, not another read. When even the last round does not fit,
   * the page is kept and a warning names its size.
   */
  public static Fitted fit(ReportBuilder.Inputs in, ReportParams p, String css, String reportJs) {
    double tol = p.simplifyTolerance();
    for (int round = 0; ; round++) {
      ReportBuilder.Built built = ReportBuilder.build(in, p.withTolerance(tol), Assets.get(), css, reportJs);
      String html = render("report.jte", built.page());
      long bytes = html.getBytes(StandardCharsets.UTF_8).length;
      if (bytes <= p.maxReportBytes() || round == MAX_ROUNDS) {
        if (bytes > p.maxReportBytes()) {
          LOG.warn("report.html is {} bytes, over tp.report.max-report-bytes = {}, even at tolerance {} degrees", bytes,
              p.maxReportBytes(), tol);
        } else if (round > 0) {
          LOG.info("report.html fits tp.report.max-report-bytes = {} ({} bytes) at tolerance {} degrees, after {} doubling(s)"
              + " of tp.report.simplify-tolerance = {}", p.maxReportBytes(), bytes, tol, round, p.simplifyTolerance());
        }
        return new Fitted(built, html, tol);
      }
      LOG.info("report.html would be {} bytes at tolerance {} degrees, over tp.report.max-report-bytes = {}; simplifying more",
          bytes, tol, p.maxReportBytes());
      tol = tol > 0 ? 2 * tol : 0.0005;
    }
  }

  /** The folder holding the runs' reports and the index: {@code <lakehouse>/<tp.report.output>}. */
  public static Path root(Lake lake, ReportParams p) {
    if (lake.root().contains("://")) {
      throw new org.territorypotential.config.ConfigError("the report is written to a local lakehouse only; tp.lakehouse is "
          + lake.root());
    }
    return Path.of(lake.root(), p.output());
  }

  /** Reads each input table once at its current version and collects it: eight queries in all (nine with unit_segments). */
  public static Collected collect(Lake lake, ReportParams p, RunContext run) {
    LocalDate asOf = run.asOf();
    Map<String, Long> versions = new LinkedHashMap<>();
    Column ourBrand = upper(col("brand")).equalTo(p.brand());
    Dataset<Row> perf = lake.readPinned(Table.DEALER_PERFORMANCE, asOf, versions).where(ourBrand);
    Dataset<Row> bySegment = lake.readPinned(Table.DEALER_EXPECTED_BY_SEGMENT, asOf, versions).where(ourBrand);
    Dataset<Row> scores = lake.readPinned(Table.POTENTIAL_SCORES, asOf, versions).where(col("segment").equalTo(Scores.ALL));
    Dataset<Row> assignment = lake.readPinned(Table.TERRITORY_ASSIGNMENT, asOf, versions)
        .select("geo_unit_id", "territory_id", "method", "brand", "dealer_id", "is_multiple_dealer_area");
    Dataset<Row> units = lake.readPinned(Table.GEO_UNITS_SILVER, asOf, versions)
        .join(assignment.select("geo_unit_id").distinct(), new String[] {"geo_unit_id"}, "left_semi")
        .select("geo_unit_id", "name", "geometry");
    Dataset<Row> dealers = lake.readPinned(Table.DEALERS_LOCATED, asOf, versions).select("dealer_id", "longitude", "latitude");
    Dataset<Row> series = series(lake.readPinned(Table.DEMAND_FORECAST, asOf, versions),
        lake.readPinned(Table.MONTHLY_REGISTRATIONS, asOf, versions), unitTerritory(assignment, p), asOf, p.historyMonths());
    // the design stage's tables, when it has run: summed per scenario and assignment on Spark, a few rows each
    List<Row> design = lake.exists(Table.TERRITORY_DESIGN_METRICS)
        ? designSummary(lake.readPinned(Table.TERRITORY_DESIGN_METRICS, asOf, versions)).collectAsList() : List.of();
    List<Row> whatIf = lake.exists(Table.WHATIF_RESULTS)
        ? whatIfSummary(lake.readPinned(Table.WHATIF_RESULTS, asOf, versions), p.brand()).collectAsList() : List.of();
    // the segment stage's unit segments, when it has run: the map colours units by them
    List<Row> segments = lake.exists(Table.UNIT_SEGMENTS) ? lake.readPinned(Table.UNIT_SEGMENTS, asOf, versions)
        .select("geo_unit_id", "segment_id", "segment_name").collectAsList() : List.of();
    ReportBuilder.Inputs in = new ReportBuilder.Inputs(asOf, run.runId(), Lake.versionsText(versions), perf.collectAsList(),
        bySegment.collectAsList(), scores.collectAsList(), assignment.collectAsList(), units.collectAsList(), dealers.collectAsList(),
        series.collectAsList(), design, whatIf, segments);
    return new Collected(in, scores, perf, versions);
  }

  /**
   * Each design scenario's assignments (current, design, k-means) side by side: territories, the
   * largest |load deviation| from target, mean Polsby-Popper, whether every territory is one piece,
   * units moved in, and whether the design met its tolerance (null where not judged). Unordered: a
   * sort would add Spark jobs for a dozen rows; ReportBuilder orders them.
   */
  static Dataset<Row> designSummary(Dataset<Row> metrics) {
    return metrics.groupBy("scenario_id", "assignment", "balance")
        .agg(org.apache.spark.sql.functions.count(lit(1)).as("territories"),
            org.apache.spark.sql.functions.max(org.apache.spark.sql.functions.abs(col("load_deviation"))).as("max_deviation"),
            org.apache.spark.sql.functions.avg("polsby_popper").as("mean_pp"),
            org.apache.spark.sql.functions.min("is_contiguous").as("contiguous"),
            sum("units_moved_in").as("units_moved"),
            org.apache.spark.sql.functions.min("is_feasible").as("feasible"));
  }

  /** The what-if dealers of the report's brand whose PMA or captured demand changed (ReportBuilder orders the few rows). */
  static Dataset<Row> whatIfSummary(Dataset<Row> results, String brand) {
    return results.where(upper(col("brand")).equalTo(brand)
            .and(col("pma_units_before").notEqual(col("pma_units_after")).or(col("captured_change").notEqual(0))
                .or(col("is_scenario_dealer"))))
        .select("scenario_id", "action", "dealer_id", "pma_units_before", "pma_units_after", "pma_potential_before",
            "pma_potential_after", "captured_change", "net_brand_gain");
  }

  /** Unit -> territory of the report's type (for the series): geo_unit_id, territory_id. */
  static Dataset<Row> unitTerritory(Dataset<Row> assignment, ReportParams p) {
    if (ScoreParams.UNIT.equals(p.territoryType())) {
      return assignment.select(col("geo_unit_id"), col("geo_unit_id").as("territory_id")).distinct();
    }
    Column which = col("method").equalTo(p.territoryType());
    if (ScoreParams.PMA.equals(p.territoryType())) {
      which = which.and(upper(col("brand")).equalTo(p.brand()));
    }
    return assignment.where(which).select("geo_unit_id", "territory_id").distinct();
  }

  /**
   * Forecast and actual industry registrations per territory and month: unit forecasts (industry
   * scope) and the monthly registrations of all brands, summed over the territory's units, as the
   * pipeline's bottom-up reconciliation sums them. The segment total is the ALL row where the frame
   * has one, else the sum over segments. Actual covers {@code history} months before the run month.
   */
  static Dataset<Row> series(Dataset<Row> forecast, Dataset<Row> monthly, Dataset<Row> unitTerritory, LocalDate asOf, int history) {
    Column isAll = col("segment").equalTo(Scores.ALL);
    org.apache.spark.sql.RelationalGroupedDataset f = forecast.where(col("scope").equalTo(ForecastJob.SCOPE_INDUSTRY).and(col("level").equalTo(Levels.UNIT)))
        .select("series_id", "segment", "target_month", "forecast", "lower_80", "upper_80", "lower_95", "upper_95")
        .join(unitTerritory, col("series_id").equalTo(unitTerritory.col("geo_unit_id")), "inner")
        .groupBy(col("territory_id"), col("target_month").as("month"));
    List<Column> aggs = new ArrayList<>();
    for (String c : List.of("forecast", "lower_80", "upper_80", "lower_95", "upper_95")) {
      aggs.add(coalesce(sum(when(isAll, col(c))), sum(when(isAll.unary_$bang(), col(c)))).as(c));
    }
    Dataset<Row> fc = f.agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0]));
    Date from = Date.valueOf(asOf.withDayOfMonth(1).minusMonths(history));
    Dataset<Row> actual = monthly.where(col("month").geq(lit(from))).select("geo_unit_id", "segment", "month", "registrations")
        .join(unitTerritory, "geo_unit_id")
        .groupBy(col("territory_id"), trunc(col("month"), "month").as("month"))
        .agg(coalesce(sum(when(isAll, col("registrations"))), sum(when(isAll.unary_$bang(), col("registrations")))).as("actual"));
    return actual.join(fc, new String[] {"territory_id", "month"}, "full_outer")
        .select("territory_id", "month", "actual", "forecast", "lower_80", "upper_80", "lower_95", "upper_95");
  }

  /** Writes report.html, the dealer sheets and the licences; returns the report's path. */
  public static Path write(ReportBuilder.Built built, String html, Path dir, Path root) {
    try {
      Files.createDirectories(dir.resolve("dealers"));
      Path report = dir.resolve("report.html");
      Files.writeString(report, html, StandardCharsets.UTF_8);
      for (Map.Entry<String, Pages.Sheet> s : built.sheets().entrySet()) {
        Files.writeString(dir.resolve(s.getKey()), render("dealer.jte", s.getValue()), StandardCharsets.UTF_8);
      }
      Path licences = Files.createDirectories(root.resolve("licenses"));
      for (Map.Entry<String, Assets.Library> l : Assets.get().libraries.entrySet()) {
        Files.writeString(licences.resolve(l.getKey() + "-" + l.getValue().version() + ".txt"),
            l.getValue().name() + " " + l.getValue().version() + "\n\n" + l.getValue().licence(), StandardCharsets.UTF_8);
      }
      return report;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report under " + dir, e);
    }
  }

  static String render(String template, Object model) {
    StringOutput out = new StringOutput();
    TEMPLATES.render(template, model, out);
    return out.toString();
  }

  /** Rewrites index.html with a link to every run folder that holds a report (newest first). */
  static Path writeIndex(Path root) {
    List<Pages.IndexRow> runs = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      dirs.filter(d -> Files.isRegularFile(d.resolve("report.html"))).map(d -> d.getFileName().toString())
          .sorted(java.util.Comparator.reverseOrder())
          .forEach(n -> runs.add(new Pages.IndexRow(n, n + "/report.html")));
      Path index = root.resolve("index.html");
      Files.writeString(index, render("index.jte", new Pages.Index(runs, resource("report.css"))), StandardCharsets.UTF_8);
      return index;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the report index in " + root, e);
    }
  }

  /** Each dealer sheet printed to PDF beside its HTML, in one headless Chromium. */
  public static List<Path> printSheets(ReportParams p, Path dir, ReportBuilder.Built built) {
    String exe = Chromium.find(p.chromium()).orElseThrow();
    List<Path> out = new ArrayList<>();
    try (Chromium browser = Chromium.start(exe)) {
      for (String file : built.sheets().keySet()) {
        Path html = dir.resolve(file);
        try (Chromium.Page page = browser.open(html, 800, 1100, Duration.ZERO)) {
          Path pdf = dir.resolve(file.replaceAll("\\.html$", ".pdf"));
          Files.write(pdf, page.pdf());
          out.add(pdf);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot print the dealer sheets to PDF with " + exe, e);
    }
    return out;
  }

  public static String resource(String name) {
    try (InputStream in = ReportJob.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the jar (src/main/resources/org/territorypotential/report)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return -1;
    }
  }

  static Row row(Object... values) {
    return RowFactory.create(values);
  }

  static StructType wkbSchema(String... stringColumns) {
    StructType s = new StructType();
    for (String c : stringColumns) {
      s = s.add(c, DataTypes.StringType);
    }
    return s.add("geometry_wkb", DataTypes.BinaryType);
  }

  static byte[] wkb(org.locationtech.jts.geom.Geometry g) {
    return new WKBWriter(2).write(g);
  }
}
