package org.territorypotential.segment;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.stddev_pop;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.ml.clustering.BisectingKMeans;
import org.apache.spark.ml.clustering.KMeans;
import org.apache.spark.ml.evaluation.ClusteringEvaluator;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * MLlib clustering of geo units on scaled, weighted features. Each feature is standardised over
 * the units (z = (x - mean) / sd, a missing value counts as the mean: z = 0) and multiplied by its
 * weight; a feature with no spread (sd 0 or no values) is left out. The scaled frame is cached
 * once; k-means (or bisecting k-means) is fitted for every k of the range and the k with the
 * highest silhouette (squared Euclidean, MLlib's ClusteringEvaluator) wins; ties: the smaller k.
 */
public final class Segmenter {
  private static final Logger LOG = LoggerFactory.getLogger(Segmenter.class);
  public static final String VECTOR = "scaled";
  public static final String CLUSTER = "cluster";

  private Segmenter() {}

  /** One point of the silhouette curve. */
  public record Point(int k, double silhouette) {}

  /**
   * The fit: the curve, the chosen k, the scaling (features kept, their mean, sd and weight), the
   * centroids in scaled space, and the units with {@link #VECTOR} and {@link #CLUSTER} (0..k-1)
   * added (computed from the cached scaled units: the caller collects it once, then calls {@link #release}).
   */
  public record Fit(List<Point> curve, int k, double silhouette, List<SegmentParams.Feature> used, double[] mean,
      double[] sd, double[][] centers, Dataset<Row> assigned, Dataset<Row> scaled) {
    /** A raw feature vector (in {@link #used} order, NaN = missing) in this fit's scaled space. */
    public double[] scale(double[] raw) {
      double[] z = new double[raw.length];
      for (int j = 0; j < raw.length; j++) {
        z[j] = Double.isNaN(raw[j]) ? 0 : (raw[j] - mean[j]) / sd[j] * used.get(j).weight();
      }
      return z;
    }

    public void release() {
      scaled.unpersist();
    }
  }

  /** One k's fit: its silhouette, centres and units with their cluster. */
  private record Trial(int k, double silhouette, Vector[] centers, Dataset<Row> assigned) {}

  /** The units' key: the cached frame is laid out by it. */
  static final String KEY = "geo_unit_id";

  /** Units per partition of the cached frame the fits iterate over. */
  static final long UNITS_PER_PARTITION = 100_000;

  /**
   * Partitions of the cached scaled frame: one per {@link #UNITS_PER_PARTITION} units. Every k-means
   * iteration and silhouette is a Spark job over this frame, so its task count is paid some 190
   * times per run; the units arrive in the shuffle's partitions (8 by default), which for the
   * demo's 400 units made 2,616 tasks of a few rows each. The frame is hash-partitioned and sorted
   * by {@link #KEY}: k-means|| samples its initial centres by partition and row order, so the
   * layout must not depend on the upstream plan (another shuffle setting, a cluster's task order).
   */
  static int partitions(long units) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (units + UNITS_PER_PARTITION - 1) / UNITS_PER_PARTITION));
  }

  public static Fit fit(Dataset<Row> units, List<SegmentParams.Feature> features, String algorithm, int kMin, int kMax,
      long seed, int maxIterations, int threads) {
    List<Column> stats = new ArrayList<>(List.of(count(lit(1)).as("_n")));
    for (SegmentParams.Feature f : features) {
      stats.add(avg(col(f.name())).as("m_" + f.name()));
      stats.add(stddev_pop(col(f.name())).as("s_" + f.name()));
    }
    Row s = units.agg(stats.get(0), stats.subList(1, stats.size()).toArray(new Column[0])).first();
    long n = s.getLong(0);
    List<SegmentParams.Feature> used = new ArrayList<>();
    List<Double> means = new ArrayList<>();
    List<Double> sds = new ArrayList<>();
    List<Column> scaledCols = new ArrayList<>();
    for (int j = 0; j < features.size(); j++) {
      SegmentParams.Feature f = features.get(j);
      Object m = s.get(1 + 2 * j);
      Object sd = s.get(2 + 2 * j);
      if (m == null || sd == null || !(((Double) sd) > 0)) {
        LOG.warn("segment: feature {} left out (no values or no spread over the units)", f.name());
        continue;
      }
      used.add(f);
      means.add((Double) m);
      sds.add((Double) sd);
      scaledCols.add(coalesce(col(f.name()).minus((Double) m).divide((Double) sd).multiply(f.weight()), lit(0.0)).as("z_" + f.name()));
    }
    if (used.isEmpty()) {
      throw new IllegalArgumentException("no feature has values with spread over the " + n + " units");
    }
    int hi = (int) Math.min(kMax, n - 1);
    if (hi < kMin) {
      throw new IllegalArgumentException(n + " units are too few for k-min " + kMin);
    }
    List<Column> all = new ArrayList<>();
    for (String c : units.columns()) {
      all.add(col(c));
    }
    all.addAll(scaledCols);
    Dataset<Row> z = new VectorAssembler().setInputCols(used.stream().map(f -> "z_" + f.name()).toArray(String[]::new))
        .setOutputCol(VECTOR).transform(units.select(all.toArray(new Column[0])))
        .repartition(partitions(n), col(KEY)).sortWithinPartitions(KEY)
        .persist(StorageLevel.MEMORY_AND_DISK());
    ClusteringEvaluator eval = new ClusteringEvaluator().setFeaturesCol(VECTOR).setPredictionCol(CLUSTER)
        .setDistanceMeasure("squaredEuclidean");
    // one fit per k, up to `threads` at once; the best is chosen in k order (ties: the smaller k)
    List<Integer> ks = java.util.stream.IntStream.rangeClosed(kMin, hi).boxed().toList();
    List<Trial> trials = org.territorypotential.ops.Parallel.map(ks, threads, "tp-segment-fit", k -> {
      Dataset<Row> assigned;
      Vector[] centers;
      if (algorithm.equals("bisecting-kmeans")) {
        var m = new BisectingKMeans().setK(k).setSeed(seed).setMaxIter(maxIterations).setFeaturesCol(VECTOR)
            .setPredictionCol(CLUSTER).fit(z);
        assigned = m.transform(z);
        centers = m.clusterCenters();
      } else {
        var m = new KMeans().setK(k).setSeed(seed).setMaxIter(maxIterations).setFeaturesCol(VECTOR).setPredictionCol(CLUSTER)
            .fit(z);
        assigned = m.transform(z);
        centers = m.clusterCenters();
      }
      return new Trial(k, centers.length < 2 ? Double.NaN : eval.evaluate(assigned), centers, assigned);
    });
    List<Point> curve = new ArrayList<>();
    int bestK = -1;
    double best = Double.NEGATIVE_INFINITY;
    double[][] bestCenters = null;
    Dataset<Row> bestAssigned = null;
    for (Trial t : trials) {
      curve.add(new Point(t.k(), t.silhouette()));
      LOG.info("segment: k = {} silhouette {}", t.k(), t.silhouette());
      if (t.silhouette() > best) {
        best = t.silhouette();
        bestK = t.centers().length;
        bestAssigned = t.assigned();
        bestCenters = new double[t.centers().length][];
        for (int c = 0; c < t.centers().length; c++) {
          bestCenters[c] = t.centers()[c].toArray();
        }
      }
    }
    if (bestAssigned == null) {
      throw new IllegalArgumentException("no k of " + kMin + ".." + hi + " gave two clusters");
    }
    return new Fit(curve, bestK, best, used, means.stream().mapToDouble(Double::doubleValue).toArray(),
        sds.stream().mapToDouble(Double::doubleValue).toArray(), bestCenters,
        bestAssigned.withColumn(CLUSTER, col(CLUSTER).cast("int")), z);
  }
}
