package org.territorypotential.segment;

import static org.apache.spark.sql.functions.col;

import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.territorypotential.config.AppConfig;
import org.territorypotential.design.DesignFrames;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.MissingInput;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;
import org.territorypotential.score.ScoreParams;

/**
 * The {@code segment} job: builds one row per geo unit with its features (demographics, EV and
 * segment adoption, opportunity gap and growth), clusters the units with MLlib ({@link Segmenter}),
 * collects the units once, then on the driver keeps segment ids stable against the previous run
 * ({@link Labels}), profiles and names the segments ({@link Profiles}), ranks campaign targets
 * ({@link Campaigns}) and diffs the CRM assignments ({@link CrmChanges}); writes unit_segments,
 * segment_profiles, campaign_targets and crm_assignments, and the CRM export files
 * (docs/segments.md).
 */
public final class SegmentJob {
  private static final Logger LOG = LoggerFactory.getLogger(SegmentJob.class);
  /** Forecast months summed into a unit's demand: the potential's horizon. */
  private static final int DEMAND_MONTHS = 12;

  /** One segment's summary line. */
  public record SegmentLine(String id, String name, long units, double unitShare, Double opportunityShare, String profile,
      boolean matched) {}

  /** One campaign target's summary line. */
  public record TargetLine(String territoryId, String segmentId, String geoUnitId, double opportunityGap, double potential,
      String reason) {}

  public record Result(String runId, Map<String, Long> versionsRead, Map<String, Long> rowsWritten,
      Map<String, Long> versionsWritten, int units, String algorithm, List<String> featuresUsed, List<String> featuresDropped,
      List<Segmenter.Point> curve, int k, double silhouette, LocalDate previousAsOf, List<SegmentLine> segments,
      List<TargetLine> topTargets, Map<String, Long> changes, String exportPath) {}

  private SegmentJob() {}

