package org.territorypotential.segment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;

/**
 * MLlib clustering on a synthetic region with four planted segments (60 units each) in three
 * features of different scales: income (thousands), density (people per km2) and EV share (0..1),
 * each segment's centre 4 to 6 standard deviations of its noise from the others. The silhouette
 * must choose k = 4 and recover the plants (adjusted Rand >= 0.9); a second run with one new unit
 * and another seed keeps every old unit's segment id (centroids matched to the first run's profiles).
 */
class SegmenterTest {
  private static final double[][] CENTRES = {{45_000, 200, 0.02}, {120_000, 300, 0.10}, {60_000, 4_000, 0.05},
      {110_000, 3_500, 0.20}};
  private static final double[] NOISE = {6_000, 120, 0.012};
  private static final List<SegmentParams.Feature> FEATURES = List.of(new SegmentParams.Feature("income", 1, "income"),
      new SegmentParams.Feature("density", 1, "density"), new SegmentParams.Feature("ev_share", 1, "EV adoption"));
  private static final StructType SCHEMA = StructType.fromDDL("geo_unit_id STRING, income DOUBLE, density DOUBLE, ev_share DOUBLE");

  @Test
  void plantedSegmentsAreRecoveredAndIdsStayStableWithOneNewUnit() {
    SparkSession spark = TestSpark.session();
    Random rng = new Random(11);
    List<Row> rows = new ArrayList<>();
    List<Integer> planted = new ArrayList<>();
    for (int s = 0; s < CENTRES.length; s++) {
      for (int i = 0; i < 60; i++) {
        rows.add(unit(String.format("U%d%03d", s, i), CENTRES[s], rng));
        planted.add(s);
      }
    }
    Segmenter.Fit first = Segmenter.fit(spark.createDataFrame(rows, SCHEMA), FEATURES, "kmeans", 2, 7, 42, 40, 4);
    Map<String, Integer> cluster = clusters(first);
    first.release();
    System.out.println("[segmenter] silhouette curve " + first.curve() + ", chosen k " + first.k());
    assertEquals(4, first.k(), "silhouette picks the planted k: " + first.curve());
    List<Integer> found = rows.stream().map(r -> cluster.get(r.getString(0))).toList();
    double ari = Labels.adjustedRand(planted, found);
    System.out.printf("[segmenter] adjusted Rand %.4f%n", ari);
    assertTrue(ari >= 0.9, "adjusted Rand " + ari);
    for (int i = 1; i < first.curve().size(); i++) {
      assertTrue(first.curve().get(i - 1).silhouette() <= first.curve().get(2).silhouette() + 1e-12, "k = 4 is the peak");
    }

    // run 1's ids and profiles (segment means of the raw features), as the job stores them
    String[] ids1 = Labels.match(first.centers(), sizes(cluster, first.k()), Map.of());
    double[][] x = rows.stream().map(r -> new double[] {r.getDouble(1), r.getDouble(2), r.getDouble(3)}).toArray(double[][]::new);
    String[] seg1 = rows.stream().map(r -> ids1[cluster.get(r.getString(0))]).toArray(String[]::new);
    Map<String, double[]> means = new TreeMap<>();
    for (Profiles.Profile p : Profiles.of(seg1, x, new double[x.length], new double[x.length], Profiles.region(x, 3))) {
      means.put(p.segmentId(), p.mean());
    }

    // run 2: one new unit in segment 2's area, another seed: the clusters' order may change, the ids may not
    List<Row> rows2 = new ArrayList<>(rows);
    rows2.add(unit("U9999", CENTRES[2], rng));
    Segmenter.Fit second = Segmenter.fit(spark.createDataFrame(rows2, SCHEMA), FEATURES, "kmeans", 4, 4, 7, 40, 1);
    Map<String, Integer> cluster2 = clusters(second);
    second.release();
    Map<String, double[]> previous = new TreeMap<>();
    means.forEach((id, m) -> previous.put(id, second.scale(m)));
    String[] ids2 = Labels.match(second.centers(), sizes(cluster2, second.k()), previous);
    int same = 0;
    for (int i = 0; i < rows.size(); i++) {
      same += seg1[i].equals(ids2[cluster2.get(rows.get(i).getString(0))]) ? 1 : 0;
    }
    assertEquals(rows.size(), same, "every old unit keeps its segment id");
    assertEquals(seg1[2 * 60], ids2[cluster2.get("U9999")], "the new unit joins segment 2's id");
  }

  private static Row unit(String id, double[] c, Random rng) {
    return RowFactory.create(id, c[0] + NOISE[0] * rng.nextGaussian(), c[1] + NOISE[1] * rng.nextGaussian(),
        c[2] + NOISE[2] * rng.nextGaussian());
  }

  private static Map<String, Integer> clusters(Segmenter.Fit fit) {
    Map<String, Integer> out = new TreeMap<>();
    for (Row r : fit.assigned().select("geo_unit_id", Segmenter.CLUSTER).collectAsList()) {
      out.put(r.getString(0), r.getInt(1));
    }
    return out;
  }

  private static long[] sizes(Map<String, Integer> cluster, int k) {
    long[] s = new long[k];
    cluster.values().forEach(c -> s[c]++);
    return s;
  }
}
