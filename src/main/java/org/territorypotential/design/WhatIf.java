package org.territorypotential.design;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.sedona.common.sphere.Haversine;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.GeometryFactory;

/**
 * What-if for one dealer point (add, close or move): the brand's PMAs again by the nearest-dealer
 * rule, and a Huff layer over the k nearest dealers of every brand for the potential each dealer
 * captures, the cannibalisation of same-brand dealers and the brand's net gain. Longitude and
 * latitude; every distance is the great-circle km of {@link #km}, the PMA rule's
 * (ST_DistanceSphere). Pure, no Spark.
 */
public final class WhatIf {
  private WhatIf() {}

  public record Dealer(String id, String brand, double lon, double lat, double attractiveness) {}

  /** A unit: centroid (lon, lat), industry demand (all brands) and the brand's potential. */
  public record Unit(String id, double lon, double lat, double demand, double potential) {}

  /** add (dealerId new, brand, lon, lat, attractiveness), close (dealerId) or move (dealerId, lon, lat). */
  public record Scenario(String id, String action, String dealerId, String brand, double lon, double lat,
      double attractiveness) {
    /** Parses "ID:add:DEALER:BRAND:LON:LAT:ATTRACTIVENESS", "ID:close:DEALER" or "ID:move:DEALER:LON:LAT". */
    public static Scenario parse(String spec) {
      String[] f = spec.split(":", -1);
      try {
        switch (f.length >= 2 ? f[1] : "") {
          case "add":
            if (f.length == 7) {
              return new Scenario(f[0], "add", f[2], f[3].toUpperCase(java.util.Locale.ROOT), Double.parseDouble(f[4]),
                  Double.parseDouble(f[5]), Double.parseDouble(f[6]));
            }
            break;
          case "close":
            if (f.length == 3) {
              return new Scenario(f[0], "close", f[2], null, Double.NaN, Double.NaN, Double.NaN);
            }
            break;
          case "move":
            if (f.length == 5) {
              return new Scenario(f[0], "move", f[2], null, Double.parseDouble(f[3]), Double.parseDouble(f[4]), Double.NaN);
            }
            break;
          default:
            break;
        }
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("what-if '" + spec + "': " + e.getMessage());
      }
      throw new IllegalArgumentException("what-if '" + spec + "': expected ID:add:DEALER:BRAND:LON:LAT:ATTRACTIVENESS,"
          + " ID:close:DEALER or ID:move:DEALER:LON:LAT");
    }
  }

  /** One dealer of the scenario: PMA and captured potential before and after. */
  public record DealerEffect(String dealerId, String brand, boolean isScenarioDealer, int pmaUnitsBefore,
      int pmaUnitsAfter, double pmaPotentialBefore, double pmaPotentialAfter, double capturedBefore, double capturedAfter) {}

  /**
   * The scenario's outcome for its brand: dealers whose PMA or capture changed (and the scenario's
   * dealer), units whose PMA dealer changed, and the brand's totals.
   */
  public record Result(Scenario scenario, String brand, List<DealerEffect> dealers, int unitsReassigned,
      double brandCapturedBefore, double brandCapturedAfter, double cannibalisation, double netBrandGain) {}

  /** The dealers after the scenario. */
  static List<Dealer> apply(List<Dealer> base, Scenario s) {
    List<Dealer> out = new ArrayList<>();
    boolean found = false;
    for (Dealer d : base) {
      if (d.id().equals(s.dealerId())) {
        found = true;
        if (s.action().equals("add")) {
          throw new IllegalArgumentException("what-if " + s.id() + ": dealer " + s.dealerId() + " already exists");
        } else if (s.action().equals("move")) {
          out.add(new Dealer(d.id(), d.brand(), s.lon(), s.lat(), d.attractiveness()));
        }
        continue;
      }
      out.add(d);
    }
    if (s.action().equals("add")) {
      out.add(new Dealer(s.dealerId(), s.brand(), s.lon(), s.lat(), s.attractiveness()));
    } else if (!found) {
      throw new IllegalArgumentException("what-if " + s.id() + ": no open dealer " + s.dealerId());
    }
    return out;
  }

  /** {@link #evaluate(List, List, Scenario, double, double, int, double, String[], String[])} with nearest-dealer PMAs by {@link #pma}. */
  public static Result evaluate(List<Unit> units, List<Dealer> before, Scenario s, double alpha, double beta, int k,
      double minDistanceKm) {
    String brand = brandOf(before, s);
    return evaluate(units, before, s, alpha, beta, k, minDistanceKm, pma(units, before, brand), pma(units, apply(before, s), brand));
  }

