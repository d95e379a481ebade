package org.territorypotential.bench;

import java.util.List;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Point;
import org.locationtech.jts.geom.prep.PreparedGeometry;
import org.locationtech.jts.geom.prep.PreparedGeometryFactory;
import org.locationtech.jts.index.strtree.STRtree;

/**
 * The per-core limit of locating points: a plain single-threaded loop over an STRtree of
 * prepared polygons (query the point's envelope, then {@code intersects}, the predicate the
 * pipeline's Sedona join uses: true on the boundary). No Spark.
 */
public final class JtsLocator {
  private final STRtree tree = new STRtree();
  private final GeometryFactory gf = new GeometryFactory();

  /** Counts of one pass: points that intersect at least one polygon, and point-polygon matches (edges count twice). */
  public record Counts(long located, long matches) {}

  public JtsLocator(List<? extends Geometry> polygons) {
    PreparedGeometryFactory pf = new PreparedGeometryFactory();
    for (Geometry g : polygons) {
      tree.insert(g.getEnvelopeInternal(), pf.create(g));
    }
    tree.build();
  }

  /** Locates the points {@code (lon[i], lat[i])} for i in [from, to). */
  public Counts locate(double[] lon, double[] lat, int from, int to) {
    long located = 0;
    long matches = 0;
    Envelope env = new Envelope();
    for (int i = from; i < to; i++) {
      Coordinate c = new Coordinate(lon[i], lat[i]);
      Point p = gf.createPoint(c);
      env.init(c);
      int hits = 0;
      for (Object o : tree.query(env)) {
        if (((PreparedGeometry) o).intersects(p)) {
          hits++;
        }
      }
      matches += hits;
      located += hits > 0 ? 1 : 0;
    }
    return new Counts(located, matches);
  }

  public Counts locate(double[] lon, double[] lat) {
    return locate(lon, lat, 0, lon.length);
  }
}
