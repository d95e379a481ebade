package org.territorypotential.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.coverage.CoverageSimplifier;
import org.locationtech.jts.coverage.CoverageUnion;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.geom.util.GeometryFixer;
import org.locationtech.jts.io.WKBReader;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;
import org.locationtech.jts.simplify.TopologyPreservingSimplifier;

/**
 * Geometry for the report, without Spark: the geo units simplified as one coverage (JTS
 * {@link CoverageSimplifier} moves shared edges together, so simplifying leaves no slivers or gaps
 * between neighbours), and territories dissolved from their simplified units
 * ({@link CoverageUnion}), so a territory's outline is exactly the outer edge of its units.
 */
public final class Shapes {
  private Shapes() {}

  /** Reads WKB polygons, keyed by id in the given order. */
  public static Map<String, Geometry> fromWkb(Map<String, byte[]> wkb) {
    WKBReader reader = new WKBReader();
    Map<String, Geometry> out = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> e : wkb.entrySet()) {
      try {
        out.put(e.getKey(), reader.read(e.getValue()));
      } catch (ParseException ex) {
        throw new IllegalArgumentException("geo unit " + e.getKey() + " has unreadable WKB: " + ex.getMessage(), ex);
      }
    }
    return out;
  }

  /**
   * The units simplified together with {@code tolerance} (degrees; 0 = unchanged). Falls back to
   * each unit on its own when the units are not a valid coverage (overlapping input), since then
   * shared edges cannot be found (each unit is then simplified on its own, which can leave slivers);
   * an invalid result is repaired with {@link GeometryFixer}.
   */
  public static Map<String, Geometry> simplifyCoverage(Map<String, Geometry> units, double tolerance) {
    if (tolerance <= 0 || units.isEmpty()) {
      return units;
    }
    List<String> ids = new ArrayList<>(units.keySet());
    Geometry[] in = ids.stream().map(units::get).toArray(Geometry[]::new);
    Geometry[] out;
    try {
      out = CoverageSimplifier.simplify(in, tolerance);
    } catch (RuntimeException notACoverage) {
      out = new Geometry[in.length];
      for (int i = 0; i < in.length; i++) {
        out[i] = TopologyPreservingSimplifier.simplify(in[i], tolerance);
      }
    }
    Map<String, Geometry> simplified = new LinkedHashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      simplified.put(ids.get(i), out[i].isValid() ? out[i] : GeometryFixer.fix(out[i]));
    }
    return simplified;
  }

  /** Each group's units dissolved into one outline (groups name unit ids; unknown ids are skipped). */
  public static Map<String, Geometry> dissolve(Map<String, Geometry> units, Map<String, List<String>> groups) {
    Map<String, Geometry> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> g : groups.entrySet()) {
      Geometry[] parts = g.getValue().stream().map(units::get).filter(x -> x != null).toArray(Geometry[]::new);
      if (parts.length > 0) {
        out.put(g.getKey(), union(parts));
      }
    }
    return out;
  }

  /**
   * The parts' union: the fast coverage union when they form a clean coverage, else (real polygons
   * that overlap or leave gaps, such as the WA ZCTAs) the robust overlay union.
   */
  static Geometry union(Geometry[] parts) {
    try {
      Geometry u = CoverageUnion.union(parts);
      if (u != null && u.isValid()) {
        return u;
      }
    } catch (RuntimeException notACoverage) {
      // TopologyException and the like: fall back below
    }
    return OverlayNGRobust.union(List.of(parts));
  }

  /** Rounds coordinates to {@code decimals} places (5 = about 1 m) in a copy, to keep the embedded JSON small. */
  public static Geometry round(Geometry g, int decimals) {
    double scale = Math.pow(10, decimals);
    Geometry c = g.copy();
    c.apply((org.locationtech.jts.geom.CoordinateFilter) co -> {
      co.x = Math.round(co.x * scale) / scale;
      co.y = Math.round(co.y * scale) / scale;
    });
    c.geometryChanged();
    return c;
  }
}