  /** The scenario's brand: the added dealer's, else the dealer's it names. */
  static String brandOf(List<Dealer> before, Scenario s) {
    return s.brand() != null ? s.brand()
        : before.stream().filter(d -> d.id().equals(s.dealerId())).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("what-if " + s.id() + ": no open dealer " + s.dealerId())).brand();
  }

  /**
   * The scenario with each unit's PMA dealer of the brand given before and after (null: none); the
   * design job passes the PMAs of the locate stage's rule ({@code Territories.pmas}). A dealer is
   * reported when a unit entered or left its PMA, its capture changed, or it is the scenario's.
   */
  public static Result evaluate(List<Unit> units, List<Dealer> before, Scenario s, double alpha, double beta, int k,
      double minDistanceKm, String[] pmaBefore, String[] pmaAfter) {
    List<Dealer> after = apply(before, s);
    String brand = brandOf(before, s);
    Map<String, double[]> capBefore = captured(units, before, alpha, beta, k, minDistanceKm);
    Map<String, double[]> capAfter = captured(units, after, alpha, beta, k, minDistanceKm);
    Map<String, int[]> pmaUnits = new HashMap<>();
    Map<String, double[]> pmaPot = new HashMap<>();
    Set<String> changed = new java.util.HashSet<>();
    int reassigned = 0;
    for (int u = 0; u < units.size(); u++) {
      if (pmaBefore[u] != null) {
        pmaUnits.computeIfAbsent(pmaBefore[u], x -> new int[2])[0]++;
        pmaPot.computeIfAbsent(pmaBefore[u], x -> new double[2])[0] += units.get(u).potential();
      }
      if (pmaAfter[u] != null) {
        pmaUnits.computeIfAbsent(pmaAfter[u], x -> new int[2])[1]++;
        pmaPot.computeIfAbsent(pmaAfter[u], x -> new double[2])[1] += units.get(u).potential();
      }
      if (!java.util.Objects.equals(pmaBefore[u], pmaAfter[u])) {
        reassigned++;
        changed.add(pmaBefore[u]);
        changed.add(pmaAfter[u]);
      }
    }
    Set<String> ids = new LinkedHashSet<>();
    before.stream().filter(d -> d.brand().equals(brand)).forEach(d -> ids.add(d.id()));
    after.stream().filter(d -> d.brand().equals(brand)).forEach(d -> ids.add(d.id()));
    List<DealerEffect> effects = new ArrayList<>();
    double brandBefore = 0;
    double brandAfter = 0;
    double cannibal = 0;
    for (String id : ids.stream().sorted().toList()) {
      int[] pu = pmaUnits.getOrDefault(id, new int[2]);
      double[] pp = pmaPot.getOrDefault(id, new double[2]);
      double cb = capBefore.getOrDefault(id, new double[1])[0];
      double ca = capAfter.getOrDefault(id, new double[1])[0];
      brandBefore += cb;
      brandAfter += ca;
      boolean mine = id.equals(s.dealerId());
      if (!mine) {
        cannibal += cb - ca;
      }
      if (mine || changed.contains(id) || Math.abs(cb - ca) > 1e-9 * Math.max(1, cb)) {
        effects.add(new DealerEffect(id, brand, mine, pu[0], pu[1], pp[0], pp[1], cb, ca));
      }
    }
    return new Result(s, brand, effects, reassigned, brandBefore, brandAfter, cannibal, brandAfter - brandBefore);
  }

  /** Every unit's nearest dealer of the brand (ties: the smallest id), or null when the brand has none. */
  static String[] pma(List<Unit> units, List<Dealer> dealers, String brand) {
    List<Dealer> own = dealers.stream().filter(d -> d.brand().equals(brand)).sorted(Comparator.comparing(Dealer::id)).toList();
    String[] out = new String[units.size()];
    for (int u = 0; u < units.size(); u++) {
      Unit un = units.get(u);
      double best = Double.POSITIVE_INFINITY;
      for (Dealer d : own) {
        double dist = km(un, d);
        if (dist < best) {
          best = dist;
          out[u] = d.id();
        }
      }
    }
    return out;
  }

  /** Huff-captured demand per dealer: sum over units of demand x P(unit -> dealer) over its k nearest dealers. */
  static Map<String, double[]> captured(List<Unit> units, List<Dealer> dealers, double alpha, double beta, int k,
      double minDistanceKm) {
    Map<String, double[]> out = new HashMap<>();
    List<Dealer> sorted = dealers.stream().sorted(Comparator.comparing(Dealer::id)).toList();
    int m = Math.min(k, sorted.size());
    for (Unit un : units) {
      int[] idx = nearest(un, sorted, m);
      double[] logA = new double[m];
      double[] logD = new double[m];
      for (int j = 0; j < m; j++) {
        Dealer d = sorted.get(idx[j]);
        logA[j] = Math.log(d.attractiveness());
        logD[j] = Math.log(Math.max(minDistanceKm, km(un, d)));
      }
      double[] p = Huff.probabilities(alpha, beta, logA, logD);
      for (int j = 0; j < m; j++) {
        out.computeIfAbsent(sorted.get(idx[j]).id(), x -> new double[1])[0] += un.demand() * p[j];
      }
    }
    return out;
  }

  /** Indices of the m dealers nearest the unit (ties: list order). */
  static int[] nearest(Unit un, List<Dealer> dealers, int m) {
    int[] idx = new int[m];
    double[] dist = new double[m];
    java.util.Arrays.fill(dist, Double.POSITIVE_INFINITY);
    for (int i = 0; i < dealers.size(); i++) {
      double d = km(un, dealers.get(i));
      if (d < dist[m - 1]) {
        int j = m - 1;
        while (j > 0 && dist[j - 1] > d) {
          dist[j] = dist[j - 1];
          idx[j] = idx[j - 1];
          j--;
        }
        dist[j] = d;
        idx[j] = i;
      }
    }
    return idx;
  }

  private static final GeometryFactory POINTS = new GeometryFactory();

  /**
   * Great-circle km from the unit's centroid to the dealer: Sedona's {@link Haversine} (the formula
   * of ST_DistanceSphere, radius 6,371.008 km), the distance of the locate stage's PMA rule.
   */
  static double km(Unit u, Dealer d) {
    return Haversine.distance(POINTS.createPoint(new Coordinate(u.lon(), u.lat())),
        POINTS.createPoint(new Coordinate(d.lon(), d.lat()))) / 1000;
  }
}
