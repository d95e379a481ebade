package org.territorypotential.report;

import java.util.Locale;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;

/**
 * Lon/lat to an SVG box of {@code width} x {@code height} pixels: an equirectangular projection
 * scaled by cos(latitude) at the box's centre (true shapes at a PMA's size), y pointing down.
 */
public final class Svg {
  private final double minX;
  private final double maxY;
  private final double scale;
  private final double kx;
  private final double offX;
  private final double offY;

  public Svg(Envelope env, int width, int height, int margin) {
    double midLat = (env.getMinY() + env.getMaxY()) / 2;
    kx = Math.cos(Math.toRadians(midLat));
    double w = Math.max(env.getWidth() * kx, 1e-9);
    double h = Math.max(env.getHeight(), 1e-9);
    scale = Math.min((width - 2.0 * margin) / w, (height - 2.0 * margin) / h);
    minX = env.getMinX();
    maxY = env.getMaxY();
    offX = margin + ((width - 2.0 * margin) - w * scale) / 2;
    offY = margin + ((height - 2.0 * margin) - h * scale) / 2;
  }

  public double x(double lon) {
    return offX + (lon - minX) * kx * scale;
  }

  public double y(double lat) {
    return offY + (maxY - lat) * scale;
  }

  /** The polygons of {@code g} as one SVG path (even-odd rings), one decimal; "" for null. */
  public String path(Geometry g) {
    if (g == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < g.getNumGeometries(); i++) {
      if (g.getGeometryN(i) instanceof Polygon p) {
        ring(b, p.getExteriorRing());
        for (int k = 0; k < p.getNumInteriorRing(); k++) {
          ring(b, p.getInteriorRingN(k));
        }
      }
    }
    return b.toString().trim();
  }

  private void ring(StringBuilder b, LineString r) {
    Coordinate[] cs = r.getCoordinates();
    for (int i = 0; i < cs.length; i++) {
      b.append(i == 0 ? 'M' : 'L').append(fmt(x(cs[i].x))).append(' ').append(fmt(y(cs[i].y))).append(' ');
    }
    b.append("Z ");
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }
}