  public static Result run(SparkSession spark, AppConfig cfg, RunContext run) {
    Lake lake = new Lake(spark, cfg);
    LocalDate asOf = run.asOf();
    SegmentParams p = SegmentParams.from(cfg);
    ScoreParams sp = ScoreParams.from(cfg, asOf);
    Map<String, Long> versions = new LinkedHashMap<>();
    DesignFrames.UnitInputs in = DesignFrames.UnitInputs.read(lake, asOf, versions);
    Dataset<Row> monthly = lake.readPinned(Table.MONTHLY_REGISTRATIONS, asOf, versions);
    Dataset<Row> demographics = lake.exists(Table.DEMOGRAPHICS_BRONZE)
        ? lake.readPinned(Table.DEMOGRAPHICS_BRONZE, asOf, versions) : null;
    LocalDate windowStart = asOf.withDayOfMonth(1).minusMonths(p.windowMonths() - 1L);
    Dataset<Row> designUnits = in.units(p.level(), DEMAND_MONTHS, p.territoryType(), sp, windowStart, asOf);
    List<String> names = p.features().stream().map(SegmentParams.Feature::name).toList();
    Dataset<Row> units = SegmentFrames.units(designUnits, monthly, in.registrations(), demographics, in.assignment(), p.brand(), names,
        p.evFuelTypes(), windowStart, asOf).persist(StorageLevel.MEMORY_AND_DISK());

    Segmenter.Fit fit;
    try {
      fit = Segmenter.fit(units, p.features(), p.algorithm(), p.kMin(), p.kMax(), p.seed(), p.maxIterations(), p.parallelFits());
    } catch (IllegalArgumentException e) {
      units.unpersist();
      throw MissingInput.of("segment", "geo units with features to cluster at level " + p.level() + " of " + asOf + " ("
          + e.getMessage() + ")", "score --as-of " + asOf);
    }
    List<SegmentParams.Feature> used = fit.used();
    List<String> dropped = names.stream().filter(n -> used.stream().noneMatch(f -> f.name().equals(n))).toList();
    List<String> cols = new ArrayList<>(SegmentFrames.BASE);
    used.forEach(f -> cols.add(f.name()));
    cols.add(Segmenter.VECTOR);
    cols.add(Segmenter.CLUSTER);
    List<Row> rows = fit.assigned().select(cols.stream().map(org.apache.spark.sql.functions::col)
        .toArray(org.apache.spark.sql.Column[]::new)).collectAsList();
    fit.release();
    units.unpersist();

    int n = rows.size();
    int f = used.size();
    String[] ids = new String[n];
    String[] territory = new String[n];
    String[] dealer = new String[n];
    double[] potential = new double[n];
    double[] gap = new double[n];
    Double[] growth = new Double[n];
    double[][] x = new double[n][f];
    double[][] z = new double[n][];
    int[] cluster = new int[n];
    long[] sizes = new long[fit.k()];
    for (int i = 0; i < n; i++) {
      Row r = rows.get(i);
      ids[i] = r.getString(0);
      territory[i] = r.getString(1);
      dealer[i] = r.getString(2);
      potential[i] = r.isNullAt(3) ? 0 : r.getDouble(3);
      gap[i] = r.isNullAt(4) ? 0 : r.getDouble(4);
      growth[i] = r.isNullAt(5) ? null : r.getDouble(5);
      for (int j = 0; j < f; j++) {
        x[i][j] = r.isNullAt(6 + j) ? Double.NaN : ((Number) r.get(6 + j)).doubleValue();
      }
      z[i] = ((Vector) r.get(6 + f)).toArray();
      cluster[i] = r.getInt(7 + f);
      sizes[cluster[i]]++;
    }

    // stable ids: the previous run's profiles (segment means) in this run's scaled space
    LocalDate previousAsOf = lake.latestAsOfBefore(Table.SEGMENT_PROFILES, asOf).orElse(null);
    Map<String, double[]> previous = new TreeMap<>();
    if (previousAsOf != null) {
      Map<String, double[]> raw = new TreeMap<>();
      for (Row r : lake.read(Table.SEGMENT_PROFILES, previousAsOf).select("segment_id", "feature", "segment_mean").collectAsList()) {
        double[] v = raw.computeIfAbsent(r.getString(0), s -> filled(f, Double.NaN));
        for (int j = 0; j < f; j++) {
          if (used.get(j).name().equals(r.getString(1)) && !r.isNullAt(2)) {
            v[j] = r.getDouble(2);
          }
        }
      }
      raw.forEach((id, v) -> previous.put(id, fit.scale(v)));
    }
    String[] segmentOfCluster = Labels.match(fit.centers(), sizes, previous);
    String[] segment = new String[n];
    for (int i = 0; i < n; i++) {
      segment[i] = segmentOfCluster[cluster[i]];
    }
    Profiles.Region region = Profiles.region(x, f);
    List<Profiles.Profile> profiles = Profiles.of(segment, x, potential, gap, region);
    Map<String, String> segmentNames = Profiles.names(profiles, used, p.nameThresholdSd(), p.nameTerms());
    String modelVersion = modelVersion(p, fit);
    String curveText = String.join(", ", fit.curve().stream()
        .map(c -> String.format(Locale.ROOT, "%d:%.4f", c.k(), c.silhouette())).toList());
    LOG.info("segment {}: {} units, k {} (silhouette {}), curve {}", asOf, n, fit.k(), fit.silhouette(), curveText);

    List<Row> unitRows = new ArrayList<>();
    List<Campaigns.Unit> candidates = new ArrayList<>();
    List<CrmChanges.Assignment> current = new ArrayList<>();
    Map<String, String[]> crmExtra = new HashMap<>();
    boolean zips = "zcta".equals(p.level());
    for (int i = 0; i < n; i++) {
      int c = cluster[i];
      Map<String, Double> feats = new TreeMap<>();
      for (int j = 0; j < f; j++) {
        if (!Double.isNaN(x[i][j])) {
          feats.put(used.get(j).name(), x[i][j]);
        }
      }
      unitRows.add(RowFactory.create(ids[i], segment[i], segmentNames.get(segment[i]),
          Math.sqrt(Labels.dist2(z[i], fit.centers()[c])), territory[i], potential[i], gap[i], growth[i], feats));
      candidates.add(new Campaigns.Unit(ids[i], territory[i], segment[i], potential[i], gap[i],
          Profiles.reason(x[i], region, used)));
      current.add(new CrmChanges.Assignment(ids[i], zips ? ids[i] : null, territory[i], p.ownerOf(territory[i]), dealer[i],
          segment[i]));
      crmExtra.put(ids[i], new String[] {dealer[i], zips ? ids[i] : null});
    }
    List<Row> profileRows = new ArrayList<>();
    List<SegmentLine> lines = new ArrayList<>();
    for (Profiles.Profile pr : profiles) {
      boolean matched = previous.containsKey(pr.segmentId());
      List<String> parts = new ArrayList<>();
      for (int j = 0; j < f; j++) {
        double rm = region.mean()[j];
        profileRows.add(RowFactory.create(pr.segmentId(), segmentNames.get(pr.segmentId()), pr.units(), pr.unitShare(),
            pr.potential(), pr.opportunityGap(), pr.opportunityShare(), used.get(j).name(), used.get(j).weight(),
            nan(pr.mean()[j]), nan(rm), rm == 0 || Double.isNaN(rm) || Double.isNaN(pr.mean()[j]) ? null : 100 * pr.mean()[j] / rm,
            pr.z()[j], matched, fit.k(), fit.silhouette(), curveText, p.algorithm()));
        parts.add(String.format(Locale.ROOT, "%s %+.1f", used.get(j).name(), pr.z()[j]));
      }
      lines.add(new SegmentLine(pr.segmentId(), segmentNames.get(pr.segmentId()), pr.units(), pr.unitShare(),
          pr.opportunityShare(), String.join(", ", parts), matched));
    }
    List<Row> targetRows = new ArrayList<>();
    List<Campaigns.Target> targets = Campaigns.targets(candidates, p.listSize(), p.minPotential());
    for (Campaigns.Target t : targets) {
      Campaigns.Unit u = t.unit();
      String[] e = crmExtra.get(u.geoUnitId());
      targetRows.add(RowFactory.create(u.territoryId(), u.segmentId(), segmentNames.get(u.segmentId()), t.rank(), u.geoUnitId(),
          e[1], e[0], u.potential(), u.opportunityGap(), u.reason()));
    }
    List<TargetLine> top = targets.stream().filter(t -> t.rank() == 1)
        .sorted(Comparator.comparingDouble((Campaigns.Target t) -> t.unit().opportunityGap()).reversed()
            .thenComparing(t -> t.unit().geoUnitId()))
        .limit(p.printTargets()).map(t -> new TargetLine(t.unit().territoryId(), t.unit().segmentId(), t.unit().geoUnitId(),
            t.unit().opportunityGap(), t.unit().potential(), t.unit().reason())).toList();

    // the CRM export and its change list against the previous run's export
    LocalDate previousCrm = lake.latestAsOfBefore(Table.CRM_ASSIGNMENTS, asOf).orElse(null);
    List<CrmChanges.Assignment> before = new ArrayList<>();
    if (previousCrm != null) {
      for (Row r : lake.read(Table.CRM_ASSIGNMENTS, previousCrm).where(col("change_type").notEqual(CrmChanges.REMOVED))
          .select("geo_unit_id", "zip", "territory_id", "owner", "dealer_id", "segment_id").collectAsList()) {
        before.add(new CrmChanges.Assignment(r.getString(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
            r.getString(5)));
      }
    }
    List<Row> crmRows = new ArrayList<>();
    Map<String, Long> changes = new TreeMap<>();
    java.sql.Date prevDate = previousCrm == null ? null : java.sql.Date.valueOf(previousCrm);
    for (CrmChanges.Change c : CrmChanges.diff(current, before)) {
      CrmChanges.Assignment a = c.current();
      CrmChanges.Assignment b = c.previous();
      changes.merge(c.change(), 1L, Long::sum);
      crmRows.add(RowFactory.create(c.geoUnitId(), a == null ? b.zip() : a.zip(), a == null ? null : a.territoryId(),
          a == null ? null : a.owner(), a == null ? null : a.dealerId(), a == null ? null : a.segmentId(),
          a == null ? null : segmentNames.get(a.segmentId()), c.change(), c.changed(), b == null ? null : b.territoryId(),
          b == null ? null : b.owner(), b == null ? null : b.dealerId(), b == null ? null : b.segmentId(), prevDate));
    }
    Dataset<Row> crm = Lake.frame(spark, Table.CRM_ASSIGNMENTS, crmRows);
    String exportPath = export(lake, p, asOf, crm);

    Lake.Lineage lineage = Lake.Lineage.of(run).withInputs(versions).withModel(modelVersion);
    Map<String, Long> rowsWritten = new LinkedHashMap<>();
    Map<String, Long> versionsWritten = new LinkedHashMap<>();
    for (Lake.Written w : lake.writeAll(List.of(
        new Lake.Request(Table.UNIT_SEGMENTS, Lake.frame(spark, Table.UNIT_SEGMENTS, unitRows), lineage),
        new Lake.Request(Table.SEGMENT_PROFILES, Lake.frame(spark, Table.SEGMENT_PROFILES, profileRows), lineage),
        new Lake.Request(Table.CAMPAIGN_TARGETS, Lake.frame(spark, Table.CAMPAIGN_TARGETS, targetRows), lineage),
        new Lake.Request(Table.CRM_ASSIGNMENTS, crm, lineage)))) {
      rowsWritten.put(w.sqlName(), w.rows());
      versionsWritten.put(w.sqlName(), w.version());
    }
    return new Result(run.runId(), versions, rowsWritten, versionsWritten, n, p.algorithm(),
        used.stream().map(SegmentParams.Feature::name).toList(), dropped, fit.curve(), fit.k(), fit.silhouette(), previousAsOf,
        lines, top, changes, exportPath);
  }

  /**
   * The CRM export under {@code <lakehouse>/<tp.segment.crm.output>/<as_of>/}: assignments.csv and
   * assignments.parquet (every current unit: geo_unit_id, zip, territory_id, owner, dealer_id,
   * segment_id, segment_name) and changes.csv (every row whose change_type is not unchanged, with
   * the previous values). Each is a folder holding one part file (Spark's layout); a rerun replaces them.
   */
  static String export(Lake lake, SegmentParams p, LocalDate asOf, Dataset<Row> crm) {
    String dir = lake.root() + "/" + p.crmOutput() + "/" + asOf;
    Dataset<Row> one = crm.coalesce(1);
    Dataset<Row> assignments = one.where(col("change_type").notEqual(CrmChanges.REMOVED))
        .select("geo_unit_id", "zip", "territory_id", "owner", "dealer_id", "segment_id", "segment_name");
    assignments.write().mode(SaveMode.Overwrite).option("header", "true").csv(dir + "/assignments.csv");
    assignments.write().mode(SaveMode.Overwrite).parquet(dir + "/assignments.parquet");
    one.where(col("change_type").notEqual(CrmChanges.UNCHANGED)).write().mode(SaveMode.Overwrite).option("header", "true")
        .csv(dir + "/changes.csv");
    return dir;
  }

  /** algorithm-k<k>-s<seed>-<8 hex of the features and weights used>. */
  static String modelVersion(SegmentParams p, Segmenter.Fit fit) {
    StringBuilder sb = new StringBuilder();
    fit.used().forEach(x -> sb.append(x.name()).append('=').append(x.weight()).append(';'));
    try {
      byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return p.algorithm() + "-k" + fit.k() + "-s" + p.seed() + "-" + java.util.HexFormat.of().formatHex(h, 0, 4);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Double nan(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static double[] filled(int n, double v) {
    double[] a = new double[n];
    java.util.Arrays.fill(a, v);
    return a;
  }
}
