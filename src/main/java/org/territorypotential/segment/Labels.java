package org.territorypotential.segment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Stable segment ids across runs, and the adjusted Rand index that tests recovered clusters with. No Spark. */
public final class Labels {
  private Labels() {}

  /** The id of the n-th segment (1-based): S01, S02, ... */
  public static String id(int n) {
    return String.format("S%02d", n);
  }

  /**
   * Segment ids for this run's clusters. With no previous run, clusters are numbered by size (the
   * largest is S01; ties by index). Otherwise each cluster takes the id of the previous run's
   * centroid nearest to it (squared Euclidean in this run's scaled space), pairs taken closest
   * first (greedy), each previous id at most once; a cluster left over (more segments than before)
   * takes the smallest S-number no previous segment used.
   *
   * @param centers this run's centroids (k x d, scaled)
   * @param sizes units per cluster
   * @param previous the previous run's centroids by id, in the same scaled space; empty = first run
   */
  public static String[] match(double[][] centers, long[] sizes, Map<String, double[]> previous) {
    int k = centers.length;
    String[] out = new String[k];
    if (previous.isEmpty()) {
      Integer[] order = new Integer[k];
      for (int i = 0; i < k; i++) {
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> sizes[a] != sizes[b] ? Long.compare(sizes[b], sizes[a]) : Integer.compare(a, b));
      for (int r = 0; r < k; r++) {
        out[order[r]] = id(r + 1);
      }
      return out;
    }
    List<String> prevIds = new ArrayList<>(new java.util.TreeSet<>(previous.keySet()));
    record Pair(int cluster, String prev, double d2) {}
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      for (String p : prevIds) {
        pairs.add(new Pair(i, p, dist2(centers[i], previous.get(p))));
      }
    }
    pairs.sort((a, b) -> a.d2() != b.d2() ? Double.compare(a.d2(), b.d2())
        : a.cluster() != b.cluster() ? Integer.compare(a.cluster(), b.cluster()) : a.prev().compareTo(b.prev()));
    Set<String> taken = new HashSet<>();
    for (Pair p : pairs) {
      if (out[p.cluster()] == null && !taken.contains(p.prev())) {
        out[p.cluster()] = p.prev();
        taken.add(p.prev());
      }
    }
    int next = 1;
    for (int i = 0; i < k; i++) {
      if (out[i] == null) {
        while (previous.containsKey(id(next)) || taken.contains(id(next))) {
          next++;
        }
        out[i] = id(next);
        taken.add(out[i]);
      }
    }
    return out;
  }

  static double dist2(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      double d = a[j] - b[j];
      s += d * d;
    }
    return s;
  }

  /**
   * Adjusted Rand index of two labellings of the same items (Hubert and Arabie, 1985): 1 = the same
   * partition whatever the label names, about 0 = no better than chance.
   */
  public static <A, B> double adjustedRand(List<A> x, List<B> y) {
    if (x.size() != y.size()) {
      throw new IllegalArgumentException("labellings of " + x.size() + " and " + y.size() + " items");
    }
    Map<A, Map<B, Long>> table = new HashMap<>();
    Map<A, Long> rows = new HashMap<>();
    Map<B, Long> cols = new HashMap<>();
    for (int i = 0; i < x.size(); i++) {
      table.computeIfAbsent(x.get(i), a -> new HashMap<>()).merge(y.get(i), 1L, Long::sum);
      rows.merge(x.get(i), 1L, Long::sum);
      cols.merge(y.get(i), 1L, Long::sum);
    }
    double index = 0;
    for (Map<B, Long> r : table.values()) {
      for (long c : r.values()) {
        index += pairs(c);
      }
    }
    double a = rows.values().stream().mapToDouble(Labels::pairs).sum();
    double b = cols.values().stream().mapToDouble(Labels::pairs).sum();
    double expected = a * b / pairs(x.size());
    double max = (a + b) / 2;
    return max == expected ? 1.0 : (index - expected) / (max - expected);
  }

  private static double pairs(long n) {
    return n * (n - 1) / 2.0;
  }
}
