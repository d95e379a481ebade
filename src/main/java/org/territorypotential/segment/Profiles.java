package org.territorypotential.segment;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Segment profiles, names and per-unit reasons from the collected unit features. No Spark: the
 * values are the raw features (NaN = missing, left out of a mean).
 */
public final class Profiles {
  private Profiles() {}

  /** One segment: its units, feature means, potential and opportunity. */
  public record Profile(String segmentId, long units, double unitShare, double potential, double opportunityGap,
      Double opportunityShare, double[] mean, double[] z) {}

  /** The whole region's mean and standard deviation (population) per feature, over units with a value. */
  public record Region(double[] mean, double[] sd) {}

  public static Region region(double[][] x, int features) {
    double[] mean = new double[features];
    double[] sd = new double[features];
    for (int j = 0; j < features; j++) {
      double s = 0;
      double s2 = 0;
      long n = 0;
      for (double[] row : x) {
        if (!Double.isNaN(row[j])) {
          s += row[j];
          s2 += row[j] * row[j];
          n++;
        }
      }
      mean[j] = n == 0 ? Double.NaN : s / n;
      sd[j] = n == 0 ? Double.NaN : Math.sqrt(Math.max(0, s2 / n - mean[j] * mean[j]));
    }
    return new Region(mean, sd);
  }

  /**
   * Profiles in segment id order. mean = the segment's mean of each feature over its units with a
   * value; z = (mean - region mean) / region sd (0 when the sd is 0); opportunityShare = the
   * segment's sum of positive opportunity gaps / the region's (null when the region has none).
   */
  public static List<Profile> of(String[] segment, double[][] x, double[] potential, double[] gap, Region region) {
    int n = segment.length;
    int f = region.mean().length;
    Map<String, List<Integer>> members = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      members.computeIfAbsent(segment[i], s -> new ArrayList<>()).add(i);
    }
    double positiveTotal = 0;
    for (double g : gap) {
      positiveTotal += Math.max(0, g);
    }
    List<Profile> out = new ArrayList<>();
    for (Map.Entry<String, List<Integer>> e : members.entrySet()) {
      double[] mean = new double[f];
      double[] z = new double[f];
      for (int j = 0; j < f; j++) {
        double s = 0;
        long c = 0;
        for (int i : e.getValue()) {
          if (!Double.isNaN(x[i][j])) {
            s += x[i][j];
            c++;
          }
        }
        mean[j] = c == 0 ? Double.NaN : s / c;
        z[j] = zScore(mean[j], region, j);
      }
      double pot = 0;
      double g = 0;
      double pos = 0;
      for (int i : e.getValue()) {
        pot += potential[i];
        g += gap[i];
        pos += Math.max(0, gap[i]);
      }
      out.add(new Profile(e.getKey(), e.getValue().size(), e.getValue().size() / (double) n, pot, g,
          positiveTotal > 0 ? pos / positiveTotal : null, mean, z));
    }
    return out;
  }

  static double zScore(double v, Region r, int j) {
    return Double.isNaN(v) || !(r.sd()[j] > 0) ? 0 : (v - r.mean()[j]) / r.sd()[j];
  }

  /**
   * A name per segment from its most distinctive features: those with |z| >= thresholdSd, largest
   * weight x |z| first, at most {@code terms}; "high LABEL" / "low LABEL", or the label's own words
   * when it is "HIGH WORDS|LOW WORDS" (growth: "growing|shrinking"). "average" when none stands
   * out. Two segments with the same name get their id appended.
   */
  public static Map<String, String> names(List<Profile> profiles, List<SegmentParams.Feature> features, double thresholdSd,
      int terms) {
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Profile p : profiles) {
      List<Integer> idx = new ArrayList<>();
      for (int j = 0; j < features.size(); j++) {
        if (Math.abs(p.z()[j]) >= thresholdSd && p.z()[j] != 0) {
          idx.add(j);
        }
      }
      idx.sort((a, b) -> Double.compare(features.get(b).weight() * Math.abs(p.z()[b]), features.get(a).weight() * Math.abs(p.z()[a])));
      List<String> words = new ArrayList<>();
      for (int j : idx.subList(0, Math.min(terms, idx.size()))) {
        words.add(phrase(features.get(j).label(), p.z()[j] > 0));
      }
      String name = words.isEmpty() ? "average" : String.join(", ", words);
      out.put(p.segmentId(), name);
      seen.merge(name, 1, Integer::sum);
    }
    out.replaceAll((id, name) -> seen.get(name) > 1 ? name + " (" + id + ")" : name);
    return out;
  }

  static String phrase(String label, boolean high) {
    int bar = label.indexOf('|');
    if (bar >= 0) {
      return (high ? label.substring(0, bar) : label.substring(bar + 1)).trim();
    }
    return (high ? "high " : "low ") + label;
  }

  /**
   * Why a unit is a target: its feature with the largest weight x z above the region (z of the
   * unit's own value), as "LABEL +1.8 sd"; "no feature above the region mean" when none is.
   */
  public static String reason(double[] x, Region region, List<SegmentParams.Feature> features) {
    int best = -1;
    double bestScore = 0;
    for (int j = 0; j < features.size(); j++) {
      double s = features.get(j).weight() * zScore(x[j], region, j);
      if (s > bestScore) {
        best = j;
        bestScore = s;
      }
    }
    if (best < 0) {
      return "no feature above the region mean";
    }
    return String.format(Locale.ROOT, "%s %+.1f sd", phrase(features.get(best).label(), true), zScore(x[best], region, best));
  }
}
